import { randomUUID } from 'node:crypto';
import type { SiteId } from '../../config/sites.js';
import type { TestIdentityProvider } from './idp.js';
import { api, stack } from './stack.js';

export const uniqueSlug = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;

export function operatorHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${stack().operatorToken}`, 'content-type': 'application/json', ...extra };
}

export function tenantBody(idp: TestIdentityProvider, homeSite: SiteId, overrides: Record<string, unknown> = {}) {
  return {
    slug: uniqueSlug(),
    homeSite,
    tier: 'business',
    idp: idp.idpConfig,
    securityContacts: [{ email: `security-${randomUUID().slice(0, 6)}@example.test`, name: 'Security Desk' }],
    ...overrides,
  };
}

export async function createTenant(site: SiteId, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return api(site, '/v1/tenants', { method: 'POST', headers: operatorHeaders(headers), body: JSON.stringify(body) });
}

export interface TenantResource {
  id: string;
  slug: string;
  etag: string;
  status: string;
  key: { mode: string; keyArn: string };
  securityContacts: { email: string }[];
}
