import * as z from 'zod';
import { passcodeSchema } from './meetings.js';
import { idSchema } from './common.js';

export const participantIdSchema = z.string().regex(/^p_[A-Za-z0-9_-]{32}$/, 'must be a participant id from the meeting');
export const ticketSchema = z.string().regex(/^lt_[0-9a-f]{24}$/, 'must be a lobby ticket');

export const joinBody = z.strictObject({
  passcode: passcodeSchema.optional(),
  displayName: z.string().trim().min(1).max(80).optional(),
});

export const ticketPath = z.strictObject({ meetingId: idSchema('mt'), ticket: ticketSchema });
export const participantPath = z.strictObject({ meetingId: idSchema('mt'), participantId: participantIdSchema });
export const muteBody = z.strictObject({
  trackSid: z.string().regex(/^TR_[A-Za-z0-9]{1,40}$/, 'must be a LiveKit track sid'),
  muted: z.boolean(),
});
export const nodePath = z.strictObject({ nodeId: z.string().regex(/^[a-z0-9-]{1,40}$/) });

const encryption = z.object({ mode: z.enum(['standard', 'e2ee']), epoch: z.number().int() });
const media = z.object({ url: z.string(), token: z.string() });

export const joinResult = z.union([
  z.object({
    status: z.literal('admitted'),
    participantId: z.string(),
    role: z.enum(['host', 'participant']),
    media,
    encryption,
  }),
  z.object({ status: z.literal('waiting'), ticket: z.string() }),
]);

export const lobbyStatus = z.union([
  z.object({
    status: z.literal('admitted'),
    participantId: z.string(),
    role: z.enum(['host', 'participant']),
    media,
    encryption,
  }),
  z.object({ status: z.enum(['waiting', 'denied']) }),
]);

export const lobbyList = z.object({
  items: z.array(z.object({ ticket: z.string(), since: z.string(), displayName: z.string().optional() })),
});

export const liveStateResource = z.object({
  locked: z.boolean(),
  ended: z.boolean(),
  epoch: z.number().int(),
  site: z.string().optional(),
  removed: z.number().int(),
});

export const attendanceList = z.object({
  items: z.array(
    z.object({ participantId: z.string(), room: z.string(), joinedAt: z.string().optional(), leftAt: z.string().optional() }),
  ),
});

export const nodeList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      site: z.string(),
      url: z.string(),
      status: z.enum(['active', 'draining']),
      healthy: z.boolean(),
      participants: z.number().int(),
    }),
  ),
});

export const webhookAck = z.object({ received: z.boolean(), duplicate: z.boolean().optional() });
