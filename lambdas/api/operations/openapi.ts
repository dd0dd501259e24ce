import * as z from 'zod';
import { emptyQuery } from '../schemas/common.js';
import type { Operation } from '../operation.js';

/** The contract of the `openapi` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tag: 'site',
    auth: 'public',
    query: emptyQuery,
    success: { status: 200, description: 'The OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
  },
} as const satisfies Record<string, Operation>;
