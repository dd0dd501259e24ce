import * as z from 'zod';
import { PLAN_TIERS } from '../../../config/tiers.js';
import { idSchema, legalBasisSchema, reasonSchema, siteIdSchema } from './common.js';

export const slugSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, 'must be 3–40 lower-case letters, digits and hyphens, starting with a letter');

export const domainSchema = z
  .string()
  .max(253)
  .regex(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case host name such as meet.example.org',
  );

export const kmsKeyArnSchema = z
  .string()
  .regex(
    /^arn:aws:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)',
  );

const urlSchema = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(512);

const webClientIdSchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,256}$/, 'must be 1–256 printable characters without spaces')
  .describe("the web app's public client id at the IdP; the directory tells browsers to sign in with it");

export const webUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(512)
  // Runs even when the URL check failed: an unparsable value is that check's to report, not this one's to throw on.
  .refine((raw) => !raw.includes('?') && !raw.includes('#') && !URL.parse(raw)?.username, 'must have no query, fragment or user')
  .transform((raw) => raw.replace(/\/+$/, ''))
  .describe(
    "the tenant's web app base URL (https on a deployed site): invitations link to `{webUrl}/{slug}/m/{meetingId}` and guests to `{webUrl}/{slug}/guest#{code}`",
  );

export const idpSchema = z.strictObject({
  issuer: z.string().min(1).max(512),
  jwksUri: urlSchema.describe(
    'https (http only on loopback on the local stage); its host must be, and resolve only to, public addresses (loopback too on the local stage): checked when set, naming the check, and at every key fetch, which goes to the address checked',
  ),
  audience: z.string().min(1).max(256),
  rolesClaim: z
    .string()
    .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name')
    .optional(),
  emailsVerified: z
    .boolean()
    .optional()
    .describe(
      'the IdP verifies every address it puts in a token; otherwise an `email` claim counts only with `email_verified: true`',
    ),
  webClientId: webClientIdSchema.optional(),
});

export const securityContactSchema = z.strictObject({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(100).optional(),
});

export const keySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('managed') }),
  z.strictObject({ mode: z.literal('customer'), keyArn: kmsKeyArnSchema }),
]);

export const createTenantBody = z.strictObject({
  slug: slugSchema,
  vanityDomain: domainSchema.optional(),
  homeSite: siteIdSchema,
  allowedSites: z.array(siteIdSchema).max(5).optional(),
  tier: z.enum(PLAN_TIERS),
  idp: idpSchema,
  webUrl: webUrlSchema.optional(),
  key: keySchema.optional(),
  securityContacts: z.array(securityContactSchema).max(10).optional(),
  displayNames: z.boolean().optional(),
});

export const patchTenantBody = z
  .strictObject({
    slug: slugSchema.optional(),
    vanityDomain: domainSchema.nullable().optional(),
    allowedSites: z.array(siteIdSchema).max(5).optional(),
    tier: z.enum(PLAN_TIERS).optional(),
    idp: idpSchema
      .extend({ webClientId: webClientIdSchema.nullable().describe('null removes it') })
      .partial()
      .optional(),
    webUrl: webUrlSchema.nullable().optional().describe('null returns to the site default'),
    securityContacts: z.array(securityContactSchema).max(10).optional(),
    displayNames: z.boolean().optional(),
    reason: reasonSchema.optional(),
  })
  .refine((body) => Object.keys(body).some((k) => k !== 'reason'), { error: 'names no field to change' });

export const statusChangeBody = z.strictObject({ reason: reasonSchema, legalBasis: legalBasisSchema });

export const offboardBody = z.strictObject({ reason: reasonSchema, legalBasis: legalBasisSchema, confirmSlug: slugSchema });

export const tenantPath = z.strictObject({ tenantId: idSchema('tn') });

export const directoryPath = z.strictObject({
  slugOrDomain: z
    .string()
    .min(3)
    .max(253)
    .regex(/^[a-z0-9.-]+$/, 'must be a slug or a host name'),
});
