import { currentSite } from '../composition.js';
import { invalid } from '../domain/errors.js';
import { changeTenantStatus, createTenant, loadTenant, offboardTenant, updateTenant } from '../domain/tenant-lifecycle.js';
import { etagOf, jwksUriProblem, versionFromEtag } from '../domain/tenant.js';
import { authenticateOperator } from '../http/auth/operator.js';
import { idempotent } from '../http/idempotency.js';
import { problems } from '../http/problem.js';
import type { ParsedRequest, RequestSchemas } from '../http/request.js';
import { tenantResource } from '../http/representations.js';
import { assertHomeSite, assertTenantHomedHere } from '../http/residency.js';
import { route, routeGroup } from '../http/route.js';
import { emptyQuery } from '../http/schemas/common.js';
import { createTenantBody, offboardBody, patchTenantBody, statusChangeBody, tenantPath } from '../http/schemas/tenants.js';

const site = currentSite();
const { config } = site;

const OPERATOR_SCOPE = 'OPERATOR';

function withEtag(tenant: Parameters<typeof tenantResource>[0], status = 200) {
  return { status, body: tenantResource(tenant), headers: { etag: etagOf(tenant.version) } };
}

function expectedVersion(request: ParsedRequest<RequestSchemas>): number {
  const ifMatch = request.headers['if-match'];
  if (ifMatch === undefined) throw problems.preconditionRequired();
  const version = versionFromEtag(ifMatch);
  if (version === undefined) throw problems.preconditionFailed('If-Match does not name a version of this tenant');
  return version;
}

function checkIdp(idp: { jwksUri?: string } | undefined): void {
  if (idp?.jwksUri === undefined) return;
  const problem = jwksUriProblem(idp.jwksUri, config.stage);
  if (problem) throw invalid('idp.jwksUri', problem);
}

export const handler = routeGroup({
  'POST /v1/tenants': route({ query: emptyQuery, body: createTenantBody }, async (request) => {
    const actor = authenticateOperator(request, config);
    assertHomeSite(config, request.body.homeSite);
    checkIdp(request.body.idp);
    return idempotent(
      site.idempotency,
      OPERATOR_SCOPE,
      request,
      async () => {
        const tenant = await createTenant(site.tenantRules, request.body, actor);
        return {
          result: { ...withEtag(tenant, 201), headers: { etag: etagOf(tenant.version), location: `/v1/tenants/${tenant.id}` } },
          ref: tenant.id,
        };
      },
      async (tenantId, status) => withEtag(await loadTenant(site.tenantRules, tenantId), status),
    );
  }),

  'GET /v1/tenants/{tenantId}': route({ path: tenantPath, query: emptyQuery }, async (request) => {
    authenticateOperator(request, config);
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    return withEtag(await loadTenant(site.tenantRules, request.path.tenantId));
  }),

  'PATCH /v1/tenants/{tenantId}': route({ path: tenantPath, query: emptyQuery, body: patchTenantBody }, async (request) => {
    const actor = authenticateOperator(request, config);
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    const version = expectedVersion(request);
    checkIdp(request.body.idp);
    const tenant = await updateTenant(site.tenantRules, request.path.tenantId, version, request.body, actor);
    site.authenticator.forget(tenant.id);
    return withEtag(tenant);
  }),

  'POST /v1/tenants/{tenantId}/suspend': route(
    { path: tenantPath, query: emptyQuery, body: statusChangeBody },
    async (request) => {
      const actor = authenticateOperator(request, config);
      await assertTenantHomedHere(config, site.directory, request.path.tenantId);
      const tenant = await changeTenantStatus(site.tenantRules, request.path.tenantId, 'suspend', request.body, actor);
      site.authenticator.forget(tenant.id);
      return withEtag(tenant);
    },
  ),

  'POST /v1/tenants/{tenantId}/reinstate': route(
    { path: tenantPath, query: emptyQuery, body: statusChangeBody },
    async (request) => {
      const actor = authenticateOperator(request, config);
      await assertTenantHomedHere(config, site.directory, request.path.tenantId);
      const tenant = await changeTenantStatus(site.tenantRules, request.path.tenantId, 'reinstate', request.body, actor);
      site.authenticator.forget(tenant.id);
      return withEtag(tenant);
    },
  ),

  'POST /v1/tenants/{tenantId}/offboard': route({ path: tenantPath, query: emptyQuery, body: offboardBody }, async (request) => {
    const actor = authenticateOperator(request, config);
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    const report = await offboardTenant(site.tenantRules, request.path.tenantId, request.body, actor);
    site.authenticator.forget(report.tenantId);
    return { status: 200, body: report };
  }),
});
