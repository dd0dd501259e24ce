import { DateTime } from 'luxon';
import { normaliseAddress } from './address.js';
import type { PlanTier } from '../../config/tiers.js';
import { forbidden, invalid, notFound, stale } from './errors.js';
import { newId } from './ids.js';
import {
  checkEncryptionAllowed,
  checkEncryptionChange,
  checkFeaturesFitEncryption,
  NO_SERVER_MEDIA,
  type ServerMediaFeatures,
  checkNotCancelled,
  checkSchedule,
  occurrencesWithin,
  parseInstant,
  type EncryptionMode,
  type Meeting,
} from './meeting.js';

/** Who asks, in pseudonyms: the tenant's keyed hashes of their subject and e-mail address. */
export interface Viewer {
  readonly userRef: string;
  readonly emailRef?: string;
  readonly admin: boolean;
  readonly host: boolean;
}

export interface MeetingAccess {
  readonly read: boolean;
  readonly manage: boolean;
  readonly isHost: boolean;
}

/** Admins see and manage every meeting; hosts manage their own; invitees may read. */
export function accessOf(meeting: Meeting, viewer: Viewer): MeetingAccess {
  const isHost = meeting.hostRef === viewer.userRef;
  const invited = viewer.emailRef !== undefined && meeting.inviteeRefs.includes(viewer.emailRef);
  return { read: viewer.admin || isHost || invited, manage: viewer.admin || (isHost && viewer.host), isHost };
}

export interface MeetingRepository {
  get(meetingId: string): Promise<Meeting | undefined>;
  put(meeting: Meeting, expectedVersion?: number): Promise<void>;
  overlapping(from: string, to: string, visibleTo?: { hostRef: string; inviteeRef?: string }): Promise<Meeting[]>;
}

export interface SchedulingContext {
  readonly tenantId: string;
  readonly tier: PlanTier;
  readonly meetings: MeetingRepository;
  /** Keyed hash of an e-mail address under the tenant's pseudonym key. */
  readonly emailRef: (email: string) => string;
  readonly hashPasscode: (passcode: string) => Promise<string>;
  readonly now: () => Date;
}

export interface MeetingInput {
  readonly title: string;
  readonly description?: string;
  readonly startsAt: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly recurrence?: string;
  readonly encryption: EncryptionMode;
  readonly waitingRoom: boolean;
  readonly passcode?: string;
  readonly invitees?: readonly string[];
  readonly features?: Partial<ServerMediaFeatures>;
}

const normaliseInvitees = (invitees: readonly string[]) => [...new Set(invitees.map(normaliseAddress))];

/**
 * Schedules a new meeting. `id`, when given, names it (a retry of the same
 * request names the same meeting, see lambdas/http/idempotency.ts): if a
 * meeting of that id exists already, the write is refused as `stale`.
 */
export async function scheduleMeeting(
  ctx: SchedulingContext,
  viewer: Viewer,
  input: MeetingInput,
  id: string = newId('mt'),
): Promise<Meeting> {
  if (!viewer.host && !viewer.admin) throw forbidden('scheduling meetings needs the host or admin role');
  const schedule = checkSchedule(input);
  checkEncryptionAllowed(ctx.tier, input.encryption);
  const features = { ...NO_SERVER_MEDIA, ...input.features };
  checkFeaturesFitEncryption(input.encryption, features);
  const invitees = normaliseInvitees(input.invitees ?? []);
  const at = ctx.now().toISOString();
  const meeting: Meeting = {
    id,
    tenantId: ctx.tenantId,
    hostRef: viewer.userRef,
    title: input.title,
    ...(input.description !== undefined && { description: input.description }),
    invitees,
    inviteeRefs: invitees.map(ctx.emailRef),
    ...schedule,
    durationMinutes: input.durationMinutes,
    timeZone: input.timeZone,
    encryption: input.encryption,
    waitingRoom: input.waitingRoom,
    features,
    ...(input.passcode !== undefined && { passcodeHash: await ctx.hashPasscode(input.passcode) }),
    status: 'scheduled',
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await ctx.meetings.put(meeting);
  return meeting;
}

/** A meeting the viewer may read; anything else, another tenant's meetings included, is simply not found. */
export async function readableMeeting(
  ctx: SchedulingContext,
  viewer: Viewer,
  meetingId: string,
): Promise<{ meeting: Meeting; access: MeetingAccess }> {
  const meeting = await ctx.meetings.get(meetingId);
  if (!meeting) throw notFound('No such meeting');
  const access = accessOf(meeting, viewer);
  if (!access.read) throw notFound('No such meeting');
  return { meeting, access };
}

async function manageableMeeting(ctx: SchedulingContext, viewer: Viewer, meetingId: string, expectedVersion?: number) {
  const { meeting, access } = await readableMeeting(ctx, viewer, meetingId);
  if (!access.manage) throw forbidden('only the host or an admin may change this meeting');
  if (expectedVersion !== undefined && meeting.version !== expectedVersion)
    throw stale('the meeting was changed since it was read; read it again');
  return { meeting, access };
}

export type MeetingPatch = { readonly [K in keyof MeetingInput]?: MeetingInput[K] | null };

export async function updateMeeting(
  ctx: SchedulingContext,
  viewer: Viewer,
  meetingId: string,
  expectedVersion: number,
  patch: MeetingPatch,
): Promise<{ meeting: Meeting; access: MeetingAccess }> {
  const { meeting: before, access } = await manageableMeeting(ctx, viewer, meetingId, expectedVersion);
  checkNotCancelled(before);
  if (patch.encryption != null) {
    checkEncryptionChange(before.encryption, patch.encryption);
    checkEncryptionAllowed(ctx.tier, patch.encryption);
  }
  const schedule = checkSchedule({
    startsAt: patch.startsAt ?? before.startsAt,
    durationMinutes: patch.durationMinutes ?? before.durationMinutes,
    timeZone: patch.timeZone ?? before.timeZone,
    recurrence: patch.recurrence === null ? undefined : (patch.recurrence ?? before.recurrence),
  });
  const invitees = patch.invitees != null ? normaliseInvitees(patch.invitees) : before.invitees;
  const features = { ...NO_SERVER_MEDIA, ...before.features, ...(patch.features ?? {}) };
  checkFeaturesFitEncryption(patch.encryption ?? before.encryption, features);
  const { description: _d, recurrence: _r, passcodeHash: _p, ...kept } = before;
  const description = patch.description === null ? undefined : (patch.description ?? before.description);
  const passcodeHash =
    patch.passcode === null ? undefined : patch.passcode != null ? await ctx.hashPasscode(patch.passcode) : before.passcodeHash;
  const after: Meeting = {
    ...kept,
    ...schedule,
    title: patch.title ?? before.title,
    ...(description !== undefined && { description }),
    durationMinutes: patch.durationMinutes ?? before.durationMinutes,
    timeZone: patch.timeZone ?? before.timeZone,
    encryption: patch.encryption ?? before.encryption,
    waitingRoom: patch.waitingRoom ?? before.waitingRoom,
    features,
    ...(passcodeHash !== undefined && { passcodeHash }),
    invitees,
    inviteeRefs: invitees.map(ctx.emailRef),
    updatedAt: ctx.now().toISOString(),
    version: before.version + 1,
  };
  await ctx.meetings.put(after, before.version);
  return { meeting: after, access };
}

export async function cancelMeeting(ctx: SchedulingContext, viewer: Viewer, meetingId: string, expectedVersion?: number) {
  const { meeting, access } = await manageableMeeting(ctx, viewer, meetingId, expectedVersion);
  if (meeting.status === 'cancelled') return { meeting, access };
  const after: Meeting = { ...meeting, status: 'cancelled', updatedAt: ctx.now().toISOString(), version: meeting.version + 1 };
  await ctx.meetings.put(after, meeting.version);
  return { meeting: after, access };
}

export const MAX_LIST_RANGE_DAYS = 100;

export interface OccurrenceView {
  readonly meeting: Meeting;
  readonly access: MeetingAccess;
  readonly startsAt: string;
  readonly endsAt: string;
}

/**
 * The viewer's occurrences in [from, to), recurring meetings expanded in their
 * own time zones, ordered by start then meeting id; `after` continues from a
 * cursor position.
 */
export async function listOccurrences(
  ctx: SchedulingContext,
  viewer: Viewer,
  range: { from: string; to: string },
  page: { limit: number; after?: { startsAt: string; meetingId: string } },
): Promise<{ items: OccurrenceView[]; more: boolean }> {
  const from = parseInstant('from', range.from);
  const to = parseInstant('to', range.to);
  if (to <= from) throw invalid('to', 'must lie after from');
  if (to.diff(from, 'days').days > MAX_LIST_RANGE_DAYS)
    throw invalid('to', `may lie at most ${MAX_LIST_RANGE_DAYS} days after from`);
  const visibleTo = viewer.admin
    ? undefined
    : { hostRef: viewer.userRef, ...(viewer.emailRef && { inviteeRef: viewer.emailRef }) };
  const meetings = await ctx.meetings.overlapping(from.toISO()!, to.toISO()!, visibleTo);
  const views = meetings
    .flatMap((meeting) => occurrencesWithin(meeting, from, to).map((o) => ({ meeting, access: accessOf(meeting, viewer), ...o })))
    .sort((a, b) => (a.startsAt === b.startsAt ? a.meeting.id.localeCompare(b.meeting.id) : a.startsAt < b.startsAt ? -1 : 1))
    .filter(
      (v) =>
        !page.after ||
        DateTime.fromISO(v.startsAt) > DateTime.fromISO(page.after.startsAt) ||
        (v.startsAt === page.after.startsAt && v.meeting.id > page.after.meetingId),
    );
  return { items: views.slice(0, page.limit), more: views.length > page.limit };
}
