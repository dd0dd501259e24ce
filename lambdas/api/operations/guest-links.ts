import { emptyQuery } from '../schemas/common.js';
import { guestSession, redeemGuestLinkBody } from '../schemas/guests.js';
import type { Operation } from '../operation.js';

/** The contract of the `guest-links` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/guest-links/redeem': {
    operationId: 'redeemGuestLink',
    summary:
      'Redeem a guest link from an invitation, once, before it expires: a guest token for that meeting only (tenants that admit guests)',
    tag: 'guests',
    auth: 'public',
    query: emptyQuery,
    body: redeemGuestLinkBody,
    alsoAnswers: [403, 409, 410, 421],
    success: { status: 201, description: 'A guest token for the meeting', schema: guestSession },
  },
} as const satisfies Record<string, Operation>;
