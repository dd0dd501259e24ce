import * as z from 'zod';

const smtpSettingsBody = z.strictObject({
  transport: z.literal('smtp').optional().describe('The default'),
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/, 'must be a host name or address')
    .describe('Must be, and resolve only to, public addresses (loopback only on the local stage)'),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean(),
  username: z.string().min(1).max(254).optional(),
  password: z.string().min(1).max(512).optional(),
  from: z.email().max(254),
});

const sesSettingsBody = z.strictObject({
  transport: z.literal('ses').describe("Amazon SES, always in the home site's own region"),
  from: z.email().max(254).describe("An identity verified in SES in the home site's region"),
});

/** SMTP (the default, `transport` may be left out) or Amazon SES in the home site's region. */
export const mailSettingsBody = z.discriminatedUnion('transport', [smtpSettingsBody, sesSettingsBody], {
  error: 'must be "smtp" (the default) or "ses"',
});

export const mailSettingsResource = z.object({
  configured: z.boolean(),
  transport: z.enum(['smtp', 'ses']).optional(),
  host: z.string().optional(),
  port: z.number().int().optional(),
  secure: z.boolean().optional(),
  username: z.string().optional(),
  from: z.string().optional(),
  region: z.string().optional().describe('SES only: the home site region SES is called in'),
});

export const invitationsResult = z.object({ sent: z.number().int() });

export const mailTestBody = z.strictObject({ to: z.email().max(254).describe('Where to send the test message') });
export const mailTestResult = z.object({
  sent: z.literal(true),
  transport: z.enum(['smtp', 'ses']),
  region: z.string().optional().describe('SES only: the region it was called in'),
});
