import { emptyQuery } from '../schemas/common.js';
import { offboardingReport, tenantResource } from '../schemas/responses.js';
import { createTenantBody, offboardBody, patchTenantBody, statusChangeBody, tenantPath } from '../schemas/tenants.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `tenants` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/tenants': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'createTenant',
    summary: 'Onboard a tenant at its home site',
    tag: 'tenants (operator)',
    auth: 'operator',
    idempotent: true,
    query: emptyQuery,
    body: createTenantBody,
    success: { status: 201, description: 'The new tenant', schema: tenantResource, etag: true, location: true },
  },
  'GET /v1/tenants/{tenantId}': {
    operationId: 'getTenant',
    summary: 'Read a tenant',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    success: { status: 200, description: 'The tenant, with its ETag', schema: tenantResource, etag: true },
  },
  'PATCH /v1/tenants/{tenantId}': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'updateTenant',
    summary: "Change a tenant's settings",
    tag: 'tenants (operator)',
    auth: 'operator',
    ifMatch: 'required',
    path: tenantPath,
    query: emptyQuery,
    body: patchTenantBody,
    success: { status: 200, description: 'The changed tenant', schema: tenantResource, etag: true },
  },
  'POST /v1/tenants/{tenantId}/suspend': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'suspendTenant',
    summary: 'Suspend a tenant, with a reason and a legal basis its admins can read',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    body: statusChangeBody,
    success: { status: 200, description: 'The suspended tenant', schema: tenantResource, etag: true },
  },
  'POST /v1/tenants/{tenantId}/reinstate': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'reinstateTenant',
    summary: 'Reinstate a suspended tenant',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    body: statusChangeBody,
    success: { status: 200, description: 'The reinstated tenant', schema: tenantResource, etag: true },
  },
  'POST /v1/tenants/{tenantId}/offboard': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'offboardTenant',
    summary: 'Offboard a tenant: shred its managed key, delete its records and its directory entry',
    tag: 'tenants (operator)',
    auth: 'operator',
    idempotent: true,
    path: tenantPath,
    query: emptyQuery,
    body: offboardBody,
    success: { status: 200, description: 'What was done', schema: offboardingReport },
  },
} as const satisfies Record<string, Operation>;
