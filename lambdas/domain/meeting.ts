import { DateTime } from 'luxon';
import { TIER_FEATURES, type PlanTier } from '../../config/tiers.js';
import { conflict, forbidden, invalid } from './errors.js';
import { checkRecurrence, isValidTimeZone, occurrenceStarts, seriesEnd } from './recurrence.js';

export type EncryptionMode = 'standard' | 'e2ee';

/** Features that need a server to read the media; none of them can exist in an end-to-end meeting. */
export const SERVER_MEDIA_FEATURES = ['cloudRecording', 'transcription', 'liveStreaming', 'dialIn'] as const;
export type ServerMediaFeature = (typeof SERVER_MEDIA_FEATURES)[number];
export type ServerMediaFeatures = Readonly<Record<ServerMediaFeature, boolean>>;
export const NO_SERVER_MEDIA: ServerMediaFeatures = {
  cloudRecording: false,
  transcription: false,
  liveStreaming: false,
  dialIn: false,
};

/** Refuses a server-media feature in an end-to-end meeting, naming it. */
export function checkFeaturesFitEncryption(mode: EncryptionMode, features: ServerMediaFeatures): void {
  if (mode !== 'e2ee') return;
  const on = SERVER_MEDIA_FEATURES.filter((f) => features[f]);
  if (on.length > 0) {
    throw conflict(
      `${on.join(', ')} would need a server to read the media, which an end-to-end meeting never allows; turn it off first`,
      `features.${on[0]}`,
    );
  }
}
export type MeetingStatus = 'scheduled' | 'cancelled';

/** The personal fields of a meeting: sealed under the tenant's key at rest. */
export interface MeetingPersonalFields {
  readonly title: string;
  readonly description?: string;
  readonly invitees: readonly string[];
}

export interface Meeting extends MeetingPersonalFields {
  readonly id: string;
  readonly tenantId: string;
  /** The host's per-tenant pseudonym (keyed hash of the IdP subject), never the subject itself. */
  readonly hostRef: string;
  /** Keyed hashes of the invitees' addresses, to find a user's invitations without reading the sealed list. */
  readonly inviteeRefs: readonly string[];
  readonly startsAt: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly recurrence?: string;
  readonly encryption: EncryptionMode;
  readonly waitingRoom: boolean;
  readonly features: ServerMediaFeatures;
  readonly passcodeHash?: string;
  readonly status: MeetingStatus;
  /** When the last occurrence ends: what listing by time range and retention key on. */
  readonly seriesEndsAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export const MAX_DURATION_MINUTES = 24 * 60;

/** Parses an ISO-8601 instant with an offset; refuses impossible dates such as 30 February. */
export function parseInstant(field: string, value: string): DateTime {
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid)
    throw invalid(field, `is not a valid date and time (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'invalid'})`);
  return parsed.toUTC();
}

export interface ScheduleInput {
  readonly startsAt: string;
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly recurrence?: string | null;
}

/** Checks a schedule and derives the normalised rule and the end of the series. */
export function checkSchedule(input: ScheduleInput): { startsAt: string; recurrence?: string; seriesEndsAt: string } {
  const startsAt = parseInstant('startsAt', input.startsAt);
  if (!isValidTimeZone(input.timeZone)) throw invalid('timeZone', 'is not an IANA time zone such as Europe/Berlin');
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1 || input.durationMinutes > MAX_DURATION_MINUTES) {
    throw invalid('durationMinutes', `must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES}`);
  }
  const recurrence = input.recurrence ? checkRecurrence(input.recurrence, startsAt) : undefined;
  return {
    startsAt: startsAt.toISO()!,
    ...(recurrence !== undefined && { recurrence }),
    seriesEndsAt: seriesEnd(startsAt, input.timeZone, recurrence, input.durationMinutes).toUTC().toISO()!,
  };
}

export function checkEncryptionAllowed(tier: PlanTier, mode: EncryptionMode): void {
  if (mode === 'e2ee' && !TIER_FEATURES[tier].e2ee) {
    throw forbidden(`end-to-end encryption is not part of the ${tier} plan; it is offered on every plan but free`);
  }
}

/** End-to-end encryption can be turned on but never off. */
export function checkEncryptionChange(from: EncryptionMode, to: EncryptionMode): void {
  if (from === 'e2ee' && to === 'standard')
    throw conflict('an end-to-end encrypted meeting cannot return to standard encryption', 'encryption');
}

export function checkNotCancelled(meeting: Meeting): void {
  if (meeting.status === 'cancelled') throw conflict('the meeting is cancelled');
}

export interface Occurrence {
  readonly meetingId: string;
  readonly startsAt: string;
  readonly endsAt: string;
}

/** Occurrences of a meeting that overlap [from, to). */
export function occurrencesWithin(meeting: Meeting, from: DateTime, to: DateTime): Occurrence[] {
  return occurrenceStarts(DateTime.fromISO(meeting.startsAt, { zone: 'utc' }), meeting.timeZone, meeting.recurrence, { from, to })
    .map((start) => ({ start, end: start.plus({ minutes: meeting.durationMinutes }) }))
    .filter(({ start, end }) => start < to && end > from)
    .map(({ start, end }) => ({ meetingId: meeting.id, startsAt: start.toUTC().toISO()!, endsAt: end.toUTC().toISO()! }));
}
