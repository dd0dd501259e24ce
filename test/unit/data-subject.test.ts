import { chainAuditEntry } from '../../lambdas/domain/audit.js';
import {
  countByKind,
  findSubjectData,
  meetingIdOf,
  type SubjectRecord,
  type SubjectRefs,
} from '../../lambdas/domain/data-subject.js';
import type { AbuseReport } from '../../lambdas/domain/abuse-reports.js';

const M1 = 'mt_000000000000000000000001';
const M2 = 'mt_000000000000000000000002';
const refs: SubjectRefs = {
  userRef: 'u_uma',
  emailRef: 'e_uma',
  participantIdIn: (meetingId) => `p_uma_${meetingId}`,
};
const pid = refs.participantIdIn;

function items(): SubjectRecord[] {
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
    { ref: 'audit-1', kind: 'auditEntry', entry: audit1 },
    { ref: 'audit-2', kind: 'auditEntry', entry: audit2 },
    { ref: 'audit-3', kind: 'auditEntry', entry: audit3 },
    { ref: 'meeting-1', kind: 'meeting', meetingId: M1, hostRef: 'u_uma', inviteeRefs: ['e_vic'] },
    { ref: 'live-1', kind: 'liveState', meetingId: M1, removed: [] },
    { ref: 'attendance-1-s1', kind: 'attendance', meetingId: M1, participantId: 'p_vic' },
    { ref: 'media-key-1', kind: 'mediaKey', meetingId: M1 },
    { ref: 'meeting-2', kind: 'meeting', meetingId: M2, hostRef: 'u_vic', inviteeRefs: ['e_uma', 'e_walt'] },
    { ref: 'attendance-2-s2', kind: 'attendance', meetingId: M2, participantId: pid(M2) },
    { ref: 'attendance-2-s3', kind: 'attendance', meetingId: M2, participantId: 'p_walt' },
    { ref: 'live-2', kind: 'liveState', meetingId: M2, removed: [pid(M2), 'p_walt'] },
    { ref: 'media-key-2', kind: 'mediaKey', meetingId: M2 },
    {
      ref: 'breakouts-2',
      kind: 'breakoutPlan',
      meetingId: M2,
      rooms: [
        { name: 'A', members: [pid(M2)] },
        { name: 'B', members: ['p_walt'] },
      ],
    },
    { ref: 'lobby-2', kind: 'lobbyTicket', meetingId: M2, participantId: pid(M2), userRef: 'u_uma' },
    { ref: 'passcode-2-uma', kind: 'passcodeAttempts', meetingId: M2, participantId: pid(M2), attempts: 2 },
    { ref: 'passcode-2-walt', kind: 'passcodeAttempts', meetingId: M2, participantId: 'p_walt', attempts: 1 },
    { ref: 'device-d1', kind: 'device', deviceId: 'd1', userRef: 'u_uma', registration: {} },
    { ref: 'device-d2', kind: 'device', deviceId: 'd2', userRef: 'u_walt', registration: {} },
    { ref: 'meeting-device-2', kind: 'meetingDevice', meetingId: M2, participantId: pid(M2), deviceId: 'd1' },
    { ref: 'envelope-2-d1', kind: 'keyEnvelope', meetingId: M2, epoch: 1, deviceId: 'd1' },
    { ref: 'envelope-2-d2', kind: 'keyEnvelope', meetingId: M2, epoch: 1, deviceId: 'd2' },
    { ref: 'preferences-uma', kind: 'preferences', userRef: 'u_uma', preferences: { productNews: true } },
    { ref: 'preferences-walt', kind: 'preferences', userRef: 'u_walt', preferences: {} },
    { ref: 'report-1', kind: 'report', report: report('ar_1', 'u_uma') },
    { ref: 'clip-1', kind: 'reportClip', reportId: 'ar_1' },
    { ref: 'report-2', kind: 'report', report: report('ar_2', 'u_walt', pid(M2)) },
    { ref: 'clip-2', kind: 'reportClip', reportId: 'ar_2' },
    { ref: 'report-3', kind: 'report', report: report('ar_3', 'u_walt', 'p_walt') },
  ];
}

function report(id: string, reporterRef: string, reportedParticipantId?: string): AbuseReport {
  return {
    id,
    meetingId: M2,
    reason: 'harassment',
    status: 'open',
    createdAt: '2030-01-01T00:00:00.000Z',
    reporterRef,
    ...(reportedParticipantId && { reportedParticipantId }),
  };
}

function guestLink(ref: string, meetingId: string, inviteeRef: string, guest?: { guestRef: string; guestParticipantId: string }) {
  return {
    ref,
    kind: 'guestLink',
    meetingId,
    inviteeRef,
    validUntil: '2030-01-02T00:00:00.000Z',
    status: guest ? 'redeemed' : 'open',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...guest,
  } as const;
}

describe('finding what a site holds about a user', () => {
  it('finds each kind, with the erasure each needs, and nothing of anyone else', () => {
    const findings = findSubjectData(items(), refs);
    const byRef = Object.fromEntries(findings.map((f) => [f.record.ref, `${f.kind}/${f.action}`]));
    expect(byRef).toEqual({
      'audit-1': 'auditEntries/redact-audit',
      'audit-2': 'auditEntries/redact-audit',
      'meeting-1': 'meetingsHosted/delete',
      'live-1': 'recordsOfHostedMeetings/delete',
      'attendance-1-s1': 'recordsOfHostedMeetings/delete',
      'media-key-1': 'recordsOfHostedMeetings/delete',
      'meeting-2': 'invitations/uninvite',
      'attendance-2-s2': 'attendance/delete',
      'live-2': 'removals/unremove',
      'breakouts-2': 'breakoutAssignments/unassign',
      'lobby-2': 'lobbyTickets/delete',
      'passcode-2-uma': 'passcodeAttempts/delete',
      'device-d1': 'devices/delete',
      'meeting-device-2': 'meetingDevices/delete',
      'envelope-2-d1': 'keyEnvelopes/delete',
      'preferences-uma': 'preferences/delete',
      'report-1': 'reportsFiled/delete',
      'clip-1': 'reportClips/delete',
      'report-2': 'reportsAbout/unlink-report',
    });
    expect(countByKind(findings)).toMatchObject({ recordsOfHostedMeetings: 3, auditEntries: 2, reportsAbout: 1 });
    // The finding carries the meeting and the user's pseudonym in it, for the erasure to act on.
    expect(findings.find((f) => f.record.ref === 'live-2')).toMatchObject({ meetingId: M2, participantId: pid(M2) });
  });

  it('finds no invitations without an address, and nothing for someone unknown', () => {
    const { emailRef: _none, ...withoutEmail } = refs;
    expect(findSubjectData(items(), withoutEmail).some((f) => f.kind === 'invitations')).toBe(false);
    const stranger: SubjectRefs = { userRef: 'u_zed', participantIdIn: (m) => `p_zed_${m}` };
    expect(findSubjectData(items(), stranger)).toEqual([]);
  });

  it('finds the guest links sent to their address, and what the guest who redeemed one left, but no one else’s', () => {
    const M3 = 'mt_000000000000000000000003';
    const guestItems: SubjectRecord[] = [
      { ref: 'meeting-3', kind: 'meeting', meetingId: M3, hostRef: 'u_walt', inviteeRefs: ['e_uma', 'e_walt'] },
      guestLink('guest-h1', M3, 'e_uma', { guestRef: 'g_uma', guestParticipantId: 'p_guest_uma' }),
      guestLink('guest-h2', M3, 'e_uma'),
      guestLink('guest-h3', M3, 'e_walt', { guestRef: 'g_walt', guestParticipantId: 'p_guest_walt' }),
      { ref: 'lobby-3', kind: 'lobbyTicket', meetingId: M3, participantId: 'p_guest_uma', userRef: 'g_uma' },
      { ref: 'admission-3', kind: 'admission', meetingId: M3, participantId: 'p_guest_uma' },
      { ref: 'attendance-3-s9', kind: 'attendance', meetingId: M3, participantId: 'p_guest_uma' },
      { ref: 'attendance-3-s10', kind: 'attendance', meetingId: M3, participantId: 'p_guest_walt' },
      { ref: 'device-d7', kind: 'device', deviceId: 'd7', userRef: 'g_uma', registration: {} },
      { ref: 'device-d8', kind: 'device', deviceId: 'd8', userRef: 'g_walt', registration: {} },
      { ref: 'envelope-3-d7', kind: 'keyEnvelope', meetingId: M3, epoch: 0, deviceId: 'd7' },
      { ref: 'envelope-3-d8', kind: 'keyEnvelope', meetingId: M3, epoch: 0, deviceId: 'd8' },
      { ref: 'meeting-device-3', kind: 'meetingDevice', meetingId: M3, participantId: 'p_guest_uma' },
    ];
    const found = findSubjectData(guestItems, refs).map((f) => `${f.record.ref} ${f.kind}/${f.action}`);
    expect(found.sort()).toEqual(
      [
        'meeting-3 invitations/uninvite',
        'guest-h1 guestLinks/delete',
        'guest-h2 guestLinks/delete',
        'lobby-3 lobbyTickets/delete',
        'admission-3 admissions/delete',
        'attendance-3-s9 attendance/delete',
        'device-d7 devices/delete',
        'envelope-3-d7 keyEnvelopes/delete',
        'meeting-device-3 meetingDevices/delete',
      ].sort(),
    );
    // Without their address, their guest links cannot be told apart from anyone's.
    const { emailRef: _none, ...withoutEmail } = refs;
    expect(findSubjectData(guestItems, withoutEmail)).toEqual([]);
    // A meeting they host goes whole, guest links included.
    const hostedByThem = guestItems.map((r) => (r.kind === 'meeting' ? { ...r, hostRef: 'u_uma' } : r));
    const whole = findSubjectData(hostedByThem, refs);
    expect(whole.filter((f) => f.record.kind === 'guestLink').map((f) => `${f.record.ref} ${f.kind}`)).toEqual([
      'guest-h1 recordsOfHostedMeetings',
      'guest-h2 recordsOfHostedMeetings',
      'guest-h3 recordsOfHostedMeetings',
    ]);
  });

  it('reads meeting ids only from the records that belong to a meeting', () => {
    const records = items();
    const byRef = (ref: string) => records.find((r) => r.ref === ref)!;
    expect(meetingIdOf(byRef('attendance-1-s1'))).toBe(M1);
    expect(meetingIdOf(byRef('device-d1'))).toBeUndefined();
    // A report names its meeting, but it is the tenant's record, not the meeting's: it is not erased with it.
    expect(meetingIdOf(byRef('report-1'))).toBeUndefined();
  });
});
