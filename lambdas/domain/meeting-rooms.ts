import { removeFromPlan, endPlan, type BreakoutPlan, type RoomEffect, type Transition } from './breakouts.js';
import type { LiveState } from './live-meeting.js';

/**
 * A meeting is all its rooms: the main room and every open breakout. What a
 * host does to a person or to the meeting reaches each of them.
 */
export const EPOCH_TOPIC = 'meetplane.epoch';

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
