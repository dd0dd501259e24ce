import * as z from 'zod';
import { emptyQuery, queryInteger } from '../schemas/common.js';
import { auditPage, auditSigningKey, chainVerdict, signedHead } from '../schemas/responses.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

const auditQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, 'must be a cursor from an earlier page')
    .optional(),
  limit: queryInteger(1, 200).optional(),
});

/** The contract of the `audit` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/audit': {
    operationId: 'listAuditEntries',
    summary: "The tenant's audit log, oldest first (admins)",
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
