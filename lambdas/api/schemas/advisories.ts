import * as z from 'zod';
import { REFUSABLE_CLASSES, SEVERITIES } from '../../domain/vocabulary.js';
import { queryInteger } from './common.js';

// --- security contacts ---------------------------------------------------------------------------------

export const securityContactsBody = z.strictObject({
  emails: z
    .array(z.email().max(254))
    .min(1, 'must name at least one address')
    .max(10, 'may name at most 10 addresses')
    .refine((emails) => new Set(emails.map((e) => e.toLowerCase())).size === emails.length, {
      error: 'names an address twice',
    }),
  webhook: z
    .strictObject({
      url: z
        .string()
        .max(2048)
        .describe(
          'https, to a host that is and resolves only to public addresses; the local stack accepts only loopback addresses',
        ),
      secret: z
        .string()
        .min(32, 'must be at least 32 characters')
        .max(256)
        .describe('Signs each delivery (HMAC-SHA256); write-only, never shown again'),
    })
    .optional(),
});

export const securityContactsResource = z.object({
  configured: z.boolean(),
  emails: z.array(z.string()),
  webhook: z.object({ url: z.string(), secretSet: z.boolean() }).optional(),
  updatedAt: z.string().optional(),
});

// --- advisories --------------------------------------------------------------------------------------

export const advisoryBody = z.strictObject({
  title: z.string().trim().min(3).max(200),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
  summary: z.string().trim().min(1).max(2000),
  details: z.string().trim().min(1).max(20_000).optional(),
  cve: z
    .array(z.string().regex(/^CVE-\d{4}-\d{4,7}$/, 'must be a CVE id like CVE-2026-12345'))
    .max(20)
    .optional(),
});

export const advisoryResource = z.object({
  id: z.string(),
  site: z.string(),
  publishedAt: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  summary: z.string(),
  details: z.string().optional(),
  cve: z.array(z.string()).optional(),
});

const FAILURE_CODES =
  "the mail server's reply code (e.g. `550`), SES's error name, or `refused-destination`, `unresolvable`, `timeout`, `unreachable`, `tls`, `auth`, `tenant-unavailable`";

const refusedClass = z
  .enum(REFUSABLE_CLASSES)
  .optional()
  .describe('with `refused-destination`: the kind of address the outbound policy refused');

const emailOutcome = z.union([
  z.object({ status: z.literal('sent'), recipients: z.number().int() }),
  z.object({ status: z.literal('skipped'), reason: z.enum(['no-contacts', 'no-mail-server']) }),
  z.object({
    status: z.literal('failed'),
    recipients: z.number().int(),
    sent: z.number().int(),
    error: z.string().describe(FAILURE_CODES),
    refused: refusedClass,
  }),
]);

const webhookOutcome = z.union([
  z.object({ status: z.literal('not-configured') }),
  z.object({ status: z.literal('delivered'), httpStatus: z.number().int() }),
  z.object({
    status: z.literal('failed'),
    httpStatus: z.number().int().optional(),
    error: z
      .string()
      .describe(
        '`rejected` (a non-2xx answer), `redirect`, `refused-destination`, `unresolvable`, `timeout`, `unreachable`, `url-not-allowed`, `tenant-unavailable`',
      ),
    refused: refusedClass,
  }),
]);

export const tenantDelivery = z.object({
  tenantId: z.string(),
  contacts: z.enum(['settings', 'onboarding', 'none']),
  email: emailOutcome,
  webhook: webhookOutcome,
  audited: z.literal(false).optional(),
});

export const advisoryPublication = z.object({
  advisory: advisoryResource,
  totals: z.object({
    tenants: z.number().int(),
    emailSent: z.number().int(),
    emailSkipped: z.number().int(),
    emailFailed: z.number().int(),
    webhookDelivered: z.number().int(),
    webhookFailed: z.number().int(),
  }),
  deliveries: z.array(tenantDelivery),
});

export const advisoriesQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor from an earlier page')
    .optional(),
  limit: queryInteger(1, 100).optional(),
});

export const advisoryPage = z.object({ items: z.array(advisoryResource), nextCursor: z.string().optional() });
