import { OPERATIONS } from '../api/operations.js';
import { currentSite } from '../composition.js';
import { stale } from '../domain/errors.js';
import { checkRetention, RETENTION_BOUNDS, retentionPolicy } from '../domain/retention.js';
import { etagOf, type Tenant } from '../domain/tenant.js';
import { requireRole } from '../http/auth/tenant-user.js';
import { requiredVersion } from '../http/if-match.js';
import { route, routeGroup } from '../http/route.js';
import { schedulingFor } from '../http/tenant-context.js';

const site = currentSite();

function retentionView(tenant: Tenant) {
  return {
    status: 200,
    body: { periods: retentionPolicy(tenant.retention), bounds: RETENTION_BOUNDS, etag: etagOf(tenant.version) },
    headers: { etag: etagOf(tenant.version) },
  };
}

async function mailView(tenant: Tenant) {
  const stored = await site.mailSettings.get({ tenantId: tenant.id, keyArn: tenant.key.keyArn });
  if (!stored) return { status: 200, body: { configured: false } };
  const { host, port, secure, username, from } = stored.settings;
  return { status: 200, body: { configured: true, host, port, secure, ...(username !== undefined && { username }), from } };
}

export const handler = routeGroup({
  'GET /v1/settings/mail': route(OPERATIONS['GET /v1/settings/mail'], async (request) => {
    const principal = await site.authenticator.authenticate(request.headers);
    requireRole(principal, 'admin');
    return mailView(principal.tenant);
  }),

  'PUT /v1/settings/mail': route(OPERATIONS['PUT /v1/settings/mail'], async (request) => {
    const principal = await site.authenticator.authenticate(request.headers);
    requireRole(principal, 'admin');
    const { password, ...settings } = request.body;
    await site.mailSettings.put({ tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn }, settings, password);
    const { viewer } = await schedulingFor(site, principal);
    await site.tenants.appendAudit(principal.tenant.id, {
      actor: { type: 'user', id: viewer.userRef },
      action: 'settings.mail',
      target: `tenant/${principal.tenant.id}`,
      reason: 'mail server for invitations set by a tenant admin',
      details: { host: settings.host, port: settings.port, secure: settings.secure },
    });
    return mailView(principal.tenant);
  }),

  'GET /v1/settings/retention': route(OPERATIONS['GET /v1/settings/retention'], async (request) => {
    const principal = await site.authenticator.authenticate(request.headers);
    requireRole(principal, 'admin');
    const tenant = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    return retentionView(tenant);
  }),

  'PATCH /v1/settings/retention': route(OPERATIONS['PATCH /v1/settings/retention'], async (request) => {
    const principal = await site.authenticator.authenticate(request.headers);
    requireRole(principal, 'admin');
    const version = requiredVersion(request);
    checkRetention(request.body);
    const before = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    if (before.version !== version) throw stale('the settings were changed since they were read; read them again');
    const { viewer } = await schedulingFor(site, principal);
    const after = await site.tenants.update(
      before,
      { ...before, retention: { ...before.retention, ...request.body } },
      {
        actor: { type: 'user', id: viewer.userRef },
        action: 'settings.retention',
        target: `tenant/${before.id}`,
        reason: 'retention periods changed by a tenant admin',
        details: Object.fromEntries(Object.entries(request.body).map(([k, v]) => [k, v as number])),
      },
    );
    site.forgetRetention(before.id);
    site.authenticator.forget(before.id);
    return retentionView(after);
  }),
});
