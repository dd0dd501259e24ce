import {
  endPlan,
  inSession,
  isHostVisit,
  removeFromPlan,
  type Breakout,
  type BreakoutPlan,
  type ClusterEffect,
  type RoomEffect,
  type Transition,
} from './breakouts.js';
import type { LiveState } from './live-meeting.js';
import type { EncryptionMode } from './meeting.js';

/**
 * A meeting is all its rooms: the main room and every open breakout. What a
 * host does to a person or to the meeting reaches each of them.
 */
export const EPOCH_TOPIC = 'meetplane.epoch';

/**
 * The node a room of the meeting is on: a breakout's is the plan's (older
 * plans name none: the main room's), the main room's is where it is pinned.
 */
export function clusterOfRoom(live: LiveState, plan: BreakoutPlan | undefined, roomName: string): string | undefined {
  const breakout = plan?.rooms.some((r) => r.roomName === roomName);
  return breakout ? (plan?.clusterId ?? live.clusterId) : live.clusterId;
}

/** Every LiveKit room of the meeting that exists now. */
export function roomsOf(live: LiveState, plan: BreakoutPlan | undefined): string[] {
  const breakouts = plan && plan.state !== 'closed' ? plan.rooms.flatMap((r) => (r.roomName ? [r.roomName] : [])) : [];
  return [...(live.roomName ? [live.roomName] : []), ...breakouts];
}

/**
 * A removal, once recorded (admission revoked, new epoch begun): the person is
 * disconnected wherever they are and taken out of the plan, and every room
 * learns of the new epoch, so each scope they could read is keyed anew. The
 * announcement carries the epoch only; keys never travel over the media plane.
 */
export function removalEffects(
  live: LiveState,
  plan: BreakoutPlan | undefined,
  participantId: string,
  epoch: number,
): { plan?: Transition['plan']; effects: RoomEffect[] } {
  const fromPlan = plan ? removeFromPlan(plan, participantId) : undefined;
  const effects: RoomEffect[] = [
    ...(live.roomName ? [{ kind: 'disconnect' as const, roomName: live.roomName, participantId }] : []),
    ...(fromPlan?.effects ?? []),
    ...roomsOf(live, plan).map((roomName) => ({
      kind: 'announce' as const,
      roomName,
      topic: EPOCH_TOPIC,
      payload: { epoch, rekey: true },
    })),
  ];
  return { ...(fromPlan && fromPlan.plan !== plan && { plan: fromPlan.plan }), effects };
}

/** Ending the meeting: the main room and every breakout room go. */
export function endEffects(
  live: LiveState,
  plan: BreakoutPlan | undefined,
): { plan?: Transition['plan']; effects: RoomEffect[] } {
  const ended = endPlan(plan);
  const effects: RoomEffect[] = [
    ...(live.roomName ? [{ kind: 'delete-room' as const, roomName: live.roomName }] : []),
    ...(ended?.effects ?? []),
  ];
  return { ...(ended && { plan: ended.plan }), effects };
}

/** A participant's session in one of the meeting's rooms, as a LiveKit webhook reports its start or end. */
export interface RoomSession {
  readonly roomName: string;
  /** The breakout the room was opened for (from the room index, whatever plan is current); absent for a main room. */
  readonly breakoutId?: string;
  readonly participantId: string;
  /** Set by the participant's token only: nobody may change their own. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** The breakout of the current plan a room was opened for, while the plan is in session. */
function currentBreakout(plan: BreakoutPlan | undefined, session: RoomSession, now: Date): Breakout | undefined {
  if (!plan || !inSession(plan, now)) return undefined;
  return plan.rooms.find((r) => r.id === session.breakoutId && r.roomName === session.roomName);
}

/**
 * Someone LiveKit let into a room of the meeting. A token cannot be revoked
 * and stays good for connecting for minutes, so a token minted before a
 * change must not outlast it:
 * - in a meeting that has ended, the room goes;
 * - whoever was removed is put out again, from any room;
 * - a breakout room that no plan in session names (closed, or of an older
 *   plan) goes: nobody belongs there;
 * - in a breakout, whoever the plan does not put there now (moved out, or
 *   never in it) is put out, unless a host visits (visibly, with a visit token).
 * The main room takes anyone not removed: it is where everyone returns.
 */
export function arrivalEffects(
  live: LiveState,
  plan: BreakoutPlan | undefined,
  arrival: RoomSession,
  now: Date,
): ClusterEffect[] {
  const { roomName, participantId } = arrival;
  if (live.ended) return [{ kind: 'delete-room', roomName }];
  const putOut: ClusterEffect[] = [{ kind: 'disconnect', roomName, participantId }];
  if (live.removed.includes(participantId)) return putOut;
  if (arrival.breakoutId === undefined) return [];
  const breakout = currentBreakout(plan, arrival, now);
  if (!breakout) return [{ kind: 'delete-room', roomName }];
  if (breakout.members.includes(participantId) || isHostVisit(arrival.attributes)) return [];
  return putOut;
}

/** Where a leave in an end-to-end meeting starts a new epoch: the room left, and its breakout if it is one. */
export interface LeaveRekey {
  readonly roomName: string;
  readonly breakoutId?: string;
}

/**
 * In an end-to-end meeting, whoever leaves a room must not read what is said
 * there next, so a new epoch starts:
 * - on any leave of the main room (as before breakouts existed);
 * - on a participant's leave of a breakout in session, once they have no
 *   other session open in that room (a reconnect is not a leave), unless they
 *   were removed (the removal began a new epoch everywhere) or were a host
 *   visiting (hosts may read every breakout's key anyway).
 * `sessions` are the meeting's sessions as recorded, the ended one included.
 */
export function leaveRekey(
  mode: EncryptionMode,
  live: LiveState,
  plan: BreakoutPlan | undefined,
  departure: RoomSession,
  sessions: readonly { participantId: string; room: string; joinedAt?: string; leftAt?: string }[],
  now: Date,
): LeaveRekey | undefined {
  if (mode !== 'e2ee' || live.ended) return undefined;
  const { roomName, participantId } = departure;
  if (departure.breakoutId === undefined) return live.roomName === roomName ? { roomName } : undefined;
  const breakout = currentBreakout(plan, departure, now);
  if (!breakout || live.removed.includes(participantId) || isHostVisit(departure.attributes)) return undefined;
  const stillThere = sessions.some(
    (s) => s.participantId === participantId && s.room === roomName && s.joinedAt !== undefined && s.leftAt === undefined,
  );
  return stillThere ? undefined : { roomName, breakoutId: breakout.id };
}

/**
 * How a new epoch begun by a leave is announced, by data message carrying the
 * epoch only (never a key): in the room left, to everyone there; for a
 * breakout also in the main room, to the meeting's hosts alone, naming the
 * breakout, since the host's client seals each scope's keys and is rarely in
 * the breakout itself.
 */
export function leaveAnnouncements(rekey: LeaveRekey, live: LiveState, epoch: number, hosts: readonly string[]): ClusterEffect[] {
  const payload = { epoch, rekey: true };
  const inRoom: ClusterEffect = { kind: 'announce', roomName: rekey.roomName, topic: EPOCH_TOPIC, payload };
  if (rekey.breakoutId === undefined || !live.roomName || hosts.length === 0) return [inRoom];
  return [
    inRoom,
    {
      kind: 'announce',
      roomName: live.roomName,
      topic: EPOCH_TOPIC,
      payload: { ...payload, breakoutId: rekey.breakoutId },
      to: [...hosts],
    },
  ];
}
