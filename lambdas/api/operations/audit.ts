import * as z from 'zod';
import { emptyQuery, queryInteger } from '../schemas/common.js';
import { auditPage, auditSigningKey, chainVerdict, signedHead } from '../schemas/responses.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';
import { AUDIT_ACTOR_TYPES } from '../../domain/vocabulary.js';

export const auditQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, 'must be a cursor from an earlier page')
    .optional(),
  limit: queryInteger(1, 200).optional(),
  actor: z.enum(AUDIT_ACTOR_TYPES).optional().describe('Only entries by this kind of actor'),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/, 'must be an action such as settings.retention, or its group such as settings')
    .max(100)
    .optional()
    .describe('Only this action, or every action of this group (`support` matches `support.grant`, `support.read`, …)'),
});

/** The contract of the `audit` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/audit': {
    operationId: 'listAuditEntries',
    summary:
      "The tenant's audit log, oldest first, optionally only one kind of actor's entries or one action's; a filtered page reads at most 2000 entries, so it may hold fewer than `limit` with a `nextCursor` to go on (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: auditQuery,
    success: { status: 200, description: 'A page of audit entries', schema: auditPage },
  },
  'GET /v1/audit/verify': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'verifyAuditLog',
    summary:
      'Check every entry of the audit log against its hash chain and its signed heads; report missing, edited and rewritten entries (admins)',
    tag: 'audit',
    auth: 'tenant',
    query: emptyQuery,
    success: {
      status: 200,
      description: 'Whether the log is intact, every break found, the newest signed head and how many entries follow it',
      schema: chainVerdict,
    },
  },
  'POST /v1/audit/heads': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'signAuditHead',
    summary: "Sign the audit log's head now with the site's audit signing key and keep it (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 201, description: 'The signed head', schema: signedHead },
  },
  'GET /v1/audit/signing-key': {
    operationId: 'getAuditSigningKey',
    summary: "The public key of the site's audit signing key, to verify signed heads anywhere (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The key id, algorithm and public key (PEM)', schema: auditSigningKey },
  },
} as const satisfies Record<string, Operation>;
