import { emptyQuery } from '../schemas/common.js';
import { grantBody, grantList, grantPath, grantResource, preferencesBody, preferencesResource } from '../schemas/privacy.js';
import type { Operation } from '../operation.js';

/** The contract of the `privacy` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/support/grants': {
    operationId: 'createSupportGrant',
    summary: 'Consent to support access for one ticket, scope and time, inside or also outside the EU (admins)',
    tag: 'privacy',
    auth: 'tenant',
    idempotent: true,
    query: emptyQuery,
    body: grantBody,
    success: { status: 201, description: 'The grant', schema: grantResource },
  },
  'GET /v1/support/grants': {
    operationId: 'listSupportGrants',
    summary: "The tenant's support grants (admins)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The grants', schema: grantList },
  },
  'DELETE /v1/support/grants/{grantId}': {
    operationId: 'revokeSupportGrant',
    summary: 'Revoke a support grant at once (admins)',
    tag: 'privacy',
    auth: 'tenant',
    path: grantPath,
    query: emptyQuery,
    success: { status: 204, description: 'Revoked' },
  },
  'GET /v1/me/preferences': {
    operationId: 'getPreferences',
    summary: "The caller's communication preferences (off until they opt in)",
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'The preferences', schema: preferencesResource },
  },
  'PATCH /v1/me/preferences': {
    operationId: 'updatePreferences',
    summary: 'Opt in to or out of product news and marketing',
    tag: 'privacy',
    auth: 'tenant',
    query: emptyQuery,
    body: preferencesBody,
    success: { status: 200, description: 'The preferences', schema: preferencesResource },
  },
} as const satisfies Record<string, Operation>;
