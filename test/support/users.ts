import type { SiteId } from '../../config/sites.js';
import { TestIdentityProvider } from './idp.js';
import { api } from './stack.js';
import { createTenant, tenantBody, type TenantResource } from './tenants.js';

/** A tenant created through the operator API, with its own identity provider for minting user tokens. */
export interface TestTenant {
  readonly site: SiteId;
  readonly tenant: TenantResource;
  readonly idp: TestIdentityProvider;
  token(user: string, roles?: string[], extra?: Record<string, unknown>): Promise<string>;
  call(path: string, token: string, init?: RequestInit & { json?: unknown }): ReturnType<typeof api>;
  stop(): Promise<void>;
}

export async function testTenant(site: SiteId, overrides: Record<string, unknown> = {}): Promise<TestTenant> {
  const idp = await TestIdentityProvider.start();
  const res = await createTenant(site, tenantBody(idp, site, overrides));
  if (res.status !== 201) throw new Error(`tenant not created: ${JSON.stringify(res.body)}`);
  return {
    site,
    tenant: res.body as TenantResource,
    idp,
    token: (user, roles = [], extra = {}) =>
      idp.token(user, roles, { email: `${user}@example.test`, email_verified: true, ...extra }),
    call: (path, token, init = {}) => {
      const { json, headers, ...rest } = init;
      return api(site, path, {
        ...rest,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json !== undefined && { 'content-type': 'application/json' }),
          ...(headers as Record<string, string> | undefined),
        },
        ...(json !== undefined && { body: JSON.stringify(json) }),
      });
    },
    stop: () => idp.stop(),
  };
}
