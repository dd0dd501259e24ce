import type { AbuseReport } from './abuse-reports.js';
import { auditEntryConcerns, type AuditEntry } from './audit.js';
import type { GuestLink } from './guests.js';
import { FINDING_KINDS } from './vocabulary.js';
export { FINDING_KINDS };

/**
 * Data-subject requests: finding everything a site holds about one user of a
 * tenant, and what erasing each piece means. The rules only see typed records
 * and the user's pseudonyms; the data-subject store reads and changes them.
 */

/** The user in the tenant's pseudonyms. */
export interface SubjectRefs {
  readonly userRef: string;
  /** Present when the admin named the user's address: it finds their invitations. */
  readonly emailRef?: string;
  /** Their participant pseudonym in one meeting. */
  participantIdIn(meetingId: string): string;
}

/** The store's handle on one stored record: opaque here, handed back to the store to change or delete it. */
export type RecordRef = string;

/**
 * A record of the tenant's partition, as the rules see it: by kind, with the
 * fields the rules and the export need (the data-subject store reads them).
 * Records about no one (the tenant's profile, settings, the audit head…) are
 * not among them.
 */
export type SubjectRecord = { readonly ref: RecordRef } & (
  | { readonly kind: 'meeting'; readonly meetingId: string; readonly hostRef: string; readonly inviteeRefs: readonly string[] }
  | { readonly kind: 'liveState'; readonly meetingId: string; readonly removed: readonly string[] }
  | {
      readonly kind: 'breakoutPlan';
      readonly meetingId: string;
      readonly rooms: readonly { readonly name: string; readonly members: readonly string[] }[];
    }
  | {
      readonly kind: 'attendance';
      readonly meetingId: string;
      readonly participantId: string;
      readonly room?: string;
      readonly joinedAt?: string;
      readonly leftAt?: string;
    }
  | {
      readonly kind: 'lobbyTicket';
      readonly meetingId: string;
      readonly participantId: string;
      readonly userRef: string;
      readonly status?: string;
      readonly since?: string;
    }
  | {
      readonly kind: 'passcodeAttempts';
      readonly meetingId: string;
      readonly participantId: string;
      readonly attempts?: number;
      readonly windowEnds?: number;
    }
  | {
      readonly kind: 'admission';
      readonly meetingId: string;
      readonly participantId: string;
      readonly epoch?: number;
      readonly since?: string;
      readonly via?: string;
    }
  /** A device registration: public keys only; `userRef` is its owner (a user, or a guest's pseudonym). */
  | {
      readonly kind: 'device';
      readonly deviceId: string;
      readonly userRef?: string;
      readonly registration: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'meetingDevice'; readonly meetingId: string; readonly participantId: string; readonly deviceId?: string }
  | { readonly kind: 'keyEnvelope'; readonly meetingId: string; readonly epoch: number; readonly deviceId: string }
  | { readonly kind: 'mediaKey'; readonly meetingId: string }
  | ({ readonly kind: 'guestLink' } & Omit<GuestLink, 'hash'>)
  | {
      readonly kind: 'preferences';
      readonly userRef: string;
      readonly preferences: { readonly productNews?: boolean; readonly marketing?: boolean };
    }
  | { readonly kind: 'report'; readonly report: AbuseReport }
  | { readonly kind: 'reportClip'; readonly reportId: string }
  | { readonly kind: 'auditEntry'; readonly entry: AuditEntry }
);
export type RecordKind = SubjectRecord['kind'];
export type RecordOf<K extends RecordKind> = Extract<SubjectRecord, { readonly kind: K }>;

/**
 * What erasing a finding does. `delete` removes the item; the others remove
 * only the user from an item that is also about others (a meeting's invitee
 * list, its removals, a breakout plan, a report about them, an audit entry).
 */
export type ErasureAction = 'delete' | 'uninvite' | 'unremove' | 'unassign' | 'unlink-report' | 'redact-audit';

export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly kind: FindingKind;
  readonly action: ErasureAction;
  readonly record: SubjectRecord;
  /** The meeting the item belongs to, if any. */
  readonly meetingId?: string;
  /** The user's participant pseudonym in that meeting. */
  readonly participantId?: string;
}

/** The meeting a record belongs to, if any (a report names its meeting but is the tenant's, not the meeting's). */
export function meetingIdOf(record: SubjectRecord): string | undefined {
  return 'meetingId' in record ? record.meetingId : undefined;
}

const ofKind =
  <K extends RecordKind>(kind: K) =>
  (record: SubjectRecord): record is RecordOf<K> =>
    record.kind === kind;

/**
 * Everything in `records` (one tenant's partition) about the user. Meetings
 * they host are erased whole, with every record hanging off them; elsewhere
 * only what is theirs goes.
 */
export function findSubjectData(records: readonly SubjectRecord[], refs: SubjectRefs): Finding[] {
  const findings: Finding[] = [];
  const hosted = new Set(records.filter(ofKind('meeting')).flatMap((r) => (r.hostRef === refs.userRef ? [r.meetingId] : [])));
  // Guest links sent to their address, and what the guest who redeemed one left (under the guest's own pseudonyms).
  const guestLinks = records
    .filter(ofKind('guestLink'))
    .filter((r) => refs.emailRef !== undefined && r.inviteeRef === refs.emailRef);
  const asGuest = new Set(guestLinks.flatMap((r) => (r.guestParticipantId !== undefined ? [r.guestParticipantId] : [])));
  // A device registration is keyed by its id (unique in the tenant) and names its owner: the user, or them as a guest.
  const owners = new Set([refs.userRef, ...guestLinks.flatMap((r) => (r.guestRef !== undefined ? [r.guestRef] : []))]);
  const deviceIds = new Set(
    records.filter(ofKind('device')).flatMap((r) => (r.userRef !== undefined && owners.has(r.userRef) ? [r.deviceId] : [])),
  );
  const meetingIds = new Set(records.map(meetingIdOf).filter((id): id is string => id !== undefined));
  const filedReports = new Set(
    records.filter(ofKind('report')).flatMap((r) => (r.report.reporterRef === refs.userRef ? [r.report.id] : [])),
  );
  const personRefs = new Set([refs.userRef, ...[...meetingIds].map((id) => refs.participantIdIn(id))]);

  for (const record of records) {
    const meetingId = meetingIdOf(record);
    const participantId = meetingId && refs.participantIdIn(meetingId);
    const theirs = (pid: string | undefined) => (pid !== undefined && pid === participantId) || asGuest.has(pid as string);
    const found = (kind: FindingKind, action: ErasureAction) =>
      findings.push({ kind, action, record, ...(meetingId && { meetingId }), ...(participantId && { participantId }) });

    if (meetingId && hosted.has(meetingId)) {
      found(record.kind === 'meeting' ? 'meetingsHosted' : 'recordsOfHostedMeetings', 'delete');
      continue;
    }
    switch (record.kind) {
      case 'meeting':
        if (refs.emailRef !== undefined && record.inviteeRefs.includes(refs.emailRef)) found('invitations', 'uninvite');
        break;
      case 'guestLink':
        if (guestLinks.includes(record)) found('guestLinks', 'delete');
        break;
      case 'attendance':
        if (theirs(record.participantId)) found('attendance', 'delete');
        break;
      case 'lobbyTicket':
        if (theirs(record.participantId) || record.userRef === refs.userRef) found('lobbyTickets', 'delete');
        break;
      case 'passcodeAttempts':
        if (theirs(record.participantId)) found('passcodeAttempts', 'delete');
        break;
      case 'admission':
        if (theirs(record.participantId)) found('admissions', 'delete');
        break;
      case 'device':
        if (deviceIds.has(record.deviceId)) found('devices', 'delete');
        break;
      case 'meetingDevice':
        if (theirs(record.participantId)) found('meetingDevices', 'delete');
        break;
      case 'keyEnvelope':
        if (deviceIds.has(record.deviceId)) found('keyEnvelopes', 'delete');
        break;
      case 'liveState':
        if (record.removed.includes(participantId!)) found('removals', 'unremove');
        break;
      case 'breakoutPlan':
        if (record.rooms.some((r) => r.members.includes(participantId!))) found('breakoutAssignments', 'unassign');
        break;
      case 'preferences':
        if (record.userRef === refs.userRef) found('preferences', 'delete');
        break;
      case 'report': {
        const { report } = record;
        if (report.reporterRef === refs.userRef)
          findings.push({ kind: 'reportsFiled', action: 'delete', record, meetingId: report.meetingId });
        else if (
          report.reportedParticipantId !== undefined &&
          report.reportedParticipantId === refs.participantIdIn(report.meetingId)
        )
          findings.push({ kind: 'reportsAbout', action: 'unlink-report', record, meetingId: report.meetingId });
        break;
      }
      case 'reportClip':
        if (filedReports.has(record.reportId)) found('reportClips', 'delete');
        break;
      case 'auditEntry':
        if (auditEntryConcerns(record.entry, personRefs)) found('auditEntries', 'redact-audit');
        break;
      case 'mediaKey':
        // A media key is the meeting's, not a person's: it goes only with a meeting they host.
        break;
    }
  }
  return findings;
}

/** How many findings of each kind: the shape of an erasure report. */
export function countByKind(findings: readonly Finding[]): Partial<Record<FindingKind, number>> {
  const counts: Partial<Record<FindingKind, number>> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}
