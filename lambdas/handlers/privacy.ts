import { OPERATIONS } from '../api/operations/privacy.js';
import { currentSite, privacyStore } from '../composition.js';
import { notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { checkGrantRequest, type SupportGrant } from '../domain/support.js';
import { requireRole } from '../http/auth/tenant-user.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { idempotent } from '../http/idempotency.js';
import { route, routeGroup } from '../http/route.js';
import { auditAsCaller, principalPseudonyms } from '../http/tenant-context.js';

const site = currentSite();
const privacy = privacyStore(site);

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'POST /v1/support/grants': route(OPERATIONS['POST /v1/support/grants'], async (request, context) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const now = new Date();
    checkGrantRequest(request.body.expiresAt, now);
    const admin = await principalPseudonyms(site, principal);
    // A retry with the same Idempotency-Key answers with the grant the first request made, and grants nothing twice.
    return idempotent(
      site.idempotency,
      site.idempotency.userScope(principal.tenant.id, admin.userRef),
      request,
      async () => {
        const grant: SupportGrant = {
          id: newId('sg'),
          ticketId: request.body.ticketId,
          scopes: [...new Set(request.body.scopes)],
          expiresAt: new Date(request.body.expiresAt).toISOString(),
          allowOutsideEu: request.body.allowOutsideEu,
          createdAt: now.toISOString(),
          revoked: false,
        };
        await privacy.putGrant(principal.tenant.id, grant);
        await auditAsCaller(site, principal, {
          action: 'support.grant',
          target: `support/${grant.id}`,
          reason: `consent for ticket ${grant.ticketId}`,
          details: { scopes: grant.scopes, expiresAt: grant.expiresAt, allowOutsideEu: grant.allowOutsideEu },
        });
        return { result: { status: 201, body: grant }, ref: grant.id };
      },
      async (grantId, status) => {
        const grant = (await privacy.grants(principal.tenant.id)).find((g) => g.id === grantId);
        if (!grant) throw notFound('The grant this request made is gone (expired and removed)');
        return { status, body: grant };
      },
      context,
    );
  }),

  'GET /v1/support/grants': route(OPERATIONS['GET /v1/support/grants'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    return { status: 200, body: { items: await privacy.grants(principal.tenant.id) } };
  }),

  'DELETE /v1/support/grants/{grantId}': route(OPERATIONS['DELETE /v1/support/grants/{grantId}'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    await privacy.revokeGrant(principal.tenant.id, request.path.grantId);
    await auditAsCaller(site, principal, {
      action: 'support.revoke',
      target: `support/${request.path.grantId}`,
      reason: 'consent withdrawn',
    });
    return { status: 204 };
  }),

  'GET /v1/me/preferences': route(OPERATIONS['GET /v1/me/preferences'], async (request) => {
    const principal = request.caller;
    const viewer = await principalPseudonyms(site, principal);
    return { status: 200, body: await privacy.preferences(principal.tenant.id, viewer.userRef) };
  }),

  'PATCH /v1/me/preferences': route(OPERATIONS['PATCH /v1/me/preferences'], async (request) => {
    const principal = request.caller;
    const viewer = await principalPseudonyms(site, principal);
    const next = { ...(await privacy.preferences(principal.tenant.id, viewer.userRef)), ...request.body };
    await privacy.setPreferences(principal.tenant.id, viewer.userRef, next);
    return { status: 200, body: next };
  }),
});
