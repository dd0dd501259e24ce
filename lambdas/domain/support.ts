import { forbidden, invalid } from './errors.js';

/**
 * Support access only with consent: a tenant admin grants access for one
 * ticket, a scope and a time, and says whether support staff outside the EU
 * may see it. Operator support routes refuse anything a live grant does not cover.
 */
export const SUPPORT_SCOPES = ['settings:read', 'meetings:read'] as const;
export type SupportScope = (typeof SUPPORT_SCOPES)[number];

export interface SupportGrant {
  readonly id: string;
  readonly ticketId: string;
  readonly scopes: readonly SupportScope[];
  readonly expiresAt: string;
  readonly allowOutsideEu: boolean;
  readonly createdAt: string;
  readonly revoked: boolean;
}

export const MAX_GRANT_DAYS = 30;

export function checkGrantRequest(expiresAt: string, now: Date): void {
  const expiry = Date.parse(expiresAt);
  if (Number.isNaN(expiry)) throw invalid('expiresAt', 'is not a date and time');
  if (expiry <= now.getTime()) throw invalid('expiresAt', 'lies in the past');
  if (expiry > now.getTime() + MAX_GRANT_DAYS * 86_400_000)
    throw invalid('expiresAt', `may lie at most ${MAX_GRANT_DAYS} days ahead`);
}

export type SupportLocation = 'eu' | 'outside-eu';

/** The grant that lets this ticket's support read this scope now, or a refusal that says why. */
export function authoriseSupport(
  grants: readonly SupportGrant[],
  ticketId: string,
  scope: SupportScope,
  location: SupportLocation,
  now: Date,
): SupportGrant {
  const live = grants.filter(
    (g) => g.ticketId === ticketId && !g.revoked && Date.parse(g.expiresAt) > now.getTime() && g.scopes.includes(scope),
  );
  if (live.length === 0) throw forbidden('the tenant has granted no live access for this ticket and scope');
  const allowed = live.find((g) => location === 'eu' || g.allowOutsideEu);
  if (!allowed) throw forbidden('the tenant allows this ticket to be seen only by support staff in the EU');
  return allowed;
}
