import type { SiteId } from '../../config/sites.js';

/** A LiveKit cluster as the control plane sees it: nodes sharing a Redis, which LiveKit places rooms on. */
export interface MediaClusterState {
  readonly id: string;
  readonly site: SiteId;
  readonly status: 'active' | 'draining';
  readonly healthy: boolean;
  /** Live participants, from webhooks. */
  readonly participants: number;
}

/**
 * Where a meeting's media may go at its first join, best first: the healthy,
 * non-draining clusters of the tenant's home site, the least loaded first;
 * then those of the tenant's other allowed sites in the order it gave. Never
 * a site outside that list: a tenant that allows none gets no media rather
 * than media abroad. Within a cluster, LiveKit picks the node.
 */
export function placementOrder(
  homeSite: SiteId,
  allowedSites: readonly SiteId[],
  clusters: readonly MediaClusterState[],
): { readonly clusterId: string; readonly site: SiteId }[] {
  return [homeSite, ...allowedSites.filter((s) => s !== homeSite)].flatMap((site) =>
    clusters
      .filter((c) => c.site === site && c.status === 'active' && c.healthy)
      .sort((a, b) => a.participants - b.participants || a.id.localeCompare(b.id))
      .map((c) => ({ clusterId: c.id, site })),
  );
}
