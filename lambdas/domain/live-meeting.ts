import type { PlanTier } from '../../config/tiers.js';
import { mediaRole, type Admission } from './admission.js';
import { conflict, notFound } from './errors.js';
import type { Meeting } from './meeting.js';

/**
 * The live state of a meeting, kept on the meeting's own record so that a
 * warm join reads one item: where its media is, whether it is locked or ended,
 * who was removed, and the current key epoch.
 */
export interface LiveState {
  readonly clusterId?: string;
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
  /**
   * Someone who came in through a guest link (./guests.ts) rather than the
   * tenant's IdP: for one meeting only, always through the waiting room,
   * never a host.
   */
  readonly guest?: true;
}

export type JoinRole = 'host' | 'participant';

export { roleIn } from './admission.js';

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
 * Whether a participant may fetch a standard-mode epoch's key: who may hold
 * media at all (see ./admission.ts), for an epoch that has begun.
 */
export function checkMayHoldKey(
  meeting: Omit<Meeting, 'title' | 'description' | 'invitees'>,
  live: LiveState,
  joiner: Joiner,
  admission: Admission | undefined,
  epoch: number,
): JoinRole {
  const role = mediaRole(meeting, live, joiner, admission);
  if (epoch > live.epoch) throw notFound('This epoch has not started');
  if (meeting.encryption === 'e2ee') throw conflict('in an end-to-end meeting keys travel only as envelopes from the host');
  return role;
}
