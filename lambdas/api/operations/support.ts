import { supportMeeting, supportMeetingPath, supportQuery, supportSettings, supportTenantPath } from '../schemas/privacy.js';
import type { Operation } from '../operation.js';

/** The contract of the `support` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/support/tenants/{tenantId}/settings': {
    operationId: 'supportGetTenantSettings',
    summary: "Support: a tenant's settings, only under a live grant for the ticket; every use is in the tenant's audit log",
    tag: 'support (operator)',
    auth: 'operator',
    path: supportTenantPath,
    query: supportQuery,
    success: { status: 200, description: 'The settings (nothing personal)', schema: supportSettings },
  },
  'GET /v1/support/tenants/{tenantId}/meetings/{meetingId}': {
    operationId: 'supportGetMeeting',
    summary: "Support: a meeting's metadata, only under a live grant for the ticket; every use is audited",
    tag: 'support (operator)',
    auth: 'operator',
    path: supportMeetingPath,
    query: supportQuery,
    success: { status: 200, description: 'Metadata without title, description or invitees', schema: supportMeeting },
  },
} as const satisfies Record<string, Operation>;
