import type { Tenant } from '../domain/tenant.js';
import { etagOf } from '../domain/tenant.js';

/** A tenant as the operator API shows it. */
export function tenantResource(tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    ...(tenant.vanityDomain !== undefined && { vanityDomain: tenant.vanityDomain }),
    homeSite: tenant.homeSite,
    allowedSites: tenant.allowedSites,
    tier: tenant.tier,
    status: tenant.status,
    ...(tenant.suspension && { suspension: tenant.suspension }),
    idp: tenant.idp,
    ...(tenant.webUrl !== undefined && { webUrl: tenant.webUrl }),
    key: tenant.key,
    displayNames: tenant.displayNames,
    guests: tenant.guests === true,
    securityContacts: tenant.securityContacts,
    createdAt: tenant.createdAt,
    updatedAt: tenant.updatedAt,
    etag: etagOf(tenant.version),
  };
}
