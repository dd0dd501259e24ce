import { chainAuditEntry } from '../../lambdas/domain/audit.js';
import {
  countByKind,
  findSubjectData,
  meetingIdOf,
  type StoredItem,
  type SubjectRefs,
} from '../../lambdas/domain/data-subject.js';

const M1 = 'mt_000000000000000000000001';
const M2 = 'mt_000000000000000000000002';
const refs: SubjectRefs = {
  userRef: 'u_uma',
  emailRef: 'e_uma',
  participantIdIn: (meetingId) => `p_uma_${meetingId}`,
};
const pid = refs.participantIdIn;

function items(): StoredItem[] {
  const audit1 = chainAuditEntry(
    'tn_1',
    undefined,
    { actor: { type: 'user', id: 'u_uma' }, action: 'a', target: 't', reason: 'r' },
    new Date(),
  );
  const audit2 = chainAuditEntry(
    'tn_1',
    audit1,
    { actor: { type: 'user', id: 'u_admin' }, action: 'b', target: 't', reason: 'r', subjects: [pid(M2)] },
    new Date(),
  );
  const audit3 = chainAuditEntry(
    'tn_1',
    audit2,
    { actor: { type: 'user', id: 'u_admin' }, action: 'c', target: 't', reason: 'r' },
    new Date(),
  );
  return [
    { sk: 'PROFILE' },
    { sk: 'AUDIT#HEAD', seq: 3 },
    { sk: 'AUDIT#000000000001', entry: audit1 },
    { sk: 'AUDIT#000000000002', entry: audit2 },
    { sk: 'AUDIT#000000000003', entry: audit3 },
    { sk: `M#${M1}`, hostRef: 'u_uma', inviteeRefs: ['e_vic'] },
    { sk: `LIVE#${M1}`, removed: [] },
    { sk: `ATT#${M1}#s1`, participantId: 'p_vic' },
    { sk: `M#${M2}`, hostRef: 'u_vic', inviteeRefs: ['e_uma', 'e_walt'] },
    { sk: `ATT#${M2}#s2`, participantId: pid(M2) },
    { sk: `ATT#${M2}#s3`, participantId: 'p_walt' },
    { sk: `LIVE#${M2}`, removed: [pid(M2), 'p_walt'] },
    {
      sk: `BRK#${M2}`,
      plan: {
        rooms: [
          { name: 'A', members: [pid(M2)] },
          { name: 'B', members: ['p_walt'] },
        ],
      },
    },
    { sk: `LOBBY#${M2}#lt_1`, participantId: pid(M2), userRef: 'u_uma' },
    { sk: `PASS#${M2}#${pid(M2)}`, failures: 2 },
    { sk: `PASS#${M2}#p_walt`, failures: 1 },
    { sk: 'DEV#d1', userRef: 'u_uma', registration: {} },
    { sk: 'DEV#d2', userRef: 'u_walt', registration: {} },
    { sk: `MDEV#${M2}#${pid(M2)}`, participantId: pid(M2) },
    { sk: `ENV#${M2}#000001#d1` },
    { sk: `ENV#${M2}#000001#d2` },
    { sk: 'PREF#u_uma', preferences: { productNews: true } },
    { sk: 'PREF#u_walt', preferences: {} },
    { sk: 'REPORT#ar_1', report: { meetingId: M2, reporterRef: 'u_uma' } },
    { sk: 'REPORTCLIP#ar_1' },
    { sk: 'REPORT#ar_2', report: { meetingId: M2, reporterRef: 'u_walt', reportedParticipantId: pid(M2) } },
    { sk: 'REPORTCLIP#ar_2' },
    { sk: 'REPORT#ar_3', report: { meetingId: M2, reporterRef: 'u_walt', reportedParticipantId: 'p_walt' } },
  ];
}

describe('finding what a site holds about a user', () => {
  it('finds each kind, with the erasure each needs, and nothing of anyone else', () => {
    const findings = findSubjectData(items(), refs);
    const bySk = Object.fromEntries(findings.map((f) => [f.item.sk, `${f.kind}/${f.action}`]));
    expect(bySk).toEqual({
      'AUDIT#000000000001': 'auditEntries/redact-audit',
      'AUDIT#000000000002': 'auditEntries/redact-audit',
      [`M#${M1}`]: 'meetingsHosted/delete',
      [`LIVE#${M1}`]: 'recordsOfHostedMeetings/delete',
      [`ATT#${M1}#s1`]: 'recordsOfHostedMeetings/delete',
      [`M#${M2}`]: 'invitations/uninvite',
      [`ATT#${M2}#s2`]: 'attendance/delete',
      [`LIVE#${M2}`]: 'removals/unremove',
      [`BRK#${M2}`]: 'breakoutAssignments/unassign',
      [`LOBBY#${M2}#lt_1`]: 'lobbyTickets/delete',
      [`PASS#${M2}#${pid(M2)}`]: 'passcodeAttempts/delete',
      'DEV#d1': 'devices/delete',
      [`MDEV#${M2}#${pid(M2)}`]: 'meetingDevices/delete',
      [`ENV#${M2}#000001#d1`]: 'keyEnvelopes/delete',
      'PREF#u_uma': 'preferences/delete',
      'REPORT#ar_1': 'reportsFiled/delete',
      'REPORTCLIP#ar_1': 'reportClips/delete',
      'REPORT#ar_2': 'reportsAbout/unlink-report',
    });
    expect(countByKind(findings)).toMatchObject({ recordsOfHostedMeetings: 2, auditEntries: 2, reportsAbout: 1 });
  });

  it('finds no invitations without an address, and nothing for someone unknown', () => {
    const { emailRef: _none, ...withoutEmail } = refs;
    expect(findSubjectData(items(), withoutEmail).some((f) => f.kind === 'invitations')).toBe(false);
    const stranger: SubjectRefs = { userRef: 'u_zed', participantIdIn: (m) => `p_zed_${m}` };
    expect(findSubjectData(items(), stranger)).toEqual([]);
  });

  it('finds the guest links sent to their address, and what the guest who redeemed one left, but no one else’s', () => {
    const M3 = 'mt_000000000000000000000003';
    const guestItems: StoredItem[] = [
      { sk: `M#${M3}`, hostRef: 'u_walt', inviteeRefs: ['e_uma', 'e_walt'] },
      { sk: `GUEST#${M3}#h1`, inviteeRef: 'e_uma', status: 'redeemed', guestRef: 'g_uma', guestParticipantId: 'p_guest_uma' },
      { sk: `GUEST#${M3}#h2`, inviteeRef: 'e_uma', status: 'open' },
      { sk: `GUEST#${M3}#h3`, inviteeRef: 'e_walt', status: 'redeemed', guestRef: 'g_walt', guestParticipantId: 'p_guest_walt' },
      { sk: `LOBBY#${M3}#lt_2`, participantId: 'p_guest_uma', userRef: 'g_uma' },
      { sk: `ADM#${M3}#p_guest_uma`, participantId: 'p_guest_uma' },
      { sk: `ATT#${M3}#s9`, participantId: 'p_guest_uma' },
      { sk: `ATT#${M3}#s10`, participantId: 'p_guest_walt' },
      { sk: 'DEV#g_uma#d7', registration: {} },
      { sk: 'DEV#g_walt#d8', registration: {} },
      { sk: `ENV#${M3}#000000#d7` },
      { sk: `MDEV#${M3}#p_guest_uma`, participantId: 'p_guest_uma' },
    ];
    const found = findSubjectData(guestItems, refs).map((f) => `${f.item.sk} ${f.kind}/${f.action}`);
    expect(found.sort()).toEqual(
      [
        `M#${M3} invitations/uninvite`,
        `GUEST#${M3}#h1 guestLinks/delete`,
        `GUEST#${M3}#h2 guestLinks/delete`,
        `LOBBY#${M3}#lt_2 lobbyTickets/delete`,
        `ADM#${M3}#p_guest_uma admissions/delete`,
        `ATT#${M3}#s9 attendance/delete`,
        'DEV#g_uma#d7 devices/delete',
        `ENV#${M3}#000000#d7 keyEnvelopes/delete`,
        `MDEV#${M3}#p_guest_uma meetingDevices/delete`,
      ].sort(),
    );
    // Without their address, their guest links cannot be told apart from anyone's.
    const { emailRef: _none, ...withoutEmail } = refs;
    expect(findSubjectData(guestItems, withoutEmail)).toEqual([]);
    // A meeting they host goes whole, guest links included.
    expect(findSubjectData([...guestItems, { sk: `M#${M3}`, hostRef: 'u_uma', inviteeRefs: [] }], refs).length).toBeGreaterThan(
      0,
    );
  });

  it('reads meeting ids only from the records that carry one', () => {
    expect(meetingIdOf(`ATT#${M1}#s1`)).toBe(M1);
    expect(meetingIdOf('DEV#d1')).toBeUndefined();
    expect(meetingIdOf('REPORT#ar_1')).toBeUndefined();
  });
});
