import type { PlanTier } from '../../config/tiers.js';
import { conflict, forbidden, notFound } from './errors.js';
import type { Meeting } from './meeting.js';

/**
 * The live state of a meeting, kept on the meeting's own record so that a
 * warm join reads one item: where its media is, whether it is locked or ended,
 * who was removed, and the current key epoch.
 */
export interface LiveState {
  readonly nodeId?: string;
  readonly roomName?: string;
  readonly locked: boolean;
  readonly ended: boolean;
  /** Per-meeting pseudonyms of removed participants; they get no new token. */
  readonly removed: readonly string[];
  readonly epoch: number;
}

export const IDLE: LiveState = { locked: false, ended: false, removed: [], epoch: 0 };

export interface Joiner {
  readonly userRef: string;
  readonly emailRef?: string;
  readonly participantId: string;
  readonly admin: boolean;
  readonly host: boolean;
}

export type JoinRole = 'host' | 'participant';

/** Admins and the meeting's host run it; everyone else joins as a participant. */
export function roleIn(meeting: Pick<Meeting, 'hostRef'>, joiner: Joiner): JoinRole {
  return joiner.admin || meeting.hostRef === joiner.userRef ? 'host' : 'participant';
}

/**
 * An admin entering a meeting that invites others but neither them nor their
 * host role: a moderator, who may come in only visibly (named as such to
 * everyone, announced, audited) and never into an end-to-end meeting.
 */
export function isModeratorEntry(meeting: Pick<Meeting, 'hostRef' | 'inviteeRefs'>, joiner: Joiner): boolean {
  if (!joiner.admin || meeting.hostRef === joiner.userRef || meeting.inviteeRefs.length === 0) return false;
  return joiner.emailRef === undefined || !meeting.inviteeRefs.includes(joiner.emailRef);
}

/** What a moderator is called in the room, whatever the tenant's display-name setting. */
export const MODERATOR_NAME = 'Moderator';
export const MODERATOR_ATTRIBUTES: Readonly<Record<string, string>> = { 'meetplane.role': 'moderator' };
export const MODERATOR_TOPIC = 'meetplane.moderator';

/**
 * Whether this user may join at all. A meeting with invitees admits only
 * them (and its hosts); one without is open to the whole tenant. Someone who
 * may not join cannot tell the meeting exists.
 */
export function checkMayJoin(
  meeting: Omit<Meeting, 'title' | 'description' | 'invitees'>,
  live: LiveState,
  joiner: Joiner,
): JoinRole {
  const role = roleIn(meeting, joiner);
  const invited =
    meeting.inviteeRefs.length === 0 || (joiner.emailRef !== undefined && meeting.inviteeRefs.includes(joiner.emailRef));
  if (role !== 'host' && !invited) throw notFound('No such meeting');
  if (meeting.status === 'cancelled') throw conflict('the meeting is cancelled');
  if (live.ended) throw conflict('the meeting has ended');
  if (live.removed.includes(joiner.participantId)) throw forbidden('you were removed from this meeting');
  if (live.locked && role !== 'host') throw forbidden('the meeting is locked');
  return role;
}

export interface RoomSettings {
  readonly emptyTimeoutSeconds: number;
  readonly departureTimeoutSeconds: number;
  readonly maxParticipants: number;
}

export function roomSettings(tier: PlanTier, maxParticipants: number): RoomSettings {
  return { emptyTimeoutSeconds: tier === 'free' ? 120 : 300, departureTimeoutSeconds: 20, maxParticipants };
}

/** At most this many wrong passcodes per user and meeting in a window, then 429-like refusal. */
export const PASSCODE_ATTEMPTS = 5;
export const PASSCODE_WINDOW_SECONDS = 15 * 60;

/**
 * Whether a participant may fetch an epoch's key: as for joining, except that
 * a lock does not shut out those already inside, who need each new key.
 */
export function checkMayHoldKey(
  meeting: Omit<Meeting, 'title' | 'description' | 'invitees'>,
  live: LiveState,
  joiner: Joiner,
  epoch: number,
): JoinRole {
  const role = checkMayJoin(meeting, { ...live, locked: false }, joiner);
  if (epoch > live.epoch) throw notFound('This epoch has not started');
  if (meeting.encryption === 'e2ee') throw conflict('in an end-to-end meeting keys travel only as envelopes from the host');
  return role;
}
