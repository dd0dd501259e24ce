import type { DeviceRegistration } from '../../media/e2ee/envelope-schema.js';
import { forbidden, invalid, notFound } from './errors.js';
import type { Joiner, JoinRole, LiveState } from './live-meeting.js';
import type { Meeting } from './meeting.js';

/**
 * The server side of end-to-end meetings: which devices a host's client seals
 * each epoch's key to, who may do that sealing, and when a device stops
 * getting keys. The server never sees a key; what it decides is only who is
 * on the list.
 */

/** A device a participant joined an end-to-end meeting with: while bound, the host's client seals keys to it. */
export interface DeviceBinding {
  readonly participantId: string;
  readonly registration: DeviceRegistration;
  /** The role the join granted: hosts hold media by role, everyone else by their admission. */
  readonly role: JoinRole;
  /** When the join bound it (ms since the epoch, the control plane's clock). */
  readonly boundAt: number;
}

/** One LiveKit session of a participant in one of the meeting's rooms, as the webhooks recorded it. */
export interface SessionRecord {
  readonly participantId: string;
  readonly joinedAt?: string;
  readonly leftAt?: string;
}

/**
 * Who runs the keys of an end-to-end meeting: the user who hosts it, and
 * nobody else. A tenant admin moderates any meeting (lock, remove, end) but
 * does not choose whose devices get the key nor hand out envelopes: that
 * would let an admin add a device of their own to a meeting they are not in.
 */
export function runsKeys(meeting: Pick<Meeting, 'hostRef'>, joiner: Pick<Joiner, 'userRef'>): boolean {
  return meeting.hostRef === joiner.userRef;
}

export function checkRunsKeys(meeting: Pick<Meeting, 'hostRef'>, joiner: Pick<Joiner, 'userRef'>): void {
  if (!runsKeys(meeting, joiner)) throw forbidden("only the meeting's host runs its end-to-end keys");
}

/**
 * Whether a bound device gets keys now: its participant was not removed and
 * holds media — a host by the role their join granted, anyone else by an
 * admission that still stands. (Presence is the binding itself: a join binds,
 * the last leave and a removal unbind.)
 */
export function receivesKeys(binding: DeviceBinding, live: Pick<LiveState, 'removed'>, admitted: ReadonlySet<string>): boolean {
  if (live.removed.includes(binding.participantId)) return false;
  return binding.role === 'host' || admitted.has(binding.participantId);
}

/** The devices the host's client seals the next key to: bound, admitted, present and not removed. */
export function keyRecipients(
  bindings: readonly DeviceBinding[],
  live: Pick<LiveState, 'removed'>,
  admitted: ReadonlySet<string>,
): DeviceBinding[] {
  return bindings.filter((b) => receivesKeys(b, live, admitted));
}

/**
 * Checks an upload against the recipients: every envelope is for a device
 * that receives keys now, and comes from one device of the host's that is
 * itself bound to the meeting (so participants can fetch its registration to
 * verify the envelope). Errors name the envelope's field.
 */
export function checkEnvelopeRecipients(
  envelopes: readonly { readonly recipientDeviceId: string; readonly senderDeviceId: string }[],
  recipients: readonly DeviceBinding[],
  hostDevices: ReadonlySet<string>,
): void {
  const receiving = new Set(recipients.map((r) => r.registration.deviceId));
  const sender = envelopes[0]?.senderDeviceId;
  envelopes.forEach((e, i) => {
    if (e.senderDeviceId !== sender)
      throw invalid(`envelopes.${i}.senderDeviceId`, 'every envelope of an upload has the same sender');
    if (!receiving.has(e.recipientDeviceId))
      throw invalid(
        `envelopes.${i}.recipientDeviceId`,
        'is not a device bound to this meeting: its participant left, was removed or is not admitted',
      );
  });
  if (sender !== undefined && !hostDevices.has(sender))
    throw invalid('envelopes.0.senderDeviceId', 'is not a device the host joined this meeting with');
}

/**
 * The binding a participant fetches with: their own, for the device they
 * name, and only while it receives keys. Anything else is "no envelope".
 */
export function ownBinding(
  bindings: readonly DeviceBinding[],
  participantId: string,
  deviceId: string,
  live: Pick<LiveState, 'removed'>,
  admitted: ReadonlySet<string>,
): DeviceBinding {
  const bound = bindings.find((b) => b.participantId === participantId);
  if (!bound || bound.registration.deviceId !== deviceId || !receivesKeys(bound, live, admitted))
    throw notFound('No envelope for this device');
  return bound;
}

/**
 * Whether a placement (`…/breakouts/mine`, which hands out a token for the
 * main room or a breakout) binds the device the participant names: when they
 * have no binding (leaving one room before entering the next unbinds it),
 * another device's, or one of another role. A binding of this very device
 * stands as it is, so that asking every few seconds writes nothing.
 */
export function placementBinds(bound: DeviceBinding | undefined, deviceId: string, role: JoinRole): boolean {
  return !bound || bound.registration.deviceId !== deviceId || bound.role !== role;
}

/**
 * A device whose registration a participant may fetch to verify an envelope
 * (the sender's) or to compare fingerprints: one that is bound to the meeting
 * and receives keys. A device of someone who left is nobody's business.
 */
export function boundDevice(
  bindings: readonly DeviceBinding[],
  deviceId: string,
  live: Pick<LiveState, 'removed'>,
  admitted: ReadonlySet<string>,
): DeviceBinding {
  const bound = keyRecipients(bindings, live, admitted).find((b) => b.registration.deviceId === deviceId);
  if (!bound) throw notFound('No such device in this meeting');
  return bound;
}

/**
 * Clocks of the control plane (which stamps a binding) and of a LiveKit node
 * (which stamps a session's start) differ a little; a binding counts as newer
 * than a session only by more than this.
 */
export const CLOCK_SKEW_MS = 5_000;

/**
 * Whether a participant's leaving (LiveKit's `participant_left` or
 * `participant_connection_aborted` for one session in one of the meeting's
 * rooms, already recorded in `sessions`) unbinds their device:
 *
 * - not while another session of theirs in the meeting's rooms is still open
 *   (a reconnect, or a move to a breakout made before the old room was left);
 * - not a binding made after the ended session began: they joined again
 *   meanwhile, and this late event is about the old session.
 */
export function leaveUnbinds(
  binding: Pick<DeviceBinding, 'participantId' | 'boundAt'>,
  endedSessionStartedAtMs: number | undefined,
  sessions: readonly SessionRecord[],
): boolean {
  const open = sessions.some(
    (s) => s.participantId === binding.participantId && s.joinedAt !== undefined && s.leftAt === undefined,
  );
  if (open) return false;
  if (endedSessionStartedAtMs !== undefined && binding.boundAt > endedSessionStartedAtMs + CLOCK_SKEW_MS) return false;
  return true;
}
