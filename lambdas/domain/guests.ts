import { createHash, randomBytes } from 'node:crypto';
import { conflict, forbidden, gone, invalid, notFound } from './errors.js';
import type { LiveState } from './live-meeting.js';
import type { Meeting } from './meeting.js';

/**
 * Guests: people invited by e-mail who are not users of the tenant's IdP.
 *
 * An invitation carries, per invitee, a guest link: a random secret for one
 * meeting, stored only as its hash, which can be redeemed once before it
 * expires. Redeeming it yields a short-lived guest principal for that meeting
 * alone; the guest then goes through the same admission as anyone invited
 * (./admission.ts), always by way of the waiting room, and is shown to
 * everyone as a guest. A tenant admits guests only when it turned them on.
 */

/** What everyone in the room sees on a guest's participant. */
export const GUEST_ATTRIBUTES: Readonly<Record<string, string>> = { 'meetplane.role': 'guest' };

/** A guest principal lasts this long: one sitting of a meeting, not a standing account. */
export const GUEST_TOKEN_SECONDS = 2 * 3600;

/** A link stays valid this long after the meeting's last occurrence ends (late joiners, time zones). */
export const GUEST_LINK_GRACE_MS = 24 * 3600 * 1000;

/** After it expires, a link's record is kept this long (answering 410, not 404), then DynamoDB's TTL deletes it. */
export const GUEST_LINK_KEEP_AFTER_EXPIRY_MS = 24 * 3600 * 1000;

/**
 * A guest code names its tenant and meeting (so the home site finds the
 * record in the tenant's partition) and a 256-bit secret:
 * `tn_….mt_….<43 base64url characters>`.
 */
export const GUEST_CODE_PATTERN = /^(tn_[0-9a-f]{24})\.(mt_[0-9a-f]{24})\.([A-Za-z0-9_-]{43})$/;

export interface GuestCode {
  readonly tenantId: string;
  readonly meetingId: string;
  readonly secret: string;
}

/** A guest link as stored: the hash of its secret, never the secret; the invitee only by their address's pseudonym. */
export interface GuestLink {
  readonly meetingId: string;
  /** SHA-256 of the secret, base64url. */
  readonly hash: string;
  /** The invitee's address pseudonym (lambdas/keys/pseudonyms.ts). */
  readonly inviteeRef: string;
  readonly validUntil: string;
  readonly status: 'open' | 'redeemed';
  readonly createdAt: string;
  readonly redeemedAt?: string;
  /** Once redeemed: the guest's pseudonyms, so that a data-subject request of the invitee finds what the guest left. */
  readonly guestRef?: string;
  readonly guestParticipantId?: string;
}

export function formatGuestCode(code: GuestCode): string {
  return `${code.tenantId}.${code.meetingId}.${code.secret}`;
}

export function parseGuestCode(raw: string): GuestCode | undefined {
  const match = GUEST_CODE_PATTERN.exec(raw);
  return match ? { tenantId: match[1]!, meetingId: match[2]!, secret: match[3]! } : undefined;
}

export function guestSecretHash(secret: string): string {
  return createHash('sha256').update(`meetplane-guest-link\n${secret}`).digest('base64url');
}

/** When a new link for this meeting stops working: a day after the meeting's last occurrence ends, and never before a day from now. */
export function guestLinkValidUntil(meeting: Pick<Meeting, 'seriesEndsAt'>, now: Date): Date {
  const end = Math.max(Date.parse(meeting.seriesEndsAt), now.getTime());
  return new Date(end + GUEST_LINK_GRACE_MS);
}

/** A new link for one invitee: the code to mail (only there) and the record to store. */
export function newGuestLink(
  tenantId: string,
  meeting: Pick<Meeting, 'id' | 'seriesEndsAt'>,
  inviteeRef: string,
  now: Date,
  secret: string = randomBytes(32).toString('base64url'),
): { code: string; link: GuestLink } {
  return {
    code: formatGuestCode({ tenantId, meetingId: meeting.id, secret }),
    link: {
      meetingId: meeting.id,
      hash: guestSecretHash(secret),
      inviteeRef,
      validUntil: guestLinkValidUntil(meeting, now).toISOString(),
      status: 'open',
      createdAt: now.toISOString(),
    },
  };
}

/** The tenant's switch: guests are off unless an admin turned them on. */
export function checkGuestsAllowed(tenant: { readonly guests?: boolean }): void {
  if (tenant.guests !== true) throw forbidden('this organisation does not admit guests');
}

/**
 * Whether a link may be redeemed now. In this order, so that each answer
 * says only what the caller may know: the tenant admits guests (403); the
 * link and its meeting exist and the meeting still invites that address
 * (404); the meeting is neither cancelled nor over (409); the link was not
 * used (409) and has not expired (410).
 */
export function checkRedeemable(
  tenant: { readonly guests?: boolean },
  link: GuestLink | undefined,
  meeting: Pick<Meeting, 'status' | 'inviteeRefs'> | undefined,
  live: Pick<LiveState, 'ended'>,
  now: Date,
): GuestLink {
  checkGuestsAllowed(tenant);
  if (!link || !meeting || !meeting.inviteeRefs.includes(link.inviteeRef)) throw notFound('No such guest link');
  if (meeting.status === 'cancelled') throw conflict('the meeting is cancelled');
  if (live.ended) throw conflict('the meeting has ended');
  if (link.status === 'redeemed') throw conflict('this guest link was already used');
  if (Date.parse(link.validUntil) <= now.getTime()) throw gone('this guest link has expired');
  return link;
}

/** A guest's own identifier: random, meaningless outside this one meeting. */
export function newGuestId(): string {
  return `gs_${randomBytes(12).toString('hex')}`;
}

/** The name a guest asked to be shown by, kept only where the tenant shows names at all. */
export function guestDisplayName(tenant: { readonly displayNames: boolean }, asked: string | undefined): string | undefined {
  if (!tenant.displayNames || asked === undefined) return undefined;
  const name = asked.trim();
  if (name.length === 0) throw invalid('displayName', 'must not be blank');
  return name;
}
