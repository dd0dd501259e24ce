import type { SiteId } from '../../config/sites.js';

export interface MediaNodeState {
  readonly id: string;
  readonly site: SiteId;
  readonly status: 'active' | 'draining';
  readonly healthy: boolean;
  /** Live participants, from webhooks. */
  readonly participants: number;
}

export type Placement = { readonly placed: true; readonly nodeId: string; readonly site: SiteId } | { readonly placed: false };

/**
 * Where a meeting's media goes at its first join: a healthy, non-draining
 * node of the tenant's home site, the least loaded; if the home site has none,
 * the tenant's other allowed sites in the order it gave. Never a site outside
 * that list: a tenant that allows none gets no media rather than media abroad.
 */
export function placeMeeting(homeSite: SiteId, allowedSites: readonly SiteId[], nodes: readonly MediaNodeState[]): Placement {
  for (const site of [homeSite, ...allowedSites.filter((s) => s !== homeSite)]) {
    const candidates = nodes
      .filter((n) => n.site === site && n.status === 'active' && n.healthy)
      .sort((a, b) => a.participants - b.participants || a.id.localeCompare(b.id));
    const best = candidates[0];
    if (best) return { placed: true, nodeId: best.id, site };
  }
  return { placed: false };
}
