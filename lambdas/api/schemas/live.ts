import * as z from 'zod';
import {
  deviceIdSchema,
  deviceRegistrationSchema,
  envelopeSchema,
  envelopeUploadSchema,
} from '../../../media/e2ee/envelope-schema.js';
import { passcodeSchema } from './meetings.js';
import { idSchema, queryInteger } from './common.js';

export const participantIdSchema = z.string().regex(/^p_[A-Za-z0-9_-]{32}$/, 'must be a participant id from the meeting');
export const ticketSchema = z.string().regex(/^lt_[0-9a-f]{24}$/, 'must be a lobby ticket');

export const joinBody = z.strictObject({
  passcode: passcodeSchema.optional(),
  displayName: z.string().trim().min(1).max(80).optional(),
  deviceId: deviceIdSchema.optional().describe('end-to-end meetings: the registered device the key envelopes are for'),
});

export const ticketPath = z.strictObject({ meetingId: idSchema('mt'), ticket: ticketSchema });
export const participantPath = z.strictObject({ meetingId: idSchema('mt'), participantId: participantIdSchema });
export const muteBody = z.strictObject({
  trackSid: z.string().regex(/^TR_[A-Za-z0-9]{1,40}$/, 'must be a LiveKit track sid'),
  muted: z.boolean(),
});
export const clusterPath = z.strictObject({ clusterId: z.string().regex(/^[a-z0-9-]{1,40}$/) });

const encryption = z.object({
  mode: z.enum(['standard', 'e2ee']),
  epoch: z.number().int(),
  keyIndex: z.number().int(),
  key: z.string().optional().describe('standard mode only: the epoch key, base64 (32 bytes)'),
});
const media = z.object({ url: z.string(), token: z.string() });

const admitted = z.object({
  status: z.literal('admitted'),
  participantId: z.string(),
  role: z.enum(['host', 'participant']),
  media,
  encryption,
});

export const joinResult = z.union([admitted, z.object({ status: z.literal('waiting'), ticket: z.string() })]);

export const lobbyStatus = z.union([admitted, z.object({ status: z.enum(['waiting', 'denied']) })]);

export const lobbyList = z.object({
  items: z.array(
    z.object({
      ticket: z.string(),
      since: z.string(),
      displayName: z.string().optional(),
      guest: z.literal(true).optional().describe('they came by a guest link, not through the organisation’s sign-in'),
    }),
  ),
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

export const clusterList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      site: z.string(),
      /** The cluster's endpoint, or each of its nodes' where they are reached directly, and whether each answered its last probe. */
      endpoints: z.array(z.object({ url: z.string(), healthy: z.boolean() })),
      status: z.enum(['active', 'draining']),
      healthy: z.boolean(),
      participants: z.number().int(),
    }),
  ),
});

export const webhookAck = z.object({
  received: z.boolean(),
  duplicate: z.boolean().optional(),
  /** About a room another site placed (every site of a cluster hears its webhooks): nothing was stored. */
  ignored: z.boolean().optional(),
});

export const keyQuery = z.strictObject({
  epoch: queryInteger(0, 1_000_000),
});

export const epochKey = z.object({ epoch: z.number().int(), keyIndex: z.number().int(), key: z.string() });

export { deviceRegistrationSchema, envelopeUploadSchema };

export const epochPath = z.strictObject({
  meetingId: idSchema('mt'),
  epoch: z
    .string()
    .regex(/^\d{1,9}$/, 'must be an epoch number')
    .transform(Number),
});
export const envelopeQuery = z.strictObject({ deviceId: deviceIdSchema });
export const deviceResource = z.object({ deviceId: z.string(), registered: z.literal(true) });
export const meetingDevices = z.object({
  epoch: z.number().int(),
  items: z.array(z.object({ participantId: z.string(), registration: deviceRegistrationSchema })),
});
export const envelopeResource = envelopeSchema;
export const devicePath = z.strictObject({ meetingId: idSchema('mt'), deviceId: deviceIdSchema });
export const boundDeviceResource = z.object({
  participantId: z.string(),
  registration: deviceRegistrationSchema.describe(
    "the device's self-signed registration: check it with verifyDeviceRegistration",
  ),
});
