import * as z from 'zod';
import { emptyQuery, queryInteger } from '../schemas/common.js';
import { auditPage, chainVerdict } from '../schemas/responses.js';
import type { Operation } from '../operation.js';

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
    summary: "The tenant's audit log, oldest first (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: auditQuery,
    success: { status: 200, description: 'A page of audit entries', schema: auditPage },
  },
  'GET /v1/audit/verify': {
    summary: "Recompute the audit log's hash chain and report the first break (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'Whether the chain is intact', schema: chainVerdict },
  },
} as const satisfies Record<string, Operation>;
