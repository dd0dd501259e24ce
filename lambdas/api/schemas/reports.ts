import * as z from 'zod';
import { CLIP_CONTENT_TYPES, REPORT_OUTCOMES, REPORT_REASONS } from '../../domain/abuse-reports.js';
import { idSchema, queryInteger } from './common.js';
import { participantIdSchema } from './live.js';

export const reportBody = z.strictObject({
  reason: z.enum(REPORT_REASONS),
  details: z.string().trim().min(1).max(2000).optional(),
  /** The participant the report is about, as the meeting knows them. */
  participantId: participantIdSchema.optional(),
  clip: z
    .strictObject({
      contentType: z.enum(CLIP_CONTENT_TYPES),
      data: z.base64({ error: 'must be base64' }).min(4),
    })
    .optional(),
});

export const reportPath = z.strictObject({ reportId: idSchema('ar') });

export const reportListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  cursor: idSchema('ar').optional(),
  limit: queryInteger(1, 100).optional(),
});

export const resolveBody = z.strictObject({
  outcome: z.enum(REPORT_OUTCOMES),
  note: z.string().trim().min(1).max(2000).optional(),
});

const reportSummary = z.object({
  id: z.string(),
  meetingId: z.string(),
  reason: z.enum(REPORT_REASONS),
  status: z.enum(['open', 'resolved']),
  createdAt: z.string(),
  participantId: z.string().optional(),
  clip: z.object({ contentType: z.enum(CLIP_CONTENT_TYPES), bytes: z.number().int() }).optional(),
  outcome: z.enum(REPORT_OUTCOMES).optional(),
  resolvedAt: z.string().optional(),
});

/** What the reporter gets back: that it arrived, nothing of anyone else. */
export const reportReceipt = z.object({ id: z.string(), status: z.literal('open'), createdAt: z.string() });
export const reportList = z.object({ items: z.array(reportSummary), nextCursor: z.string().optional() });
export const reportResource = reportSummary.extend({
  details: z.string().optional(),
  resolutionNote: z.string().optional(),
});
export const clipResource = z.object({ contentType: z.enum(CLIP_CONTENT_TYPES), data: z.string() });
