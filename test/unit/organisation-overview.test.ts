import { auditEntryMatches } from '../../lambdas/domain/audit.js';
import { organisationOverview } from '../../lambdas/domain/residency.js';
import { DEFAULT_RETENTION, DEVICE_KEYS_RETENTION_DAYS, retentionPolicy } from '../../lambdas/domain/retention.js';
import type { Tenant } from '../../lambdas/domain/tenant.js';

const tenant: Tenant = {
  id: 'tn_0123456789abcdef01234567',
  slug: 'acme',
  vanityDomain: 'meet.acme.example',
  homeSite: 'ams',
  allowedSites: ['fra'],
  tier: 'education',
  status: 'active',
  idp: {
    issuer: 'https://idp.example.test',
    jwksUri: 'https://idp.example.test/jwks',
    audience: 'meetplane',
    rolesClaim: 'roles',
  },
  key: { mode: 'customer', keyArn: 'arn:aws:kms:eu-west-3:111122223333:key/x' },
  displayNames: false,
  securityContacts: [],
  retention: { attendance: 45 },
  pseudonymKey: 'd3JhcHBlZA==',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};

describe('the organisation overview', () => {
  const here = { siteId: 'ams' as const, region: 'eu-west-3' };
  const overview = organisationOverview(tenant, here, retentionPolicy(tenant.retention), 'customer-controlled');

  it('places data at the home site, in the region that site runs in, and media at home first, then the failover sites', () => {
    expect(overview.data).toEqual({ site: 'ams', city: 'Amsterdam', region: 'eu-west-3' });
    expect(overview.homeSite).toEqual(overview.data);
    expect(overview.media).toEqual([
      { site: 'ams', city: 'Amsterdam', region: 'eu-west-3', role: 'home' },
      { site: 'fra', city: 'Frankfurt', role: 'failover' },
    ]);
    // Another site's region is its operator's choice: not claimed.
    expect(overview.allowedSites.find((s) => s.site === 'fra')).toEqual({ site: 'fra', city: 'Frankfurt' });
    expect(overview.key).toEqual({ mode: 'customer', keyArn: tenant.key.keyArn, rotation: 'customer-controlled' });
    expect(overview).toMatchObject({ tier: 'education', status: 'active', vanityDomain: 'meet.acme.example' });
  });

  it("lists every data class with the site that holds it and the tenant's own retention", () => {
    const byClass = Object.fromEntries(overview.residency.map((row) => [row.dataClass, row]));
    expect(Object.keys(byClass)).toEqual([
      'meetings',
      'attendance',
      'lobbyTickets',
      'abuseReports',
      'audit',
      'devices',
      'settings',
      'directory',
    ]);
    expect(byClass.attendance).toEqual({
      dataClass: 'attendance',
      sites: ['ams'],
      region: 'eu-west-3',
      retentionDays: 45,
      adjustable: true,
      sealed: false,
    });
    expect(byClass.meetings).toMatchObject({ retentionDays: DEFAULT_RETENTION.meetings, sealed: true, adjustable: true });
    expect(byClass.devices).toMatchObject({ retentionDays: DEVICE_KEYS_RETENTION_DAYS, adjustable: false });
    expect(byClass.settings?.retentionDays).toBeUndefined();
    // Only the directory (no personal data) is at every site.
    expect(byClass.directory).toEqual({ dataClass: 'directory', sites: ['fra', 'ams'], adjustable: false, sealed: false });
    for (const row of overview.residency.filter((r) => r.dataClass !== 'directory')) expect(row.sites).toEqual(['ams']);
  });
});

describe('audit filters', () => {
  const entry = (type: 'operator' | 'user' | 'system', action: string) => ({ actor: { type, id: 'x' }, action });

  it('match one kind of actor, one action, or every action of its group', () => {
    expect(auditEntryMatches(entry('operator', 'support.read'), { actor: 'operator' })).toBe(true);
    expect(auditEntryMatches(entry('user', 'support.read'), { actor: 'operator' })).toBe(false);
    expect(auditEntryMatches(entry('operator', 'support.read'), { action: 'support' })).toBe(true);
    expect(auditEntryMatches(entry('operator', 'support.read'), { action: 'support.read' })).toBe(true);
    expect(auditEntryMatches(entry('operator', 'supportive.read'), { action: 'support' })).toBe(false);
    expect(auditEntryMatches(entry('user', 'settings.retention'), { actor: 'user', action: 'settings' })).toBe(true);
    expect(auditEntryMatches(entry('user', 'settings.retention'), {})).toBe(true);
  });
});
