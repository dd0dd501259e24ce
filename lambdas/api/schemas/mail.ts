import * as z from 'zod';

export const mailSettingsBody = z.strictObject({
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or address'),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  username: z.string().min(1).max(254).optional(),
  password: z.string().min(1).max(512).optional(),
  from: z.email().max(254),
});

export const mailSettingsResource = z.object({
  configured: z.boolean(),
  host: z.string().optional(),
  port: z.number().int().optional(),
  secure: z.boolean().optional(),
  username: z.string().optional(),
  from: z.string().optional(),
});

export const invitationsResult = z.object({ sent: z.number().int() });
