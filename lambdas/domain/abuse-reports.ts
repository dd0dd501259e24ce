import { conflict, notFound, tooLarge } from './errors.js';
import { roleIn, type Joiner } from './live-meeting.js';
import type { Meeting } from './meeting.js';

export const REPORT_REASONS = ['harassment', 'hate', 'sexual-content', 'violence', 'spam', 'impersonation', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export const REPORT_OUTCOMES = ['no-action', 'warned', 'removed-from-meeting', 'account-action'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

/**
 * A clip is the few seconds the reporter's client kept of what it played: at
 * most 192 KiB, so that it and its encryption fit one DynamoDB item and the
 * server never holds more than a moment of anyone's meeting.
 */
export const CLIP_MAX_BYTES = 192 * 1024;
export const CLIP_CONTENT_TYPES = ['audio/ogg', 'audio/webm', 'video/webm', 'video/mp4', 'image/png', 'image/jpeg'] as const;
export type ClipContentType = (typeof CLIP_CONTENT_TYPES)[number];

/** A report as stored, without its sealed text and clip. */
export interface AbuseReport {
  readonly id: string;
  readonly meetingId: string;
  readonly reason: ReportReason;
  readonly status: 'open' | 'resolved';
  readonly createdAt: string;
  /** Who filed it, as the tenant's user pseudonym. */
  readonly reporterRef: string;
  /** Whom it is about, as their per-meeting participant pseudonym, if the reporter named someone. */
  readonly reportedParticipantId?: string;
  readonly clip?: { readonly contentType: ClipContentType; readonly bytes: number };
  readonly resolvedAt?: string;
  readonly outcome?: ReportOutcome;
}

/** What a report says in words: sealed under the tenant's key. */
export interface ReportText {
  readonly details?: string;
  readonly resolutionNote?: string;
}

/**
 * Anyone who may attend the meeting may report something in it, even after
 * being removed from it; anyone else cannot tell it exists.
 */
export function checkMayReport(meeting: Pick<Meeting, 'hostRef' | 'inviteeRefs'>, reporter: Joiner): void {
  const invited =
    meeting.inviteeRefs.length === 0 || (reporter.emailRef !== undefined && meeting.inviteeRefs.includes(reporter.emailRef));
  if (roleIn(meeting, reporter) !== 'host' && !invited) throw notFound('No such meeting');
}

/** The clip's bytes from its base64 form, refused beyond the limit. */
export function decodeClip(base64: string): Buffer {
  // base64 is 4 characters per 3 bytes: refuse before decoding what is clearly too large.
  if (Math.floor((base64.length * 3) / 4) > CLIP_MAX_BYTES + 2) throw clipTooLarge();
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > CLIP_MAX_BYTES) throw clipTooLarge();
  return bytes;
}

const clipTooLarge = () => tooLarge(`the clip may be at most ${CLIP_MAX_BYTES} bytes; send the last few seconds`, 'clip.data');

/** Resolves an open report once; a second resolution is a conflict. */
export function resolveReport(report: AbuseReport, outcome: ReportOutcome, at: Date): AbuseReport {
  if (report.status === 'resolved') throw conflict(`the report was already resolved (${report.outcome ?? 'resolved'})`);
  return { ...report, status: 'resolved', outcome, resolvedAt: at.toISOString() };
}
