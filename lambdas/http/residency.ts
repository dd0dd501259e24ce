import type { SiteConfig } from '../../config/env.js';
import type { SiteId } from '../../config/sites.js';
import type { DirectoryReader } from '../domain/ports.js';
import { problems } from './problem.js';

/**
 * The residency rule at the door: a request about a tenant homed at another
 * site is answered 421 with that site's address before anything is read,
 * written or logged here beyond the request id.
 */
export function assertHomeSite(config: SiteConfig, homeSite: SiteId): void {
  if (homeSite !== config.siteId) throw problems.misdirected(homeSite, config.apiUrls[homeSite]);
}

export async function assertTenantHomedHere(config: SiteConfig, directory: DirectoryReader, tenantId: string): Promise<void> {
  const entry = await directory.byTenantId(tenantId);
  if (entry) assertHomeSite(config, entry.homeSite);
}
