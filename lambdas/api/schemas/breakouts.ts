import * as z from 'zod';
import { deviceIdSchema, envelopeUploadSchema } from '../../../media/e2ee/envelope-schema.js';
import { idSchema } from './common.js';
import { participantIdSchema } from './live.js';

export const breakoutIdSchema = z.string().regex(/^br_[0-9a-f]{12}$/, 'must be a breakout id');

export const defineBreakoutsBody = z.union([
  z.strictObject({
    rooms: z
      .array(z.strictObject({ name: z.string().trim().min(1).max(60), participants: z.array(participantIdSchema).max(500) }))
      .min(1)
      .max(50),
  }),
  z.strictObject({
    split: z.strictObject({ count: z.number().int().min(1).max(50), mode: z.enum(['even', 'random', 'choice']) }),
  }),
]);

export const myBreakoutQuery = z.strictObject({
  deviceId: deviceIdSchema
    .optional()
    .describe(
      "end-to-end meetings (required there): the caller's registered device the key envelopes are for; the placement binds it, as a join does",
    ),
});

export const moveBody = z.strictObject({ participantId: participantIdSchema, to: breakoutIdSchema });
export const chooseBody = z.strictObject({ to: breakoutIdSchema });
export const closeBody = z.strictObject({ countdownSeconds: z.number().int().min(0).max(600).optional() });
export const broadcastBody = z.union([
  z.strictObject({ message: z.string().trim().min(1).max(500), countdownSeconds: z.number().int().min(1).max(3600).optional() }),
  z.strictObject({
    ciphertext: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,5600}$/, 'must be base64url, at most about 4 KiB')
      .describe('end-to-end meetings: the host client encrypts the text'),
    countdownSeconds: z.number().int().min(1).max(3600).optional(),
  }),
]);

export const breakoutPath = z.strictObject({ meetingId: idSchema('mt'), breakoutId: breakoutIdSchema });
export const breakoutEpochPath = z.strictObject({
  meetingId: idSchema('mt'),
  breakoutId: breakoutIdSchema,
  epoch: z
    .string()
    .regex(/^\d{1,9}$/, 'must be an epoch number')
    .transform(Number),
});
export { envelopeUploadSchema };

export const breakoutPlanResource = z.object({
  state: z.enum(['none', 'draft', 'open', 'closing', 'closed']),
  selfSelect: z.boolean(),
  returnAt: z.string().optional(),
  rooms: z.array(z.object({ id: z.string(), name: z.string(), members: z.array(z.string()), scope: z.string() })),
});

const grant = z.object({
  media: z.object({ url: z.string(), token: z.string() }),
  encryption: z.object({
    mode: z.enum(['standard', 'e2ee']),
    epoch: z.number().int(),
    keyIndex: z.number().int(),
    key: z.string().optional(),
  }),
});

export const myBreakout = z.object({
  state: z.enum(['none', 'draft', 'open', 'closing', 'closed']),
  returnAt: z.string().optional(),
  breakout: z.object({ id: z.string(), name: z.string(), scope: z.string() }).optional(),
  join: grant.optional(),
  /** While open breakouts let participants choose: the rooms to choose from (`POST …/breakouts/choose`). */
  choices: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
});

export const visitGrant = grant.extend({ breakout: z.object({ id: z.string(), name: z.string(), scope: z.string() }) });
