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

/** Moves a participant into an open room (out of any other). */
export function moveParticipant(
  plan: BreakoutPlan,
  participantId: string,
  toBreakoutId: string,
  inMeeting: readonly string[],
): BreakoutPlan {
  if (plan.state !== 'open') throw conflict(`breakouts are ${plan.state}; people move only while they are open`);
  if (!inMeeting.includes(participantId)) throw invalid('participantId', 'is not a participant of this meeting');
  if (!plan.rooms.some((r) => r.id === toBreakoutId)) throw invalid('to', 'is not a breakout of this meeting');
  return {
    ...plan,
    rooms: plan.rooms.map((r) => ({
      ...r,
      members: r.id === toBreakoutId ? [...new Set([...r.members, participantId])] : r.members.filter((m) => m !== participantId),
    })),
    version: plan.version + 1,
  };
}

export function breakoutOf(plan: BreakoutPlan, participantId: string): Breakout | undefined {
  return plan.rooms.find((r) => r.members.includes(participantId));
}

/** Whether a participant belongs in a breakout right now (open, or closing before its countdown ends). */
export function inSession(plan: BreakoutPlan, now: Date): boolean {
  return plan.state === 'open' || (plan.state === 'closing' && plan.returnAt !== undefined && now < new Date(plan.returnAt));
}
