import { emptyQuery } from '../schemas/common.js';
import { webhookAck } from '../schemas/live.js';
import type { Operation } from '../operation.js';

/** The contract of the `livekit-webhook` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/media/livekit/webhook': {
    operationId: 'receiveLivekitWebhook',
    summary:
      "LiveKit events, signed with a cluster's key (verified on the raw body before anything else); events about rooms another site placed are ignored",
    tag: 'media (LiveKit)',
    auth: 'livekit',
    query: emptyQuery,
    success: { status: 200, description: 'Received', schema: webhookAck },
  },
} as const satisfies Record<string, Operation>;
