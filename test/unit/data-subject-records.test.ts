import { subjectRecordOf } from '../../lambdas/store/data-subject-store.js';

const M = 'mt_000000000000000000000001';
const pk = 'T#tn_1';
const read = (item: Record<string, unknown> & { sk: string }) => {
  const record = subjectRecordOf({ pk, ...item });
  if (!record) return undefined;
  const { ref: _ref, ...rest } = record;
  return rest;
};

describe('reading stored items as data-subject records', () => {
  it('reads each kind from the key layout, with the fields the rules need', () => {
    expect(read({ sk: `M#${M}`, hostRef: 'u_a', inviteeRefs: ['e_b'], title: 'sealed' })).toEqual({
      kind: 'meeting',
      meetingId: M,
      hostRef: 'u_a',
      inviteeRefs: ['e_b'],
    });
    expect(read({ sk: `LIVE#${M}`, removed: ['p_x'], epoch: 3 })).toEqual({ kind: 'liveState', meetingId: M, removed: ['p_x'] });
    expect(read({ sk: `PASS#${M}#p_x`, attempts: 2, windowEnds: 99 })).toEqual({
      kind: 'passcodeAttempts',
      meetingId: M,
      participantId: 'p_x',
      attempts: 2,
      windowEnds: 99,
    });
    expect(read({ sk: 'DEV#d1', userRef: 'u_a', registration: { deviceId: 'd1' } })).toEqual({
      kind: 'device',
      deviceId: 'd1',
      userRef: 'u_a',
      registration: { deviceId: 'd1' },
    });
    expect(read({ sk: `ENV#${M}#000004#d1`, envelope: {} })).toEqual({
      kind: 'keyEnvelope',
      meetingId: M,
      epoch: 4,
      deviceId: 'd1',
    });
    expect(read({ sk: `MKEY#${M}#000000`, wrapped: new Uint8Array(1) })).toEqual({ kind: 'mediaKey', meetingId: M });
    expect(read({ sk: 'PREF#u_a', preferences: { productNews: true } })).toEqual({
      kind: 'preferences',
      userRef: 'u_a',
      preferences: { productNews: true },
    });
    expect(read({ sk: 'REPORTCLIP#ar_1', sealed: {} })).toEqual({ kind: 'reportClip', reportId: 'ar_1' });
    expect(
      read({ sk: 'GUEST#' + M + '#h1', hash: 'h1', inviteeRef: 'e_b', status: 'open', validUntil: 'v', createdAt: 'c' }),
    ).toEqual({ kind: 'guestLink', meetingId: M, inviteeRef: 'e_b', status: 'open', validUntil: 'v', createdAt: 'c' });
  });

  it('leaves out what is about no one, and gives each record a ref of its own', () => {
    for (const sk of ['PROFILE', 'AUDIT#HEAD', 'SETTINGS#MAIL', 'GRANT#g1', 'ERASED#abc']) expect(read({ sk })).toBeUndefined();
    const a = subjectRecordOf({ pk, sk: `ATT#${M}#s1`, participantId: 'p_x' })!;
    const b = subjectRecordOf({ pk, sk: `ATT#${M}#s2`, participantId: 'p_x' })!;
    expect(a.ref).not.toEqual(b.ref);
  });
});
