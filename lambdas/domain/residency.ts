import { SITES, type SiteId } from '../../config/sites.js';
import { DEVICE_KEYS_RETENTION_DAYS, RETENTION_CLASSES, type RetentionPolicy } from './retention.js';
import type { Tenant } from './tenant.js';

/**
 * Where a tenant's data and media are, and how long each class of its records
 * is kept: what a tenant admin reads on the organisation overview. Pure: the
 * handler gives the site it runs at (the tenant's home site) and what KMS says
 * of the key's rotation.
 */

export interface Place {
  readonly site: SiteId;
  readonly city: string;
  /** Known for the site answering (the home site); another site's region is its operator's choice. */
  readonly region?: string;
}

/** Whether KMS rotates the key: `automatic` (every year, managed keys), `off`, or the tenant's own business. */
export type KeyRotation = 'automatic' | 'off' | 'customer-controlled';

export type ResidencyClass = (typeof RETENTION_CLASSES)[number] | 'devices' | 'settings' | 'directory';

export interface ResidencyRow {
  readonly dataClass: ResidencyClass;
  /** The sites that hold it. */
  readonly sites: readonly SiteId[];
  readonly region?: string;
  /** Days kept (after the record's own end); absent when kept for as long as the tenant is. */
  readonly retentionDays?: number;
  /** Whether the tenant admin chooses the period (PATCH /v1/settings/retention). */
  readonly adjustable: boolean;
  /** Whether its personal fields are sealed under the tenant's key. */
  readonly sealed: boolean;
}

export interface OrganisationOverview {
  readonly tenantId: string;
  readonly slug: string;
  readonly vanityDomain?: string;
  readonly status: Tenant['status'];
  readonly tier: Tenant['tier'];
  readonly homeSite: Place;
  readonly allowedSites: readonly Place[];
  /** Where its records are: the home site's table, nowhere else. */
  readonly data: Place;
  /** Where its meetings' media may be forwarded, in the order placement tries them. */
  readonly media: readonly (Place & { readonly role: 'home' | 'failover' })[];
  readonly key: { readonly mode: Tenant['key']['mode']; readonly keyArn: string; readonly rotation: KeyRotation };
  readonly residency: readonly ResidencyRow[];
}

const place = (site: SiteId, here: { siteId: SiteId; region: string }): Place => ({
  site,
  city: SITES[site].city,
  ...(site === here.siteId && { region: here.region }),
});

/** Which records of a retention class carry personal fields sealed under the tenant key. */
const SEALED: Readonly<Record<ResidencyClass, boolean>> = {
  meetings: true,
  attendance: false,
  lobbyTickets: false,
  abuseReports: true,
  audit: false,
  devices: false,
  settings: true,
  directory: false,
};

export function organisationOverview(
  tenant: Tenant,
  here: { readonly siteId: SiteId; readonly region: string },
  retention: RetentionPolicy,
  rotation: KeyRotation,
): OrganisationOverview {
  const home = place(tenant.homeSite, here);
  const failover = tenant.allowedSites.filter((s) => s !== tenant.homeSite);
  const atHome = { sites: [tenant.homeSite], region: here.region };
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    ...(tenant.vanityDomain !== undefined && { vanityDomain: tenant.vanityDomain }),
    status: tenant.status,
    tier: tenant.tier,
    homeSite: home,
    allowedSites: tenant.allowedSites.map((s) => place(s, here)),
    data: home,
    media: [{ ...home, role: 'home' }, ...failover.map((s) => ({ ...place(s, here), role: 'failover' as const }))],
    key: { mode: tenant.key.mode, keyArn: tenant.key.keyArn, rotation },
    residency: [
      ...RETENTION_CLASSES.map((dataClass) => ({
        dataClass,
        ...atHome,
        retentionDays: retention[dataClass],
        adjustable: true,
        sealed: SEALED[dataClass],
      })),
      { dataClass: 'devices', ...atHome, retentionDays: DEVICE_KEYS_RETENTION_DAYS, adjustable: false, sealed: false },
      { dataClass: 'settings', ...atHome, adjustable: false, sealed: true },
      // The directory is replicated to every site: id, slug, domain, home and allowed sites, issuer, status — nothing personal.
      {
        dataClass: 'directory',
        sites: Object.keys(SITES) as SiteId[],
        adjustable: false,
        sealed: false,
      },
    ],
  };
}
