import type { Tenant } from '../../lambdas/domain/tenant.js';
import { verifiedAddress } from '../../lambdas/http/tenant-context.js';

const tenant = (emailsVerified?: boolean) =>
  ({
    idp: { issuer: 'i', jwksUri: 'https://idp/jwks', audience: 'a', rolesClaim: 'roles', emailsVerified },
  }) as unknown as Tenant;

describe('which e-mail claims count', () => {
  it('counts an address only with the boolean email_verified true', () => {
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test', email_verified: true } })).toBe('a@x.test');
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test' } })).toBeUndefined();
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test', email_verified: 'true' } })).toBeUndefined();
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test', email_verified: 'false' } })).toBeUndefined();
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test', email_verified: false } })).toBeUndefined();
    expect(verifiedAddress({ tenant: tenant(), claims: { email: 'a@x.test', email_verified: 1 } })).toBeUndefined();
  });

  it('counts every address when the tenant says its IdP verifies them, and never a non-string', () => {
    expect(verifiedAddress({ tenant: tenant(true), claims: { email: 'a@x.test' } })).toBe('a@x.test');
    expect(verifiedAddress({ tenant: tenant(true), claims: { email: ['a@x.test'] } })).toBeUndefined();
  });
});
