import type { SiteId } from '../../config/sites.js';
import type { PlanTier } from '../../config/tiers.js';
import { literalHostProblem } from './destination.js';
import type { DirectoryEntry } from './directory.js';
import { conflict, invalid } from './errors.js';
import type { RetentionPolicy } from './retention.js';

export type TenantStatus = 'active' | 'suspended' | 'offboarding';

export interface IdentityProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  /** The JWT claim that carries the user's roles (`admin`, `host`). */
  readonly rolesClaim: string;
  /** The tenant vouches that its IdP verifies every address it issues. */
  readonly emailsVerified?: boolean;
  /** The client id of the web app at the IdP (a public client): the directory tells browsers how to sign in with it. */
  readonly webClientId?: string;
}

export interface TenantKey {
  /** `managed`: a key Meetplane created for the tenant in its home site; `customer`: the tenant's own key. */
  readonly mode: 'managed' | 'customer';
  readonly keyArn: string;
}

export interface SecurityContact {
  readonly email: string;
  readonly name?: string;
}

export interface StatusChange {
  readonly reason: string;
  readonly legalBasis: string;
  readonly at: string;
}

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly vanityDomain?: string;
  readonly homeSite: SiteId;
  /** Other sites, in order, that may host the tenant's media when the home site cannot. */
  readonly allowedSites: readonly SiteId[];
  readonly tier: PlanTier;
  readonly status: TenantStatus;
  readonly idp: IdentityProvider;
  /** The tenant's own web app base URL; the site's (MEETPLANE_WEB_URL) when unset. Mailed and calendar links point there. */
  readonly webUrl?: string;
  readonly key: TenantKey;
  /** Whether participants' display names may reach the media plane. Off by default. */
  readonly displayNames: boolean;
  /**
   * Whether people invited by e-mail who are not users of the IdP may join as
   * guests (./guests.ts). Off unless a tenant admin turns it on.
   */
  readonly guests?: boolean;
  /** Personal data: stored only encrypted under the tenant's key. */
  readonly securityContacts: readonly SecurityContact[];
  readonly suspension?: StatusChange;
  /** Retention periods the tenant chose (days); unset classes keep the defaults. */
  readonly retention?: Partial<RetentionPolicy>;
  /** The tenant's pseudonym key, wrapped by its KMS key (base64); see lambdas/keys/pseudonyms.ts. */
  readonly pseudonymKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export const DEFAULT_ROLES_CLAIM = 'roles';

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** Parses an If-Match value made by etagOf; undefined when it is not one of ours. */
export function versionFromEtag(ifMatch: string): number | undefined {
  const match = /^(?:W\/)?"v(\d{1,12})"$/.exec(ifMatch.trim());
  return match ? Number(match[1]) : undefined;
}

export function checkAllowedSites(homeSite: SiteId, allowedSites: readonly SiteId[]): void {
  if (allowedSites.includes(homeSite))
    throw invalid('allowedSites', `the home site ${homeSite} is implied and must not be listed`);
  if (new Set(allowedSites).size !== allowedSites.length) throw invalid('allowedSites', 'lists a site twice');
}

export function directoryEntryOf(tenant: Tenant): DirectoryEntry {
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    ...(tenant.vanityDomain !== undefined && { vanityDomain: tenant.vanityDomain }),
    homeSite: tenant.homeSite,
    allowedSites: [...tenant.allowedSites],
    issuer: tenant.idp.issuer,
    // What a browser needs to sign in (nothing personal): with a web client only.
    ...(tenant.idp.webClientId !== undefined && { webClientId: tenant.idp.webClientId, audience: tenant.idp.audience }),
    ...(tenant.webUrl !== undefined && { webUrl: tenant.webUrl }),
    status: tenant.status,
  };
}

/** Why a tenant's web app URL is not acceptable on this stage, or undefined: a deployed site links only to https. */
export function webUrlProblem(url: string, stage: 'local' | 'aws'): string | undefined {
  return stage === 'aws' && !url.startsWith('https://') ? 'must use https' : undefined;
}

export function suspend(tenant: Tenant, change: StatusChange): Tenant {
  if (tenant.status !== 'active') throw conflict(`the tenant is ${tenant.status}, not active`);
  return { ...tenant, status: 'suspended', suspension: change };
}

export function reinstate(tenant: Tenant): Tenant {
  if (tenant.status !== 'suspended') throw conflict(`the tenant is ${tenant.status}, not suspended`);
  const { suspension: _dropped, ...rest } = tenant;
  return { ...rest, status: 'active' };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a JWKS address is not acceptable as it is spelled, or undefined when it
 * is: a deployed site fetches keys only over https and never from an IP
 * literal that is not public; the local stack may use plain http, but only on
 * loopback. A name is resolved and checked by the outbound policy, when it is
 * set and at every fetch.
 */
export function jwksUriProblem(uri: string, stage: 'local' | 'aws'): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol === 'https:') return stage === 'aws' ? literalHostProblem(url.hostname, false) : undefined;
  if (url.protocol === 'http:' && stage === 'local' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return stage === 'local' ? 'must use https, or http on a loopback address' : 'must use https';
}
