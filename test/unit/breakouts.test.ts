import { breakoutOf, inSession, moveParticipant, planBreakouts, type BreakoutPlan } from '../../lambdas/domain/breakouts.js';
import { DomainError } from '../../lambdas/domain/errors.js';

const people = ['p_a', 'p_b', 'p_c', 'p_d', 'p_e'];
let counter = 0;
const newId = () => `br_${String(++counter).padStart(12, '0')}`;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return `${error.kind}:${error.field ?? ''}`;
    throw error;
  }
  return undefined;
}

describe('breakout plans', () => {
  it('splits evenly, everyone in exactly one room', () => {
    const plan = planBreakouts({ split: { count: 2, mode: 'even' } }, people, newId);
    expect(plan.rooms.map((r) => r.members.length)).toEqual([3, 2]);
    expect(plan.rooms.flatMap((r) => r.members).sort()).toEqual([...people].sort());
    expect(plan).toMatchObject({ state: 'draft', selfSelect: false });
  });

  it('splits randomly into rooms of even size, and lets participants choose when asked', () => {
    const random = planBreakouts({ split: { count: 3, mode: 'random' } }, people, newId);
    expect(random.rooms.map((r) => r.members.length).sort()).toEqual([1, 2, 2]);
    expect(random.rooms.flatMap((r) => r.members).sort()).toEqual([...people].sort());
    const choice = planBreakouts({ split: { count: 2, mode: 'choice' } }, people, newId);
    expect(choice.selfSelect).toBe(true);
    expect(choice.rooms.every((r) => r.members.length === 0)).toBe(true);
  });

  it('refuses duplicate names, strangers, double assignments and more rooms than people', () => {
    expect(
      fieldOf(() =>
        planBreakouts(
          {
            rooms: [
              { name: 'A', participants: [] },
              { name: ' a ', participants: [] },
            ],
          },
          people,
          newId,
        ),
      ),
    ).toBe('conflict:rooms.1.name');
    expect(fieldOf(() => planBreakouts({ rooms: [{ name: 'A', participants: ['p_z'] }] }, people, newId))).toBe(
      'invalid:rooms.0.participants.0',
    );
    expect(
      fieldOf(() =>
        planBreakouts(
          {
            rooms: [
              { name: 'A', participants: ['p_a'] },
              { name: 'B', participants: ['p_a'] },
            ],
          },
          people,
          newId,
        ),
      ),
    ).toBe('invalid:rooms.1.participants.0');
    expect(fieldOf(() => planBreakouts({ split: { count: 6, mode: 'even' } }, people, newId))).toBe('invalid:split.count');
    expect(fieldOf(() => planBreakouts({ split: { count: 2, mode: 'even' } }, people, newId, 1))).toBe('invalid:split.count');
  });

  it('moves people only between open rooms, into rooms that exist', () => {
    const draft = planBreakouts(
      {
        rooms: [
          { name: 'A', participants: ['p_a'] },
          { name: 'B', participants: ['p_b'] },
        ],
      },
      people,
      newId,
    );
    const [a, b] = draft.rooms as [BreakoutPlan['rooms'][number], BreakoutPlan['rooms'][number]];
    expect(fieldOf(() => moveParticipant(draft, 'p_a', b.id, people))).toBe('conflict:');
    const open: BreakoutPlan = { ...draft, state: 'open' };
    const { plan: moved } = moveParticipant(open, 'p_a', b.id, people);
    expect(breakoutOf(moved, 'p_a')?.id).toBe(b.id);
    expect(moved.rooms.find((r) => r.id === a.id)?.members).toEqual([]);
    expect(moved.version).toBe(open.version + 1);
    expect(fieldOf(() => moveParticipant(open, 'p_a', 'br_nope', people))).toBe('invalid:to');
    expect(fieldOf(() => moveParticipant(open, 'p_z', b.id, people))).toBe('invalid:participantId');
  });

  it('keeps people in their breakouts until a closing countdown ends', () => {
    const plan = planBreakouts({ split: { count: 1, mode: 'even' } }, people, newId);
    const now = new Date('2026-11-23T10:00:00Z');
    expect(inSession({ ...plan, state: 'open' }, now)).toBe(true);
    expect(inSession({ ...plan, state: 'closing', returnAt: '2026-11-23T10:01:00Z' }, now)).toBe(true);
    expect(inSession({ ...plan, state: 'closing', returnAt: '2026-11-23T09:59:00Z' }, now)).toBe(false);
    expect(inSession({ ...plan, state: 'closed' }, now)).toBe(false);
    expect(inSession(plan, now)).toBe(false);
  });
});
