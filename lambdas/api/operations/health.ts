import { emptyQuery } from '../schemas/common.js';
import { healthReport } from '../schemas/responses.js';
import type { Operation } from '../operation.js';

/** The contract of the `health` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/health': {
    operationId: 'getHealth',
    summary: "The site's id and region, and whether each dependency answers",
    tag: 'site',
    auth: 'public',
    query: emptyQuery,
    success: {
      status: 200,
      description: 'Every dependency is up (503 with the same document when one is down)',
      schema: healthReport,
    },
  },
} as const satisfies Record<string, Operation>;
