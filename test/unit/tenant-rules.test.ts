import { directoryAnswerOf, directoryEntrySchema } from '../../lambdas/domain/directory.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import {
  checkAllowedSites,
  directoryEntryOf,
  etagOf,
  jwksUriProblem,
  reinstate,
  webUrlProblem,
  suspend,
  versionFromEtag,
  type Tenant,
} from '../../lambdas/domain/tenant.js';
import { rolesOf } from '../../lambdas/http/auth/tenant-user.js';
import { offboardingReportFromRef, offboardingReportRef, type OffboardingReport } from '../../lambdas/domain/tenant-lifecycle.js';

const tenant: Tenant = {
  id: 'tn_0123456789abcdef01234567',
  slug: 'acme',
  homeSite: 'fra',
  allowedSites: ['ams'],
  tier: 'business',
  status: 'active',
  idp: {
    issuer: 'https://idp.example.test',
    jwksUri: 'https://idp.example.test/jwks',
    audience: 'meetplane',
    rolesClaim: 'roles',
  },
  key: { mode: 'managed', keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/x' },
  displayNames: false,
  securityContacts: [{ email: 'sec@example.test' }],
  pseudonymKey: 'd3JhcHBlZA==',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};

describe('tenant rules', () => {
  it('puts only directory fields, never personal ones, into the directory entry', () => {
    expect(directoryEntryOf(tenant)).toEqual({
      tenantId: tenant.id,
      slug: 'acme',
      homeSite: 'fra',
      allowedSites: ['ams'],
      issuer: 'https://idp.example.test',
      status: 'active',
    });
  });

  it('adds what a browser needs to sign in, and the web app, only when the tenant has them', () => {
    const withWeb: Tenant = {
      ...tenant,
      idp: { ...tenant.idp, webClientId: 'meetplane-web' },
      webUrl: 'https://meet.acme.example',
    };
    const entry = directoryEntryOf(withWeb);
    expect(entry).toEqual({
      ...directoryEntryOf(tenant),
      webClientId: 'meetplane-web',
      audience: 'meetplane',
      webUrl: 'https://meet.acme.example',
    });
    expect(directoryEntrySchema.parse(entry)).toEqual(entry);
    expect(directoryAnswerOf(entry, 'https://api.fra.example', 'https://app.example')).toEqual({
      tenantId: tenant.id,
      slug: 'acme',
      homeSite: 'fra',
      apiUrl: 'https://api.fra.example',
      signIn: { issuer: 'https://idp.example.test', clientId: 'meetplane-web', audience: 'meetplane' },
      webUrl: 'https://meet.acme.example',
    });
    // Without a web client no sign-in is announced, and the site's web app stands in for the tenant's own.
    expect(directoryAnswerOf(directoryEntryOf(tenant), 'https://api.fra.example', 'https://app.example')).toEqual({
      tenantId: tenant.id,
      slug: 'acme',
      homeSite: 'fra',
      apiUrl: 'https://api.fra.example',
      webUrl: 'https://app.example',
    });
  });

  it('links a deployed tenant to its web app over https only', () => {
    expect(webUrlProblem('https://meet.acme.example', 'aws')).toBeUndefined();
    expect(webUrlProblem('http://meet.acme.example', 'aws')).toBe('must use https');
    expect(webUrlProblem('http://127.0.0.1:4000', 'local')).toBeUndefined();
  });

  it('refuses the home site or a repeated site among the allowed sites', () => {
    expect(() => checkAllowedSites('fra', ['fra'])).toThrow(DomainError);
    expect(() => checkAllowedSites('fra', ['ams', 'ams'])).toThrow(/twice/);
    expect(() => checkAllowedSites('fra', ['ams'])).not.toThrow();
  });

  it('suspends an active tenant and reinstates a suspended one, and nothing else', () => {
    const change = { reason: 'r', legalBasis: 'l', at: '2026-01-02T00:00:00.000Z' };
    const suspended = suspend(tenant, change);
    expect(suspended).toMatchObject({ status: 'suspended', suspension: change });
    expect(() => suspend(suspended, change)).toThrow(/not active/);
    expect(reinstate(suspended)).toMatchObject({ status: 'active' });
    expect(reinstate(suspended).suspension).toBeUndefined();
    expect(() => reinstate(tenant)).toThrow(/not suspended/);
  });

  it('round-trips ETags and rejects foreign ones', () => {
    expect(versionFromEtag(etagOf(7))).toBe(7);
    expect(versionFromEtag('W/"v7"')).toBe(7);
    expect(versionFromEtag('"abc"')).toBeUndefined();
    expect(versionFromEtag('*')).toBeUndefined();
  });

  it('accepts JWKS over https, and over plain http only on loopback locally', () => {
    expect(jwksUriProblem('https://idp.example.test/jwks', 'aws')).toBeUndefined();
    expect(jwksUriProblem('http://127.0.0.1:9000/jwks', 'local')).toBeUndefined();
    expect(jwksUriProblem('http://127.0.0.1:9000/jwks', 'aws')).toBe('must use https');
    expect(jwksUriProblem('http://idp.example.test/jwks', 'local')).toMatch(/loopback/);
    expect(jwksUriProblem('not a url', 'local')).toBe('is not a URL');
    // Deployed, an IP literal that is not public is refused as spelled; a name is left to the outbound policy's lookup.
    expect(jwksUriProblem('https://127.0.0.1/jwks', 'aws')).toBe('is a loopback address');
    expect(jwksUriProblem('https://169.254.169.254/latest/meta-data', 'aws')).toBe('is a cloud metadata address');
    expect(jwksUriProblem('https://[fe80::1]/jwks', 'aws')).toBe('is a link-local address');
    expect(jwksUriProblem('https://localhost/jwks', 'aws')).toBeUndefined();
  });

  it('reads roles from an array or a space-separated claim and ignores unknown ones', () => {
    expect([...rolesOf(['admin', 'host', 'root'])]).toEqual(['admin', 'host']);
    expect([...rolesOf('host admin')]).toEqual(['host', 'admin']);
    expect([...rolesOf(undefined)]).toEqual([]);
    expect([...rolesOf(42)]).toEqual([]);
  });
});

describe('an offboarding report kept for an idempotent retry', () => {
  const managed: OffboardingReport = {
    tenantId: tenant.id,
    status: 'offboarded',
    recordsDeleted: 17,
    directoryEntryRemoved: true,
    key: { mode: 'managed', deletionScheduledFor: '2027-01-07T00:00:00.000Z' },
  };

  it('comes back whole from its reference, which does not name the tenant', () => {
    const ref = offboardingReportRef(managed);
    expect(ref).not.toContain(tenant.id);
    expect(offboardingReportFromRef(tenant.id, ref)).toEqual(managed);
    const noDate: OffboardingReport = { ...managed, key: { mode: 'managed' } };
    expect(offboardingReportFromRef(tenant.id, offboardingReportRef(noDate))).toEqual(noDate);
  });

  it("keeps a customer key's note", () => {
    const customer = offboardingReportFromRef(
      tenant.id,
      offboardingReportRef({ ...managed, recordsDeleted: 0, key: { mode: 'customer', note: 'x' } }),
    );
    expect(customer).toMatchObject({ recordsDeleted: 0, key: { mode: 'customer' } });
    expect(customer.key.mode === 'customer' && customer.key.note).toMatch(/own key/);
  });

  it('refuses a reference that is not one', () => {
    expect(() => offboardingReportFromRef(tenant.id, 'tn_x')).toThrow();
  });
});
