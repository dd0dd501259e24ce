import { randomInt } from 'node:crypto';
import { conflict, invalid } from './errors.js';

/**
 * Breakout rooms of a meeting. A plan names its rooms and who is in each; it
 * is drafted in advance or live, opened (each room a LiveKit room of its own
 * on the main room's node), changed while open by moving people, and closed,
 * which sends everyone back to the main room, after a countdown if one is set.
 */
export interface Breakout {
  readonly id: string;
  readonly name: string;
  /** Per-meeting participant pseudonyms. */
  readonly members: readonly string[];
  /** The LiveKit room, once opened. */
  readonly roomName?: string;
}

export type BreakoutState = 'draft' | 'open' | 'closing' | 'closed';

export interface BreakoutPlan {
  readonly state: BreakoutState;
  readonly rooms: readonly Breakout[];
  /** Participants may pick their room themselves. */
  readonly selfSelect: boolean;
  /** Closing with a countdown: when everyone returns. */
  readonly returnAt?: string;
  /**
   * The media node its rooms are on, from the opening (the main room's then).
   * They stay there when LiveKit closes an emptied main room and the next
   * join places a new one.
   */
  readonly clusterId?: string;
  readonly version: number;
}

export type SplitMode = 'even' | 'random' | 'choice';

export interface NamedRooms {
  readonly rooms: readonly { readonly name: string; readonly participants: readonly string[] }[];
}

export interface Split {
  readonly split: { readonly count: number; readonly mode: SplitMode };
}

const MAX_ROOMS = 50;

/**
 * A plan from named rooms with assignments, or from "split N ways". Everyone
 * named must be in the meeting, nobody twice, no two rooms of one name, and
 * no more rooms than participants.
 */
export function planBreakouts(
  request: NamedRooms | Split,
  inMeeting: readonly string[],
  newId: () => string,
  maxRooms = MAX_ROOMS,
): BreakoutPlan {
  const present = new Set(inMeeting);
  if ('split' in request) {
    const { count, mode } = request.split;
    if (count < 1 || count > maxRooms) throw invalid('split.count', `must be from 1 to ${maxRooms}`);
    if (count > inMeeting.length)
      throw invalid('split.count', `is more rooms than the ${inMeeting.length} participants in the meeting`);
    const order = mode === 'random' ? shuffle([...inMeeting]) : [...inMeeting].sort();
    const rooms = Array.from({ length: count }, (_, i) => ({ id: newId(), name: `Room ${i + 1}`, members: [] as string[] }));
    if (mode !== 'choice') order.forEach((participant, i) => rooms[i % count]!.members.push(participant));
    return { state: 'draft', rooms, selfSelect: mode === 'choice', version: 1 };
  }
  if (request.rooms.length < 1 || request.rooms.length > maxRooms)
    throw invalid('rooms', `must name from 1 to ${maxRooms} rooms`);
  const names = new Set<string>();
  const assigned = new Set<string>();
  request.rooms.forEach((room, i) => {
    const key = room.name.trim().toLowerCase();
    if (names.has(key)) throw conflict(`two rooms are named "${room.name}"`, `rooms.${i}.name`);
    names.add(key);
    room.participants.forEach((p, j) => {
      if (!present.has(p)) throw invalid(`rooms.${i}.participants.${j}`, 'is not a participant of this meeting');
      if (assigned.has(p)) throw invalid(`rooms.${i}.participants.${j}`, 'is assigned to two rooms');
      assigned.add(p);
    });
  });
  if (request.rooms.length > inMeeting.length)
    throw invalid('rooms', `is more rooms than the ${inMeeting.length} participants in the meeting`);
  return {
    state: 'draft',
    rooms: request.rooms.map((room) => ({ id: newId(), name: room.name.trim(), members: [...room.participants] })),
    selfSelect: false,
    version: 1,
  };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** What a transition asks of the media plane, carried out in order by the caller. */
export type RoomEffect =
  | { readonly kind: 'create-room'; readonly breakoutId: string; readonly roomName: string }
  | { readonly kind: 'delete-room'; readonly roomName: string }
  | { readonly kind: 'disconnect'; readonly roomName: string; readonly participantId: string }
  | {
      readonly kind: 'announce';
      readonly roomName: string;
      readonly topic: string;
      readonly payload: unknown;
      /** Only these participants of the room hear it; everyone when absent. */
      readonly to?: readonly string[];
    };

/** Effects a node carries out by itself, needing nothing of the tenant. */
export type ClusterEffect = Exclude<RoomEffect, { readonly kind: 'create-room' }>;

export interface Transition {
  readonly plan: BreakoutPlan;
  readonly effects: readonly RoomEffect[];
}

export const BREAKOUTS_TOPIC = 'meetplane.breakouts';

/**
 * What a host's visit token carries: everyone in the breakout sees the host is
 * there, and LiveKit's webhooks tell the visit from someone who does not
 * belong. Attributes come from the token alone (no participant may change
 * their own), and a token is good for one room, so a participant carrying
 * this in a breakout room was let in there by the visit route, as a host.
 */
export const VISITOR_ATTRIBUTES: Readonly<Record<string, string>> = { 'meetplane.role': 'host' };

export function isHostVisit(attributes: Readonly<Record<string, string>> | undefined): boolean {
  return attributes !== undefined && Object.entries(VISITOR_ATTRIBUTES).every(([k, v]) => attributes[k] === v);
}

const openRooms = (plan: BreakoutPlan) => plan.rooms.filter((r): r is Breakout & { roomName: string } => !!r.roomName);
const deleteAll = (plan: BreakoutPlan): RoomEffect[] =>
  openRooms(plan).map((r) => ({ kind: 'delete-room', roomName: r.roomName }));

/**
 * Opens a drafted plan: each breakout gets a room of its own, named like any
 * room (opaque, no metadata), on the node the main room is on.
 */
export function openPlan(plan: BreakoutPlan | undefined, newRoomName: () => string, clusterId: string): Transition {
  if (!plan || plan.state !== 'draft') throw conflict('there is no drafted plan to open');
  const rooms = plan.rooms.map((r) => ({ ...r, roomName: newRoomName() }));
  return {
    plan: { ...plan, state: 'open', rooms, clusterId, version: plan.version + 1 },
    effects: rooms.map((r) => ({ kind: 'create-room', breakoutId: r.id, roomName: r.roomName })),
  };
}

/** Closes open breakouts: at once (their rooms go), or after a countdown announced in every breakout. */
export function closePlan(plan: BreakoutPlan | undefined, now: Date, countdownSeconds: number): Transition {
  if (!plan || plan.state !== 'open') throw conflict('there are no open breakouts');
  if (countdownSeconds > 0) {
    const returnAt = new Date(now.getTime() + countdownSeconds * 1000).toISOString();
    return {
      plan: { ...plan, state: 'closing', returnAt, version: plan.version + 1 },
      effects: openRooms(plan).map((r) => ({
        kind: 'announce',
        roomName: r.roomName,
        topic: BREAKOUTS_TOPIC,
        payload: { closing: true, returnAt },
      })),
    };
  }
  return { plan: { ...plan, state: 'closed', version: plan.version + 1 }, effects: deleteAll(plan) };
}

/** A plan whose countdown has run out closes on first sight: everyone is back in the main room and the rooms go. */
export function expirePlan(plan: BreakoutPlan | undefined, now: Date): Transition | undefined {
  if (plan?.state !== 'closing' || inSession(plan, now)) return undefined;
  return { plan: { ...plan, state: 'closed', version: plan.version + 1 }, effects: deleteAll(plan) };
}

/** Ending the meeting ends its breakouts: every breakout room goes with the main room. */
export function endPlan(plan: BreakoutPlan | undefined): Transition | undefined {
  if (!plan || plan.state === 'closed' || plan.state === 'draft') return undefined;
  return { plan: { ...plan, state: 'closed', version: plan.version + 1 }, effects: deleteAll(plan) };
}

/**
 * Moves a participant into an open room (out of any other). They are
 * disconnected from the room they were in, a breakout or the main room, so
 * that nobody sits in a room the plan no longer puts them in; their client
 * then asks where it belongs. Someone placed in a breakout may not have gone
 * there yet, so a move out of a breakout disconnects them from the main room
 * too (LiveKit answers at once for someone who is not there).
 */
export function moveParticipant(
  plan: BreakoutPlan,
  participantId: string,
  toBreakoutId: string,
  inMeeting: readonly string[],
  mainRoom?: string,
): Transition {
  if (plan.state !== 'open') throw conflict(`breakouts are ${plan.state}; people move only while they are open`);
  if (!inMeeting.includes(participantId)) throw invalid('participantId', 'is not a participant of this meeting');
  if (!plan.rooms.some((r) => r.id === toBreakoutId)) throw invalid('to', 'is not a breakout of this meeting');
  const from = breakoutOf(plan, participantId);
  const moved: BreakoutPlan = {
    ...plan,
    rooms: plan.rooms.map((r) => ({
      ...r,
      members: r.id === toBreakoutId ? [...new Set([...r.members, participantId])] : r.members.filter((m) => m !== participantId),
    })),
    version: plan.version + 1,
  };
  if (from?.id === toBreakoutId) return { plan: moved, effects: [] };
  const oldRooms = [...new Set([from?.roomName, mainRoom].filter((r): r is string => r !== undefined))];
  return { plan: moved, effects: oldRooms.map((roomName) => ({ kind: 'disconnect', roomName, participantId })) };
}

/** Takes a participant out of every breakout, disconnecting them from the one they are in. */
export function removeFromPlan(plan: BreakoutPlan, participantId: string): Transition {
  const from = breakoutOf(plan, participantId);
  if (!from) return { plan, effects: [] };
  const without: BreakoutPlan = {
    ...plan,
    rooms: plan.rooms.map((r) => ({ ...r, members: r.members.filter((m) => m !== participantId) })),
    version: plan.version + 1,
  };
  return {
    plan: without,
    effects: from.roomName ? [{ kind: 'disconnect', roomName: from.roomName, participantId }] : [],
  };
}

export function breakoutOf(plan: BreakoutPlan, participantId: string): Breakout | undefined {
  return plan.rooms.find((r) => r.members.includes(participantId));
}

/** Whether a participant belongs in a breakout right now (open, or closing before its countdown ends). */
export function inSession(plan: BreakoutPlan, now: Date): boolean {
  return plan.state === 'open' || (plan.state === 'closing' && plan.returnAt !== undefined && now < new Date(plan.returnAt));
}
