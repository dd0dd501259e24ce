import { assertEuRegion, type EuRegion } from './regions.js';

export const SITE_IDS = ['fra', 'ams'] as const;
export type SiteId = (typeof SITE_IDS)[number];

export interface SiteDefinition {
  readonly id: SiteId;
  readonly city: string;
  /** Region used when the operator names none. */
  readonly defaultRegion: EuRegion;
  /**
   * Frankfurt is an AWS region of its own. AWS has no Amsterdam region, so the
   * `ams` site's control-plane data lives in an EU region of the operator's
   * choice (Ireland by default) while its media nodes may run in Amsterdam.
   */
  readonly regionIsFixed: boolean;
}

export const SITES: Readonly<Record<SiteId, SiteDefinition>> = {
  fra: { id: 'fra', city: 'Frankfurt', defaultRegion: 'eu-central-1', regionIsFixed: true },
  ams: { id: 'ams', city: 'Amsterdam', defaultRegion: 'eu-west-1', regionIsFixed: false },
};

export function isSiteId(value: string): value is SiteId {
  return (SITE_IDS as readonly string[]).includes(value);
}

/**
 * The region a site runs in: the operator's choice where the site allows one,
 * always on the EU allow-list. Throws with a message naming the site otherwise.
 */
export function resolveSiteRegion(siteId: SiteId, requested?: string): EuRegion {
  const site = SITES[siteId];
  const region = requested ?? site.defaultRegion;
  assertEuRegion(`site "${siteId}" (${site.city})`, region);
  if (site.regionIsFixed && region !== site.defaultRegion) {
    throw new Error(`site "${siteId}" (${site.city}) runs only in ${site.defaultRegion}, not in "${region}"`);
  }
  return region as EuRegion;
}
