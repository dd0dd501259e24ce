import { advisoriesQuery, advisoryPage } from '../schemas/advisories.js';
import type { Operation } from '../operation.js';

/** The contract of the `advisories` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/advisories': {
    operationId: 'listAdvisories',
    summary: "This site's security advisories, newest first (any user of the tenant)",
    tag: 'advisories',
    auth: 'tenant',
    query: advisoriesQuery,
    success: { status: 200, description: 'A page of advisories', schema: advisoryPage },
  },
} as const satisfies Record<string, Operation>;
