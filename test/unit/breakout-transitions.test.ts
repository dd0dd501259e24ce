import {
  closePlan,
  endPlan,
  expirePlan,
  moveParticipant,
  openPlan,
  planBreakouts,
  removeFromPlan,
  VISITOR_ATTRIBUTES,
  type BreakoutPlan,
} from '../../lambdas/domain/breakouts.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { IDLE, type LiveState } from '../../lambdas/domain/live-meeting.js';
import {
  arrivalEffects,
  endEffects,
  EPOCH_TOPIC,
  leaveAnnouncements,
  leaveRekey,
  clusterOfRoom,
  removalEffects,
  roomsOf,
} from '../../lambdas/domain/meeting-rooms.js';

const people = ['p_a', 'p_b', 'p_c', 'p_d'];
let ids = 0;
let rooms = 0;
const newId = () => `br_${++ids}`;
const newRoom = () => `rm_${++rooms}`;
const now = new Date('2026-12-01T10:00:00Z');
const live: LiveState = { ...IDLE, clusterId: 'fra-1', roomName: 'rm_main', epoch: 3 };

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
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const red = plan.rooms[0]!;
    const inRed = (participantId: string) => ({ roomName: red.roomName!, breakoutId: red.id, participantId });
    expect(arrivalEffects(removed, plan, inRed('p_a'), now)).toEqual([
      { kind: 'disconnect', roomName: red.roomName, participantId: 'p_a' },
    ]);
    expect(arrivalEffects(removed, plan, { roomName: 'rm_main', participantId: 'p_a' }, now)).toEqual([
      { kind: 'disconnect', roomName: 'rm_main', participantId: 'p_a' },
    ]);
    expect(arrivalEffects(removed, plan, inRed('p_b'), now)).toEqual([]);
    expect(arrivalEffects({ ...removed, ended: true }, plan, inRed('p_b'), now)).toEqual([
      { kind: 'delete-room', roomName: red.roomName },
    ]);
  });

  it('lets into a breakout only those the plan puts there now, and hosts visiting with a visit token', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const [red, blue] = plan.rooms as [BreakoutPlan['rooms'][number], BreakoutPlan['rooms'][number]];
    const arrive = (p: BreakoutPlan | undefined, participantId: string, attributes?: Record<string, string>, at = now) =>
      arrivalEffects(live, p, { roomName: red.roomName!, breakoutId: red.id, participantId, attributes }, at);
    const putOut = (participantId: string) => [{ kind: 'disconnect', roomName: red.roomName, participantId }];
    expect(arrive(plan, 'p_a')).toEqual([]);
    // Never in Red, or moved out of it: their old token for Red does not keep them there.
    expect(arrive(plan, 'p_c')).toEqual(putOut('p_c'));
    const moved = moveParticipant(plan, 'p_a', blue.id, people, 'rm_main').plan;
    expect(arrive(moved, 'p_a')).toEqual(putOut('p_a'));
    expect(arrive(moved, 'p_b')).toEqual([]);
    // A host's visit token marks the visit: in, though not assigned; any other attribute is no visit.
    expect(arrive(plan, 'p_host', { ...VISITOR_ATTRIBUTES })).toEqual([]);
    expect(arrive(plan, 'p_host', { 'meetplane.role': 'moderator' })).toEqual(putOut('p_host'));
    // The main room takes anyone not removed, whatever the plan says.
    expect(arrivalEffects(live, moved, { roomName: 'rm_main', participantId: 'p_b' }, now)).toEqual([]);
    // A breakout room no plan in session names goes: the plan closed, its countdown ran out, or a newer plan.
    const gone = [{ kind: 'delete-room', roomName: red.roomName }];
    expect(arrive(closePlan(plan, now, 0).plan, 'p_a')).toEqual(gone);
    const closing = closePlan(plan, now, 60).plan;
    expect(arrive(closing, 'p_a', undefined, new Date('2026-12-01T10:00:30Z'))).toEqual([]);
    expect(arrive(closing, 'p_a', undefined, new Date('2026-12-01T10:01:30Z'))).toEqual(gone);
    expect(arrive(openPlan(drafted(), newRoom, 'fra-1').plan, 'p_a')).toEqual(gone);
    expect(arrive(undefined, 'p_a')).toEqual(gone);
  });

  it('starts a new epoch when someone leaves an end-to-end breakout for good, and tells the room and the hosts', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    const red = plan.rooms[0]!;
    const leaving = { roomName: red.roomName!, breakoutId: red.id, participantId: 'p_a' };
    const ended = { participantId: 'p_a', room: red.roomName!, joinedAt: '2026-12-01T09:50:00Z', leftAt: '2026-12-01T10:00:00Z' };
    const rekey = leaveRekey('e2ee', live, plan, leaving, [ended], now);
    expect(rekey).toEqual({ roomName: red.roomName, breakoutId: red.id });
    // Not in a standard meeting, nor once it ended.
    expect(leaveRekey('standard', live, plan, leaving, [ended], now)).toBeUndefined();
    expect(leaveRekey('e2ee', { ...live, ended: true }, plan, leaving, [ended], now)).toBeUndefined();
    // Still there in another session (a reconnect): no leave.
    const open = { participantId: 'p_a', room: red.roomName!, joinedAt: '2026-12-01T09:59:59Z' };
    expect(leaveRekey('e2ee', live, plan, leaving, [ended, open], now)).toBeUndefined();
    // A session open in another room does not keep them in this one.
    expect(leaveRekey('e2ee', live, plan, leaving, [ended, { ...open, room: 'rm_main' }], now)).toEqual(rekey);
    // Removed (the removal began an epoch everywhere), a host visiting, or breakouts no longer in session: none.
    expect(leaveRekey('e2ee', { ...live, removed: ['p_a'] }, plan, leaving, [ended], now)).toBeUndefined();
    expect(leaveRekey('e2ee', live, plan, { ...leaving, attributes: { ...VISITOR_ATTRIBUTES } }, [ended], now)).toBeUndefined();
    expect(leaveRekey('e2ee', live, closePlan(plan, now, 0).plan, leaving, [ended], now)).toBeUndefined();
    // The main room, as ever: every leave.
    const main = { roomName: 'rm_main', participantId: 'p_d' };
    expect(leaveRekey('e2ee', live, plan, main, [], now)).toEqual({ roomName: 'rm_main' });
    expect(leaveRekey('e2ee', live, plan, { roomName: 'rm_old', participantId: 'p_d' }, [], now)).toBeUndefined();

    // The breakout hears the epoch; the hosts, in the main room, which breakout to seal anew. Never a key.
    expect(leaveAnnouncements(rekey!, live, 5, ['p_host'])).toEqual([
      { kind: 'announce', roomName: red.roomName, topic: EPOCH_TOPIC, payload: { epoch: 5, rekey: true } },
      {
        kind: 'announce',
        roomName: 'rm_main',
        topic: EPOCH_TOPIC,
        payload: { epoch: 5, rekey: true, breakoutId: red.id },
        to: ['p_host'],
      },
    ]);
    expect(leaveAnnouncements({ roomName: 'rm_main' }, live, 5, ['p_host'])).toEqual([
      { kind: 'announce', roomName: 'rm_main', topic: EPOCH_TOPIC, payload: { epoch: 5, rekey: true } },
    ]);
    // With no host to tell, or no main room, the breakout alone.
    expect(leaveAnnouncements(rekey!, live, 5, [])).toHaveLength(1);
    expect(leaveAnnouncements(rekey!, { ...live, roomName: undefined }, 5, ['p_host'])).toHaveLength(1);
  });

  it('keeps breakout rooms on the node they opened on, even when the main room is unpinned or placed anew', () => {
    const { plan } = openPlan(drafted(), newRoom, 'fra-1');
    expect(plan.clusterId).toBe('fra-1');
    const red = plan.rooms[0]!.roomName!;
    expect(clusterOfRoom(live, plan, red)).toBe('fra-1');
    expect(clusterOfRoom(IDLE, plan, red)).toBe('fra-1');
    const elsewhere: LiveState = { ...live, clusterId: 'ams-1', roomName: 'rm_new' };
    expect(clusterOfRoom(elsewhere, plan, red)).toBe('fra-1');
    expect(clusterOfRoom(elsewhere, plan, 'rm_new')).toBe('ams-1');
    // A plan opened before plans named their node: the main room's.
    const { clusterId: _, ...older } = plan;
    expect(clusterOfRoom(live, older, red)).toBe('fra-1');
  });
});
