import { auditEntryConcerns, type AuditEntry } from './audit.js';

/**
 * Data-subject requests: finding everything a site holds about one user of a
 * tenant, and what erasing each piece means. The rules only see stored items
 * and the user's pseudonyms; the stores read and change the items.
 */

/** The user in the tenant's pseudonyms. */
export interface SubjectRefs {
  readonly userRef: string;
  /** Present when the admin named the user's address: it finds their invitations. */
  readonly emailRef?: string;
  /** Their participant pseudonym in one meeting. */
  participantIdIn(meetingId: string): string;
}

/** An item of the tenant's partition as stored (unmarshalled). */
export type StoredItem = { readonly sk: string } & Readonly<Record<string, unknown>>;

/**
 * What erasing a finding does. `delete` removes the item; the others remove
 * only the user from an item that is also about others (a meeting's invitee
 * list, its removals, a breakout plan, a report about them, an audit entry).
 */
export type ErasureAction = 'delete' | 'uninvite' | 'unremove' | 'unassign' | 'unlink-report' | 'redact-audit';

export const FINDING_KINDS = [
  'meetingsHosted',
  'invitations',
  'attendance',
  'lobbyTickets',
  'passcodeAttempts',
  'admissions',
  'devices',
  'meetingDevices',
  'keyEnvelopes',
  'removals',
  'breakoutAssignments',
  'preferences',
  'reportsFiled',
  'reportClips',
  'reportsAbout',
  'auditEntries',
  'guestLinks',
  'recordsOfHostedMeetings',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  readonly kind: FindingKind;
  readonly action: ErasureAction;
  readonly item: StoredItem;
  /** The meeting the item belongs to, if any. */
  readonly meetingId?: string;
  /** The user's participant pseudonym in that meeting. */
  readonly participantId?: string;
}

const MEETING_SCOPED = ['ATT', 'LOBBY', 'PASS', 'ADM', 'MDEV', 'ENV', 'LIVE', 'BRK', 'MKEY', 'GUEST', 'M'] as const;

/** The meeting id an item's sort key carries, e.g. `ATT#mt_…#sid`. */
export function meetingIdOf(sk: string): string | undefined {
  const [prefix, id] = sk.split('#');
  return (MEETING_SCOPED as readonly string[]).includes(prefix ?? '') && id?.startsWith('mt_') ? id : undefined;
}

/**
 * Everything in `items` (one tenant's partition) about the user. Meetings
 * they host are erased whole, with every record hanging off them; elsewhere
 * only what is theirs goes.
 */
export function findSubjectData(items: readonly StoredItem[], refs: SubjectRefs): Finding[] {
  const findings: Finding[] = [];
  const hosted = new Set(items.filter((i) => i.sk.startsWith('M#') && i.hostRef === refs.userRef).map((i) => meetingIdOf(i.sk)!));
  // Guest links sent to their address, and what the guest who redeemed one left (under the guest's own pseudonyms).
  const guestLinks = items.filter(
    (i) => i.sk.startsWith('GUEST#') && refs.emailRef !== undefined && i.inviteeRef === refs.emailRef,
  );
  const asGuest = new Set(guestLinks.flatMap((i) => (typeof i.guestParticipantId === 'string' ? [i.guestParticipantId] : [])));
  // A device registration is keyed by its id (unique in the tenant) and names its owner: the user, or them as a guest.
  const owners = new Set([refs.userRef, ...guestLinks.flatMap((i) => (typeof i.guestRef === 'string' ? [i.guestRef] : []))]);
  const isOwnDevice = (i: StoredItem) => i.sk.startsWith('DEV#') && typeof i.userRef === 'string' && owners.has(i.userRef);
  const deviceIds = new Set(items.filter(isOwnDevice).map((i) => i.sk.slice('DEV#'.length)));
  const meetingIds = new Set(items.map((i) => meetingIdOf(i.sk)).filter((id): id is string => id !== undefined));
  const filedReports = new Set(
    items
      .filter((i) => i.sk.startsWith('REPORT#') && (i.report as { reporterRef?: string }).reporterRef === refs.userRef)
      .map((i) => i.sk.slice('REPORT#'.length)),
  );
  const personRefs = new Set([refs.userRef, ...[...meetingIds].map((id) => refs.participantIdIn(id))]);

  for (const item of items) {
    const { sk } = item;
    const meetingId = meetingIdOf(sk);
    const participantId = meetingId && refs.participantIdIn(meetingId);
    const theirs = (pid: unknown) => (pid !== undefined && pid === participantId) || asGuest.has(pid as string);
    const found = (kind: FindingKind, action: ErasureAction) =>
      findings.push({ kind, action, item, ...(meetingId && { meetingId }), ...(participantId && { participantId }) });

    if (meetingId && hosted.has(meetingId)) {
      found(sk.startsWith('M#') ? 'meetingsHosted' : 'recordsOfHostedMeetings', 'delete');
    } else if (sk.startsWith('M#')) {
      if (refs.emailRef !== undefined && ((item.inviteeRefs as string[] | undefined) ?? []).includes(refs.emailRef))
        found('invitations', 'uninvite');
    } else if (sk.startsWith('GUEST#')) {
      if (guestLinks.includes(item)) found('guestLinks', 'delete');
    } else if (sk.startsWith('ATT#')) {
      if (theirs(item.participantId)) found('attendance', 'delete');
    } else if (sk.startsWith('LOBBY#')) {
      if (theirs(item.participantId) || item.userRef === refs.userRef) found('lobbyTickets', 'delete');
    } else if (sk.startsWith('PASS#')) {
      if (theirs(sk.split('#')[2])) found('passcodeAttempts', 'delete');
    } else if (sk.startsWith('ADM#')) {
      if (theirs(item.participantId)) found('admissions', 'delete');
    } else if (isOwnDevice(item)) {
      found('devices', 'delete');
    } else if (sk.startsWith('MDEV#')) {
      if (theirs(item.participantId)) found('meetingDevices', 'delete');
    } else if (sk.startsWith('ENV#')) {
      if (deviceIds.has(sk.split('#')[3] ?? '')) found('keyEnvelopes', 'delete');
    } else if (sk.startsWith('LIVE#')) {
      if (((item.removed as string[] | undefined) ?? []).includes(participantId!)) found('removals', 'unremove');
    } else if (sk.startsWith('BRK#')) {
      const rooms = (item.plan as { rooms?: { members: string[] }[] } | undefined)?.rooms ?? [];
      if (rooms.some((r) => r.members.includes(participantId!))) found('breakoutAssignments', 'unassign');
    } else if (sk === `PREF#${refs.userRef}`) {
      found('preferences', 'delete');
    } else if (sk.startsWith('REPORT#')) {
      const report = item.report as { reporterRef?: string; reportedParticipantId?: string; meetingId: string };
      if (report.reporterRef === refs.userRef)
        findings.push({ kind: 'reportsFiled', action: 'delete', item, meetingId: report.meetingId });
      else if (
        report.reportedParticipantId !== undefined &&
        report.reportedParticipantId === refs.participantIdIn(report.meetingId)
      )
        findings.push({ kind: 'reportsAbout', action: 'unlink-report', item, meetingId: report.meetingId });
    } else if (sk.startsWith('REPORTCLIP#')) {
      if (filedReports.has(sk.slice('REPORTCLIP#'.length))) found('reportClips', 'delete');
    } else if (sk.startsWith('AUDIT#') && sk !== 'AUDIT#HEAD') {
      if (auditEntryConcerns(item.entry as AuditEntry, personRefs)) found('auditEntries', 'redact-audit');
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
