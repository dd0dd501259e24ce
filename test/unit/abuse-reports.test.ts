import {
  checkMayReport,
  CLIP_MAX_BYTES,
  decodeClip,
  resolveReport,
  type AbuseReport,
} from '../../lambdas/domain/abuse-reports.js';
import { DomainError } from '../../lambdas/domain/errors.js';
import { isModeratorEntry, type Joiner } from '../../lambdas/domain/live-meeting.js';

const joiner = (over: Partial<Joiner> = {}): Joiner => ({
  userRef: 'u_1',
  emailRef: 'e_1',
  participantId: 'p_1',
  admin: false,
  host: false,
  ...over,
});
const kindOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.kind}:${error.field ?? ''}` : 'other';
  }
  return 'none';
};

describe('abuse reports', () => {
  it('decodes a clip up to the limit and refuses one byte more, naming the field', () => {
    expect(decodeClip(Buffer.alloc(CLIP_MAX_BYTES).toString('base64'))).toHaveLength(CLIP_MAX_BYTES);
    expect(kindOf(() => decodeClip(Buffer.alloc(CLIP_MAX_BYTES + 1).toString('base64')))).toBe('too-large:clip.data');
  });

  it('lets whoever may attend report, hiding the meeting from anyone else', () => {
    const meeting = { hostRef: 'u_host', inviteeRefs: ['e_1'] };
    expect(kindOf(() => checkMayReport(meeting, joiner()))).toBe('none');
    expect(kindOf(() => checkMayReport(meeting, joiner({ emailRef: 'e_2' })))).toBe('not-found:');
    expect(kindOf(() => checkMayReport({ hostRef: 'u_host', inviteeRefs: [] }, joiner({ emailRef: 'e_2' })))).toBe('none');
  });

  it('resolves a report once', () => {
    const open: AbuseReport = {
      id: 'ar_1',
      meetingId: 'mt_1',
      reason: 'spam',
      status: 'open',
      createdAt: 'x',
      reporterRef: 'u_1',
    };
    const done = resolveReport(open, 'warned', new Date('2026-01-01T00:00:00Z'));
    expect(done).toMatchObject({ status: 'resolved', outcome: 'warned', resolvedAt: '2026-01-01T00:00:00.000Z' });
    expect(kindOf(() => resolveReport(done, 'no-action', new Date()))).toBe('conflict:');
  });
});

describe('moderator entry', () => {
  const meeting = { hostRef: 'u_host', inviteeRefs: ['e_guest'] };
  it('is an admin who is neither the host nor invited, in a meeting that invites people', () => {
    expect(isModeratorEntry(meeting, joiner({ admin: true }))).toBe(true);
    expect(isModeratorEntry(meeting, joiner({ admin: true, emailRef: 'e_guest' }))).toBe(false);
    expect(isModeratorEntry(meeting, joiner({ admin: true, userRef: 'u_host' }))).toBe(false);
    expect(isModeratorEntry({ hostRef: 'u_host', inviteeRefs: [] }, joiner({ admin: true }))).toBe(false);
    expect(isModeratorEntry(meeting, joiner())).toBe(false);
  });
});
