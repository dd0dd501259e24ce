import * as z from 'zod';
import { idSchema, queryInteger, reasonSchema } from './common.js';

const instant = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date and time with an offset, e.g. 2026-12-01T09:00:00+01:00' })
  .meta({ description: 'ISO-8601 date and time with an offset', examples: ['2026-12-01T09:00:00+01:00'] });

export const passcodeSchema = z
  .string()
  .min(6, 'must be at least 6 characters')
  .max(32, 'must be at most 32 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters without spaces');

const meetingFields = {
  title: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ examples: ['Physics 101'] }),
  description: z.string().max(5000),
  startsAt: instant,
  durationMinutes: z.number().int().min(1, 'must be at least 1 minute').max(1440, 'must be at most 24 hours (1440 minutes)'),
  timeZone: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: 'IANA time zone', examples: ['Europe/Berlin'] }),
  recurrence: z
    .string()
    .max(500)
    .meta({
      description: 'RFC 5545 RRULE that ends (COUNT or UNTIL), at most daily',
      examples: ['FREQ=WEEKLY;BYDAY=MO;COUNT=10'],
    }),
  encryption: z.enum(['standard', 'e2ee']),
  waitingRoom: z.boolean(),
  passcode: passcodeSchema,
  invitees: z.array(z.email().max(254)).max(300),
  features: z
    .strictObject({
      cloudRecording: z.boolean().optional(),
      transcription: z.boolean().optional(),
      liveStreaming: z.boolean().optional(),
      dialIn: z.boolean().optional(),
    })
    .describe('features that need a server to read the media: refused in end-to-end meetings'),
};

export const createMeetingBody = z.strictObject({
  title: meetingFields.title,
  description: meetingFields.description.optional(),
  startsAt: meetingFields.startsAt,
  durationMinutes: meetingFields.durationMinutes,
  timeZone: meetingFields.timeZone,
  recurrence: meetingFields.recurrence.optional(),
  encryption: meetingFields.encryption.default('standard'),
  waitingRoom: meetingFields.waitingRoom.default(false),
  passcode: meetingFields.passcode.optional(),
  invitees: meetingFields.invitees.optional(),
  features: meetingFields.features.optional(),
});

export const patchMeetingBody = z
  .strictObject({
    title: meetingFields.title.optional(),
    description: meetingFields.description.nullable().optional(),
    startsAt: meetingFields.startsAt.optional(),
    durationMinutes: meetingFields.durationMinutes.optional(),
    timeZone: meetingFields.timeZone.optional(),
    recurrence: meetingFields.recurrence.nullable().optional(),
    encryption: meetingFields.encryption.optional(),
    waitingRoom: meetingFields.waitingRoom.optional(),
    passcode: meetingFields.passcode.nullable().optional(),
    invitees: meetingFields.invitees.optional(),
    features: meetingFields.features.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'names no field to change' });

export const meetingPath = z.strictObject({ meetingId: idSchema('mt') });

export const listMeetingsQuery = z.strictObject({
  from: instant,
  to: instant,
  cursor: z.string().max(200).optional(),
  limit: queryInteger(1, 100).optional(),
});

export const cancelMeetingQuery = z.strictObject({ reason: reasonSchema.optional() });

export const meetingResource = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  startsAt: z.string(),
  durationMinutes: z.number().int(),
  timeZone: z.string(),
  recurrence: z.string().optional(),
  encryption: z.enum(['standard', 'e2ee']),
  waitingRoom: z.boolean(),
  features: z.object({
    cloudRecording: z.boolean(),
    transcription: z.boolean(),
    liveStreaming: z.boolean(),
    dialIn: z.boolean(),
  }),
  passcodeProtected: z.boolean(),
  invitees: z.array(z.string()).optional().describe('only for the host and admins'),
  status: z.enum(['scheduled', 'cancelled']),
  isHost: z.boolean(),
  seriesEndsAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  etag: z.string(),
});

export const occurrencePage = z.object({
  items: z.array(
    z.object({
      meetingId: z.string(),
      title: z.string(),
      startsAt: z.string(),
      endsAt: z.string(),
      timeZone: z.string(),
      recurring: z.boolean(),
      encryption: z.enum(['standard', 'e2ee']),
      isHost: z.boolean(),
    }),
  ),
  nextCursor: z.string().optional(),
});
