import type { SiteId } from '../config/sites.js';

/**
 * The site's function roles live under this IAM path. The site key's policy
 * names the path instead of the roles themselves, so the stateful stack need
 * not know (or wait for) the stateless stack that creates them.
 */
export function siteRolePath(site: SiteId): string {
  return `/meetplane/${site}/`;
}

export function stackName(site: SiteId, part: 'Stateful' | 'Stateless' | 'Media'): string {
  return `Meetplane-${site}-${part}`;
}

/** Alias of the key DynamoDB encrypts the site's tables with; a directory replica names it by alias ARN. */
export const DATA_KEY_ALIAS = 'alias/meetplane-data';

/** The id of a site's LiveKit cluster, as the control plane names it (placement, the operator API, metrics). */
export function livekitClusterId(site: SiteId): string {
  return `${site}-a`;
}

/**
 * The name of a site's LiveKit API secret ({apiKey, apiSecret}). Fixed, so
 * that the other site finds the replica in its own region by name.
 */
export function livekitSecretName(site: SiteId): string {
  return `meetplane/${site}/livekit-api`;
}
