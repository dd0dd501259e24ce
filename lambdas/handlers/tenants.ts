import { currentSite, tenantRulesOf } from '../composition.js';
import { invalid } from '../domain/errors.js';
import {
  changeTenantStatus,
  createTenant,
  loadTenant,
  offboardingReportFromRef,
  offboardingReportRef,
  offboardTenant,
  updateTenant,
} from '../domain/tenant-lifecycle.js';
import { etagOf, jwksUriProblem, webUrlProblem } from '../domain/tenant.js';
import { requiredVersion } from '../http/if-match.js';
import { idempotent } from '../http/idempotency.js';
import { tenantResource } from '../http/representations.js';
import { assertHomeSite, assertTenantHomedHere } from '../http/residency.js';
import { OPERATIONS } from '../api/operations/tenants.js';
import { operatorCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import { refusalAtWrite } from '../net/outbound-policy.js';

const site = currentSite();
const tenantRules = tenantRulesOf(site);
const { config } = site;

const OPERATOR_SCOPE = 'OPERATOR';

function withEtag(tenant: Parameters<typeof tenantResource>[0], status = 200) {
  return { status, body: tenantResource(tenant), headers: { etag: etagOf(tenant.version) } };
}

/** The JWKS address as spelled, then resolved and checked by the outbound policy (it is checked again at every fetch). */
async function checkIdp(idp: { jwksUri?: string } | undefined): Promise<void> {
  if (idp?.jwksUri === undefined) return;
  const problem = jwksUriProblem(idp.jwksUri, config.stage);
  if (problem) throw invalid('idp.jwksUri', problem);
  const refusal = await refusalAtWrite(site.outbound, new URL(idp.jwksUri).hostname);
  if (refusal) throw invalid('idp.jwksUri', refusal);
}

function checkWebUrl(webUrl: string | null | undefined): void {
  const problem = webUrl ? webUrlProblem(webUrl, config.stage) : undefined;
  if (problem) throw invalid('webUrl', problem);
}

function statusRoute(
  key: 'POST /v1/tenants/{tenantId}/suspend' | 'POST /v1/tenants/{tenantId}/reinstate',
  change: 'suspend' | 'reinstate',
) {
  return route(OPERATIONS[key], async (request) => {
    const actor = request.caller;
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    const tenant = await changeTenantStatus(tenantRules, request.path.tenantId, change, request.body, actor);
    site.authenticator.forget(tenant.id);
    return withEtag(tenant);
  });
}

export const handler = routeGroup(operatorCallers(config), {
  'POST /v1/tenants': route(OPERATIONS['POST /v1/tenants'], async (request, context) => {
    const actor = request.caller;
    assertHomeSite(config, request.body.homeSite);
    await checkIdp(request.body.idp);
    checkWebUrl(request.body.webUrl);
    return idempotent(
      site.idempotency,
      OPERATOR_SCOPE,
      request,
      async () => {
        const tenant = await createTenant(tenantRules, request.body, actor);
        return {
          result: { ...withEtag(tenant, 201), headers: { etag: etagOf(tenant.version), location: `/v1/tenants/${tenant.id}` } },
          ref: tenant.id,
        };
      },
      async (tenantId, status) => {
        const result = withEtag(await loadTenant(tenantRules, tenantId), status);
        return { ...result, headers: { ...result.headers, location: `/v1/tenants/${tenantId}` } };
      },
      context,
    );
  }),

  'GET /v1/tenants/{tenantId}': route(OPERATIONS['GET /v1/tenants/{tenantId}'], async (request) => {
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    return withEtag(await loadTenant(tenantRules, request.path.tenantId));
  }),

  'PATCH /v1/tenants/{tenantId}': route(OPERATIONS['PATCH /v1/tenants/{tenantId}'], async (request) => {
    const actor = request.caller;
    await assertTenantHomedHere(config, site.directory, request.path.tenantId);
    const version = requiredVersion(request);
    await checkIdp(request.body.idp);
    checkWebUrl(request.body.webUrl);
    const tenant = await updateTenant(tenantRules, request.path.tenantId, version, request.body, actor);
    site.authenticator.forget(tenant.id);
    return withEtag(tenant);
  }),

  'POST /v1/tenants/{tenantId}/suspend': statusRoute('POST /v1/tenants/{tenantId}/suspend', 'suspend'),
  'POST /v1/tenants/{tenantId}/reinstate': statusRoute('POST /v1/tenants/{tenantId}/reinstate', 'reinstate'),

  'POST /v1/tenants/{tenantId}/offboard': route(OPERATIONS['POST /v1/tenants/{tenantId}/offboard'], async (request, context) => {
    const actor = request.caller;
    const { tenantId } = request.path;
    // A retry with the same Idempotency-Key answers with the first report; the tenant is gone by then, so the
    // key is looked up before anything about the tenant is.
    return idempotent(
      site.idempotency,
      OPERATOR_SCOPE,
      request,
      async () => {
        await assertTenantHomedHere(config, site.directory, tenantId);
        const report = await offboardTenant(tenantRules, tenantId, request.body, actor);
        site.authenticator.forget(report.tenantId);
        return { result: { status: 200, body: report }, ref: offboardingReportRef(report) };
      },
      async (ref, status) => ({ status, body: offboardingReportFromRef(tenantId, ref) }),
      context,
    );
  }),
});
