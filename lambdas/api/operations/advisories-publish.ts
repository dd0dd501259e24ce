import { advisoryBody, advisoryPublication } from '../schemas/advisories.js';
import { emptyQuery } from '../schemas/common.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `advisories-publish` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/advisories': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'publishAdvisory',
    summary:
      "Publish a security advisory for this site and deliver it to every active tenant homed here: e-mail to its security contacts through the tenant's own mail transport (none without one), and its signed webhook; one tenant's failure does not stop the others; each tenant's audit log records it. The report carries codes and counts only: a mail server or webhook the outbound policy refuses is `error: 'refused-destination'` with `refused` naming the kind of address (e.g. `loopback`, `private`, `metadata`); connection failures are `unresolvable`, `timeout` or `unreachable`, never a socket's error code",
    tag: 'advisories (operator)',
    auth: 'operator',
    idempotent: true,
    query: emptyQuery,
    body: advisoryBody,
    success: { status: 201, description: 'The advisory and what was delivered to each tenant', schema: advisoryPublication },
  },
} as const satisfies Record<string, Operation>;
