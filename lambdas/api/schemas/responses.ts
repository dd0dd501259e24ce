import * as z from 'zod';
import { SITE_IDS } from '../../../config/sites.js';
import { PLAN_TIERS } from '../../../config/tiers.js';

/** Response documents, described for the OpenAPI document (the handlers build them from domain types). */
export const problemDocument = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  requestId: z.string(),
  errors: z
    .array(z.object({ in: z.enum(['body', 'query', 'path', 'header']), field: z.string(), message: z.string() }))
    .optional(),
  homeSite: z.enum(SITE_IDS).optional(),
  apiUrl: z.string().optional(),
});

const dependencyStatus = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  reason: z.enum(['timeout', 'unreachable', 'missing', 'not-usable', 'error']).optional(),
});

export const healthReport = z.object({
  site: z.enum(SITE_IDS),
  region: z.string(),
  status: z.enum(['ok', 'degraded']),
  dependencies: z.object({ dynamodb: dependencyStatus, kms: dependencyStatus, livekit: dependencyStatus }),
});

export const directoryAnswer = z.object({
  tenantId: z.string(),
  slug: z.string(),
  homeSite: z.enum(SITE_IDS),
  apiUrl: z.string(),
  signIn: z
    .object({
      issuer: z
        .string()
        .describe("the tenant's OpenID provider (its discovery document is at `{issuer}/.well-known/openid-configuration`)"),
      clientId: z.string().describe("the web app's public client id there (authorization code with PKCE)"),
      audience: z.string().describe('the audience the API requires of access tokens'),
    })
    .optional()
    .describe('how a browser signs the tenant’s users in; absent when the tenant has configured no web client'),
  webUrl: z.string().describe("the tenant's web app"),
});

export const tenantResource = z.object({
  id: z.string(),
  slug: z.string(),
  vanityDomain: z.string().optional(),
  homeSite: z.enum(SITE_IDS),
  allowedSites: z.array(z.enum(SITE_IDS)),
  tier: z.enum(PLAN_TIERS),
  status: z.enum(['active', 'suspended', 'offboarding']),
  suspension: z.object({ reason: z.string(), legalBasis: z.string(), at: z.string() }).optional(),
  idp: z.object({
    issuer: z.string(),
    jwksUri: z.string(),
    audience: z.string(),
    rolesClaim: z.string(),
    emailsVerified: z.boolean().optional(),
    webClientId: z.string().optional(),
  }),
  webUrl: z.string().optional().describe("the tenant's own web app base URL; the site's default when absent"),
  key: z.object({ mode: z.enum(['managed', 'customer']), keyArn: z.string() }),
  displayNames: z.boolean(),
  guests: z.boolean().describe('whether guests may join (tenant admins turn it on at PUT /v1/settings/guests)'),
  securityContacts: z.array(z.object({ email: z.string(), name: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  etag: z.string(),
});

export const offboardingReport = z.object({
  tenantId: z.string(),
  status: z.literal('offboarded'),
  recordsDeleted: z.number().int(),
  directoryEntryRemoved: z.literal(true),
  key: z.object({
    mode: z.enum(['managed', 'customer']),
    deletionScheduledFor: z.string().optional(),
    note: z.string().optional(),
  }),
});

export const auditEntry = z.object({
  tenantId: z.string(),
  seq: z.number().int(),
  at: z.string(),
  actor: z.object({ type: z.enum(['operator', 'user', 'system']), id: z.string() }),
  action: z.string(),
  target: z.string(),
  reason: z.string(),
  legalBasis: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  subjects: z.array(z.string()).optional(),
  prevHash: z.string(),
  personalDigest: z.string(),
  salt: z.string().optional(),
  redacted: z.boolean().optional(),
  hash: z.string(),
});

export const auditPage = z.object({ items: z.array(auditEntry), nextCursor: z.string().optional() });

export const signedHead = z.object({
  site: z.string(),
  tenantId: z.string(),
  seq: z.number().int().describe('The sequence number of the newest entry when the head was signed'),
  hash: z.string().describe("That entry's hash"),
  at: z.string().describe('When that entry was written'),
  signedAt: z.string(),
  keyId: z.string().describe('The ARN of the KMS key that signed it'),
  algorithm: z.literal('ECDSA_SHA_256'),
  signature: z
    .string()
    .describe(
      'DER-encoded ECDSA P-256 signature, base64, over the UTF-8 canonical JSON (keys sorted) of ' +
        '{purpose: "meetplane-audit-head/v1", site, tenantId, seq, hash, at, signedAt}',
    ),
});

const auditBreak = z.object({
  kind: z.enum(['missing', 'edited', 'unlinked', 'rewritten', 'redaction', 'forged-head']),
  seq: z.number().int(),
  lastSeq: z.number().int().optional().describe('The last entry of a range (missing or rewritten entries)'),
  problem: z.string(),
});

export const chainVerdict = z.object({
  intact: z.boolean(),
  entries: z.number().int(),
  retainedFrom: z.number().int().optional().describe('The oldest entry kept when older ones expired'),
  expired: z.array(z.object({ seq: z.number().int(), lastSeq: z.number().int() })).optional(),
  firstBreak: auditBreak.optional(),
  breaks: z.array(auditBreak),
  signedHead: signedHead.optional().describe('The newest head whose signature verifies'),
  headsChecked: z.number().int(),
  notYetSigned: z.number().int().describe('Entries after the newest signed head, checked by the chain only'),
});

export const auditSigningKey = z.object({
  keyId: z.string(),
  algorithm: z.literal('ECDSA_SHA_256'),
  publicKeyPem: z.string().describe('The public key, SubjectPublicKeyInfo in PEM'),
});
