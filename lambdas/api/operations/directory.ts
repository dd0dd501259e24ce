import { emptyQuery } from '../schemas/common.js';
import { directoryAnswer } from '../schemas/responses.js';
import { directoryPath } from '../schemas/tenants.js';
import type { Operation } from '../operation.js';

/** The contract of the `directory` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/directory/{slugOrDomain}': {
    operationId: 'lookUpTenant',
    summary: 'Where a tenant lives and how its users sign in: the only data both sites hold',
    tag: 'directory',
    auth: 'public',
    path: directoryPath,
    query: emptyQuery,
    success: {
      status: 200,
      description: 'The tenant id, slug, home site, its API address, its web app and, with a web client, where to sign in',
      schema: directoryAnswer,
    },
  },
} as const satisfies Record<string, Operation>;
