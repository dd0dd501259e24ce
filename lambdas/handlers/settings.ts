import { OPERATIONS } from '../api/operations/settings.js';
import { currentSite, mailSettingsStore, securityContactsStore } from '../composition.js';
import { webhookUrlProblem } from '../domain/advisories.js';
import { invalid, stale } from '../domain/errors.js';
import { requireMailSettings, smtpHostProblem } from '../domain/mail.js';
import { sendTestMessage, sesTargetOf } from '../mail/mailer.js';
import { organisationOverview, type KeyRotation } from '../domain/residency.js';
import { checkRetention, RETENTION_BOUNDS, retentionPolicy } from '../domain/retention.js';
import { kmsTenantKeys } from '../keys/tenant-keys.js';
import { etagOf, type Tenant } from '../domain/tenant.js';
import { requireRole } from '../http/auth/tenant-user.js';
import { optionalVersion, requiredVersion } from '../http/if-match.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import { refusalAtWrite } from '../net/outbound-policy.js';
import { auditAsCaller, principalPseudonyms } from '../http/tenant-context.js';

const site = currentSite();
const mailSettings = mailSettingsStore(site);
const securityContacts = securityContactsStore(site);
const tenantKeys = kmsTenantKeys(site.clients.kms, site.config.siteId);

function retentionView(tenant: Tenant) {
  return {
    status: 200,
    body: { periods: retentionPolicy(tenant.retention), bounds: RETENTION_BOUNDS, etag: etagOf(tenant.version) },
    headers: { etag: etagOf(tenant.version) },
  };
}

function guestsView(tenant: Tenant) {
  return {
    status: 200,
    body: { enabled: tenant.guests === true, etag: etagOf(tenant.version) },
    headers: { etag: etagOf(tenant.version) },
  };
}

async function mailView(tenant: Tenant) {
  const stored = await mailSettings.get({ tenantId: tenant.id, keyArn: tenant.key.keyArn });
  if (!stored) return { status: 200, body: { configured: false } };
  const settings = stored.settings;
  if (settings.transport === 'ses') {
    return { status: 200, body: { configured: true, transport: 'ses', from: settings.from, region: site.config.region } };
  }
  const { host, port, secure, username, from } = settings;
  return {
    status: 200,
    body: { configured: true, transport: 'smtp', host, port, secure, ...(username !== undefined && { username }), from },
  };
}

async function securityContactsView(tenant: Tenant) {
  const stored = await securityContacts.get({ tenantId: tenant.id, keyArn: tenant.key.keyArn });
  if (!stored) return { status: 200, body: { configured: false, emails: [] } };
  const { emails, webhook } = stored.contacts;
  return {
    status: 200,
    body: {
      configured: true,
      emails,
      ...(webhook && { webhook: { url: webhook.url, secretSet: true } }),
      updatedAt: stored.updatedAt,
    },
  };
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'GET /v1/settings/organisation': route(OPERATIONS['GET /v1/settings/organisation'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const tenant = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    const rotation: KeyRotation =
      tenant.key.mode === 'customer'
        ? 'customer-controlled'
        : (await tenantKeys.rotationEnabled(tenant.key.keyArn))
          ? 'automatic'
          : 'off';
    const here = { siteId: site.config.siteId, region: site.config.region };
    return { status: 200, body: organisationOverview(tenant, here, retentionPolicy(tenant.retention), rotation) };
  }),

  'GET /v1/settings/mail': route(OPERATIONS['GET /v1/settings/mail'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    return mailView(principal.tenant);
  }),

  'PUT /v1/settings/mail': route(OPERATIONS['PUT /v1/settings/mail'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const key = { tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn };
    const body = request.body;
    if (body.transport === 'ses') {
      await mailSettings.put(key, { transport: 'ses', from: body.from }, undefined);
    } else {
      const { password, transport: _smtp, ...smtp } = body;
      const hostProblem = smtpHostProblem(smtp.host, site.config.stage) ?? (await refusalAtWrite(site.outbound, smtp.host));
      if (hostProblem) throw invalid('host', hostProblem);
      await mailSettings.put(key, { transport: 'smtp', ...smtp }, password);
    }
    await auditAsCaller(site, principal, {
      action: 'settings.mail',
      target: `tenant/${principal.tenant.id}`,
      reason: 'mail server for invitations set by a tenant admin',
      details:
        body.transport === 'ses'
          ? { transport: 'ses', region: site.config.region }
          : { transport: 'smtp', host: body.host, port: body.port, secure: body.secure },
    });
    return mailView(principal.tenant);
  }),

  'POST /v1/settings/mail/test': route(OPERATIONS['POST /v1/settings/mail/test'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const mail = await mailSettings.get({ tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn });
    const settings = requireMailSettings(mail?.settings);
    await sendTestMessage(settings, mail?.password, sesTargetOf(site.config), request.body.to, site.outbound);
    await auditAsCaller(site, principal, {
      action: 'settings.mail-test',
      target: `tenant/${principal.tenant.id}`,
      reason: 'test message sent by a tenant admin',
      details: { transport: settings.transport ?? 'smtp' },
    });
    return {
      status: 200,
      body: {
        sent: true,
        transport: settings.transport ?? 'smtp',
        ...(settings.transport === 'ses' && { region: site.config.region }),
      },
    };
  }),

  'GET /v1/settings/security-contacts': route(OPERATIONS['GET /v1/settings/security-contacts'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    return securityContactsView(principal.tenant);
  }),

  'PUT /v1/settings/security-contacts': route(OPERATIONS['PUT /v1/settings/security-contacts'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const { emails, webhook } = request.body;
    if (webhook) {
      const problem =
        webhookUrlProblem(webhook.url, site.config.stage) ?? (await refusalAtWrite(site.outbound, new URL(webhook.url).hostname));
      if (problem) throw invalid('webhook.url', problem);
    }
    const key = { tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn };
    await securityContacts.put(key, { emails, ...(webhook && { webhook }) }, new Date().toISOString());
    await auditAsCaller(site, principal, {
      action: 'settings.security-contacts',
      target: `tenant/${principal.tenant.id}`,
      reason: 'security contacts for advisories set by a tenant admin',
      details: { emails: emails.length, webhook: webhook !== undefined },
    });
    return securityContactsView(principal.tenant);
  }),

  'GET /v1/settings/guests': route(OPERATIONS['GET /v1/settings/guests'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    return guestsView((await site.tenants.get(principal.tenant.id)) ?? principal.tenant);
  }),

  'PUT /v1/settings/guests': route(OPERATIONS['PUT /v1/settings/guests'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const version = optionalVersion(request);
    const before = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    if (version !== undefined && before.version !== version)
      throw stale('the settings were changed since they were read; read them again');
    const { enabled } = request.body;
    if ((before.guests === true) === enabled) return guestsView(before);
    const viewer = await principalPseudonyms(site, principal);
    const after = await site.tenants.update(
      before,
      { ...before, guests: enabled },
      {
        actor: { type: 'user', id: viewer.userRef },
        action: 'settings.guests',
        target: `tenant/${before.id}`,
        reason: enabled ? 'guests turned on by a tenant admin' : 'guests turned off by a tenant admin',
        details: { enabled },
      },
    );
    site.authenticator.forget(before.id);
    return guestsView(after);
  }),

  'GET /v1/settings/retention': route(OPERATIONS['GET /v1/settings/retention'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const tenant = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    return retentionView(tenant);
  }),

  'PATCH /v1/settings/retention': route(OPERATIONS['PATCH /v1/settings/retention'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const version = requiredVersion(request);
    checkRetention(request.body);
    const before = (await site.tenants.get(principal.tenant.id)) ?? principal.tenant;
    if (before.version !== version) throw stale('the settings were changed since they were read; read them again');
    const viewer = await principalPseudonyms(site, principal);
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
