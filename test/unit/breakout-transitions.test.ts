import {
  closePlan,
  endPlan,
  expirePlan,
  moveParticipant,
  openPlan,
  planBreakouts,
  removeFromPlan,
  type BreakoutPlan,
} from '../../lambdas/domain/breakouts.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { IDLE, type LiveState } from '../../lambdas/domain/live-meeting.js';
import { arrivalEffects, endEffects, nodeOfRoom, removalEffects, roomsOf } from '../../lambdas/domain/meeting-rooms.js';

const people = ['p_a', 'p_b', 'p_c', 'p_d'];
let ids = 0;
let rooms = 0;
const newId = () => `br_${++ids}`;
const newRoom = () => `rm_${++rooms}`;
const now = new Date('2026-12-01T10:00:00Z');
const live: LiveState = { ...IDLE, nodeId: 'fra-1', roomName: 'rm_main', epoch: 3 };

function drafted(): BreakoutPlan {
  return planBreakouts(
    {
      rooms: [
        { name: 'Red', participants: ['p_a', 'p_b'] },
        { name: 'Blue', participants: ['p_c'] },
      ],
    },
    people,
    newId,
  );
}

const kindOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.kind;
    throw error;
  }
  return 'none';
};

describe('breakout transitions and the room effects they ask for', () => {
  it('opens a draft by creating one room per breakout, and only a draft', () => {
    const opened = openPlan(drafted(), newRoom, 'fra-1');
    expect(opened.plan.state).toBe('open');
    expect(opened.effects).toEqual(
      opened.plan.rooms.map((r) => ({ kind: 'create-room', breakoutId: r.id, roomName: r.roomName })),
    );
    expect(new Set(opened.plan.rooms.map((r) => r.roomName)).size).toBe(2);
    expect(kindOf(() => openPlan(opened.plan, newRoom, 'fra-1'))).toBe('conflict');
    expect(kindOf(() => openPlan(undefined, newRoom, 'fra-1'))).toBe('conflict');
  });

  it('closes at once by deleting every breakout room, or announces a countdown in each', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const closed = closePlan(plan, now, 0);
    expect(closed.plan.state).toBe('closed');
    expect(closed.effects).toEqual(plan.rooms.map((r) => ({ kind: 'delete-room', roomName: r.roomName })));

    const closing = closePlan(plan, now, 60);
    expect(closing.plan).toMatchObject({ state: 'closing', returnAt: '2026-12-01T10:01:00.000Z' });
    expect(closing.effects.map((e) => e.kind)).toEqual(['announce', 'announce']);
    expect(expirePlan(closing.plan, new Date('2026-12-01T10:00:30Z'))).toBeUndefined();
    const expired = expirePlan(closing.plan, new Date('2026-12-01T10:01:01Z'))!;
    expect(expired.plan.state).toBe('closed');
    expect(expired.effects.map((e) => e.kind)).toEqual(['delete-room', 'delete-room']);
    expect(kindOf(() => closePlan(closed.plan, now, 0))).toBe('conflict');
  });

  it('disconnects a moved participant from the room they were in: a breakout, or the main room', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const [red, blue] = plan.rooms as [BreakoutPlan['rooms'][number], BreakoutPlan['rooms'][number]];
    const fromRed = moveParticipant(plan, 'p_a', blue.id, people, 'rm_main');
    // Out of Red, and out of the main room, where someone placed in Red may still be.
    expect(fromRed.effects).toEqual([
      { kind: 'disconnect', roomName: red.roomName, participantId: 'p_a' },
      { kind: 'disconnect', roomName: 'rm_main', participantId: 'p_a' },
    ]);
    const fromMain = moveParticipant(plan, 'p_d', red.id, people, 'rm_main');
    expect(fromMain.effects).toEqual([{ kind: 'disconnect', roomName: 'rm_main', participantId: 'p_d' }]);
    expect(moveParticipant(plan, 'p_a', red.id, people, 'rm_main').effects).toEqual([]);
  });

  it('removes someone from every room: disconnected wherever they are, out of the plan, every room told of the new epoch', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const red = plan.rooms[0]!;
    const removal = removalEffects(live, plan, 'p_a', 4);
    expect(removal.plan!.rooms.flatMap((r) => r.members)).not.toContain('p_a');
    expect(removal.effects.filter((e) => e.kind === 'disconnect')).toEqual([
      { kind: 'disconnect', roomName: 'rm_main', participantId: 'p_a' },
      { kind: 'disconnect', roomName: red.roomName, participantId: 'p_a' },
    ]);
    const announced = removal.effects.filter((e) => e.kind === 'announce');
    expect(announced.map((e) => e.roomName).sort()).toEqual(roomsOf(live, plan).sort());
    expect(announced.every((e) => JSON.stringify(e.payload) === '{"epoch":4,"rekey":true}')).toBe(true);
    expect(removeFromPlan(plan, 'p_d').effects).toEqual([]);
    // No breakouts: the main room only.
    expect(removalEffects(live, undefined, 'p_a', 4).effects.map((e) => e.kind)).toEqual(['disconnect', 'announce']);
  });

  it('ends the meeting by deleting the main room and every breakout room', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const ending = endEffects(live, plan);
    expect(ending.plan?.state).toBe('closed');
    expect(ending.effects).toEqual([
      { kind: 'delete-room', roomName: 'rm_main' },
      ...plan.rooms.map((r) => ({ kind: 'delete-room', roomName: r.roomName })),
    ]);
    expect(endPlan(drafted())).toBeUndefined();
    expect(endEffects(live, undefined).effects).toEqual([{ kind: 'delete-room', roomName: 'rm_main' }]);
  });

  it('puts out again whoever was removed and comes back to any room with a token minted before, and anyone once it ended', () => {
    const removed: LiveState = { ...live, removed: ['p_a'], epoch: 4 };
    expect(arrivalEffects(removed, 'rm_red', 'p_a')).toEqual([{ kind: 'disconnect', roomName: 'rm_red', participantId: 'p_a' }]);
    expect(arrivalEffects(removed, 'rm_main', 'p_a')).toEqual([
      { kind: 'disconnect', roomName: 'rm_main', participantId: 'p_a' },
    ]);
    expect(arrivalEffects(removed, 'rm_red', 'p_b')).toEqual([]);
    expect(arrivalEffects({ ...removed, ended: true }, 'rm_red', 'p_b')).toEqual([{ kind: 'delete-room', roomName: 'rm_red' }]);
  });

  it('keeps breakout rooms on the node they opened on, even when the main room is unpinned or placed anew', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    expect(plan.nodeId).toBe('fra-1');
    const red = plan.rooms[0]!.roomName!;
    expect(nodeOfRoom(live, plan, red)).toBe('fra-1');
    expect(nodeOfRoom(IDLE, plan, red)).toBe('fra-1');
    const elsewhere: LiveState = { ...live, nodeId: 'ams-1', roomName: 'rm_new' };
    expect(nodeOfRoom(elsewhere, plan, red)).toBe('fra-1');
    expect(nodeOfRoom(elsewhere, plan, 'rm_new')).toBe('ams-1');
    // A plan opened before plans named their node: the main room's.
    const { nodeId: _, ...older } = plan;
    expect(nodeOfRoom(live, older, red)).toBe('fra-1');
  });
});
