import { removeFromPlan, endPlan, type BreakoutPlan, type NodeEffect, type RoomEffect, type Transition } from './breakouts.js';
import type { LiveState } from './live-meeting.js';

/**
 * A meeting is all its rooms: the main room and every open breakout. What a
 * host does to a person or to the meeting reaches each of them.
 */
export const EPOCH_TOPIC = 'meetplane.epoch';

/**
 * The node a room of the meeting is on: a breakout's is the plan's (older
 * plans name none: the main room's), the main room's is where it is pinned.
 */
export function nodeOfRoom(live: LiveState, plan: BreakoutPlan | undefined, roomName: string): string | undefined {
  const breakout = plan?.rooms.some((r) => r.roomName === roomName);
  return breakout ? (plan?.nodeId ?? live.nodeId) : live.nodeId;
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

/**
 * Someone LiveKit let into a room of the meeting. A token cannot be revoked
 * and stays good for connecting for minutes, so whoever was removed and comes
 * back with one minted before is put out again at once; so is anyone in a
 * room of a meeting that has ended.
 */
export function arrivalEffects(live: LiveState, roomName: string, participantId: string): NodeEffect[] {
  if (live.ended) return [{ kind: 'delete-room', roomName }];
  if (live.removed.includes(participantId)) return [{ kind: 'disconnect', roomName, participantId }];
  return [];
}
