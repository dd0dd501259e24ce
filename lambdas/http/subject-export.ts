import type { Site } from '../composition.js';
import type { ReportStore } from '../store/report-store.js';
import type { ReportText } from '../domain/abuse-reports.js';
import type { Finding, FindingKind, RecordKind, RecordOf, SubjectRefs } from '../domain/data-subject.js';
import type { SealingKey } from '../keys/personal-data-cipher.js';
import type { ErasureReceipt } from '../store/data-subject-store.js';

type Row = Record<string, unknown>;

/**
 * The export document: what the site holds about the user, in their own
 * terms. Other people stay out of it: a hosted meeting shows how many were
 * invited, not who; a report about them shows its reason and outcome, not
 * who filed it or what they wrote.
 */
export async function subjectExport(
  site: Site,
  reports: ReportStore,
  key: SealingKey,
  refs: SubjectRefs,
  findings: readonly Finding[],
  requestRecords: number,
  receipt: ErasureReceipt | undefined,
) {
  const of = (kind: FindingKind) => findings.filter((f) => f.kind === kind);
  const rows = (kind: FindingKind, shape: (f: Finding) => Row | Promise<Row>) => Promise.all(of(kind).map(shape));
  const record = <K extends RecordKind>(f: Finding, kind: K): RecordOf<K> => {
    // A finding's kind follows from its record's kind (lambdas/domain/data-subject.ts); anything else is a bug here.
    if (f.record.kind !== kind) throw new Error(`a ${f.kind} finding is not about a ${kind} record`);
    return f.record as RecordOf<K>;
  };
  const plain = <K extends RecordKind>(f: Finding, kind: K, ...names: (keyof RecordOf<K> & string)[]): Row => {
    const fields = record(f, kind) as Readonly<Record<string, unknown>>;
    return {
      ...(f.meetingId && { meetingId: f.meetingId }),
      ...Object.fromEntries(names.filter((n) => fields[n] !== undefined).map((n) => [n, fields[n]])),
    };
  };
  const meeting = async (f: Finding) => site.meetings.get(key, f.meetingId!);
  const preferenceFinding = of('preferences')[0];
  const preferences = preferenceFinding && record(preferenceFinding, 'preferences').preferences;

  return {
    tenantId: key.tenantId,
    site: site.config.siteId,
    generatedAt: new Date().toISOString(),
    pseudonyms: { userRef: refs.userRef, ...(refs.emailRef && { emailRef: refs.emailRef }) },
    ...(receipt && { erasure: receipt }),
    meetingsHosted: await rows('meetingsHosted', async (f) => {
      const m = await meeting(f);
      if (!m) return { meetingId: f.meetingId };
      const { title, description, startsAt, durationMinutes, timeZone, recurrence, encryption, status, createdAt } = m;
      return {
        meetingId: m.id,
        title,
        ...(description !== undefined && { description }),
        startsAt,
        durationMinutes,
        timeZone,
        ...(recurrence !== undefined && { recurrence }),
        encryption,
        status,
        createdAt,
        inviteeCount: m.invitees.length,
      };
    }),
    invitations: await rows('invitations', async (f) => {
      const m = await meeting(f);
      return m
        ? {
            meetingId: m.id,
            title: m.title,
            startsAt: m.startsAt,
            durationMinutes: m.durationMinutes,
            timeZone: m.timeZone,
            status: m.status,
          }
        : { meetingId: f.meetingId };
    }),
    attendance: await rows('attendance', (f) => plain(f, 'attendance', 'participantId', 'room', 'joinedAt', 'leftAt')),
    lobbyTickets: await rows('lobbyTickets', (f) => plain(f, 'lobbyTicket', 'participantId', 'status', 'since')),
    passcodeAttempts: await rows('passcodeAttempts', (f) => plain(f, 'passcodeAttempts', 'attempts', 'windowEnds')),
    admissions: await rows('admissions', (f) => plain(f, 'admission', 'participantId', 'epoch', 'since', 'via')),
    devices: await rows('devices', (f) => ({ ...record(f, 'device').registration })),
    meetingDevices: await rows('meetingDevices', (f) => ({
      ...plain(f, 'meetingDevice', 'participantId'),
      deviceId: record(f, 'meetingDevice').deviceId,
    })),
    keyEnvelopes: await rows('keyEnvelopes', (f) => ({ meetingId: f.meetingId, epoch: record(f, 'keyEnvelope').epoch })),
    removals: await rows('removals', (f) => ({ meetingId: f.meetingId, participantId: f.participantId })),
    breakoutAssignments: await rows('breakoutAssignments', (f) => {
      const { rooms } = record(f, 'breakoutPlan');
      return { meetingId: f.meetingId, breakouts: rooms.filter((r) => r.members.includes(f.participantId!)).map((r) => r.name) };
    }),
    ...(preferences && { preferences: { productNews: preferences.productNews, marketing: preferences.marketing } }),
    reportsFiled: await rows('reportsFiled', async (f) => {
      const { reporterRef: _me, ...report } = record(f, 'report').report;
      const found = await reports.get(key, report.id);
      const text: ReportText = found?.text ?? {};
      return { ...report, ...(text.details !== undefined && { details: text.details }) };
    }),
    reportsAbout: await rows('reportsAbout', (f) => {
      const { id, meetingId, reason, status, createdAt, outcome, resolvedAt } = record(f, 'report').report;
      return { id, meetingId, reason, status, createdAt, ...(outcome && { outcome }), ...(resolvedAt && { resolvedAt }) };
    }),
    auditEntries: await rows('auditEntries', (f) => ({ ...record(f, 'auditEntry').entry })),
    guestLinks: await rows('guestLinks', (f) =>
      plain(f, 'guestLink', 'status', 'createdAt', 'validUntil', 'redeemedAt', 'guestParticipantId'),
    ),
    recordsOfHostedMeetings: of('recordsOfHostedMeetings').length,
    requestRecords,
  };
}
