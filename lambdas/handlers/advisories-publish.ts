import { OPERATIONS } from '../api/operations/advisories-publish.js';
import { currentSite, advisoryStore, mailSettingsStore, securityContactsStore } from '../composition.js';
import {
  advisoryView,
  deliveryTotals,
  publishAdvisory,
  webhookUrlProblem,
  type Advisory,
  type TenantChannels,
  type TenantDelivery,
} from '../domain/advisories.js';
import { idempotent } from '../http/idempotency.js';
import { operatorCallers } from '../http/auth/callers-of.js';
import { route, routeGroup, type RouteResult } from '../http/route.js';
import { postWebhook } from '../http/webhook-sender.js';
import { sendMessages, sesTargetOf } from '../mail/mailer.js';
import { positionOf } from '../store/advisory-store.js';

const site = currentSite();
const advisories = advisoryStore(site);
const mailSettings = mailSettingsStore(site);
const securityContacts = securityContactsStore(site);
const { config } = site;
const ses = sesTargetOf(config);

/** Short: one tenant's slow server must not hold up the whole publication. */
const MAIL_TIMEOUTS = { connectMs: 3000, socketMs: 5000 };
const WEBHOOK_TIMEOUT_MS = 3000;
const IDEMPOTENCY_SCOPE = 'OPERATOR#ADVISORIES';

async function channelsOf(tenantId: string, advisory: Advisory): Promise<TenantChannels> {
  const tenant = await site.tenants.get(tenantId);
  if (!tenant || tenant.status !== 'active') throw new Error('the tenant is no longer active');
  const key = { tenantId, keyArn: tenant.key.keyArn };
  return {
    contacts: async () => {
      const own = await securityContacts.get(key);
      if (own) return { source: 'settings', contacts: own.contacts };
      const emails = tenant.securityContacts.map((contact) => contact.email);
      return { source: emails.length > 0 ? 'onboarding' : 'none', contacts: { emails } };
    },
    sendMail: async (recipients, message) => {
      const mail = await mailSettings.get(key);
      if (!mail) return undefined;
      return sendMessages(
        mail.settings,
        mail.password,
        ses,
        recipients.map((to) => ({ to, ...message })),
        { stopAtFirstFailure: false, timeouts: MAIL_TIMEOUTS, policy: site.outbound },
      );
    },
    postWebhook: async (url, body, signature) => {
      // Checked when it was set; checked again, in case the rule tightened since — and the
      // outbound policy resolves and checks the host at this delivery, connecting only to what it checked.
      if (webhookUrlProblem(url, config.stage) !== undefined) return { error: 'url-not-allowed' };
      return postWebhook(url, body, signature, `${advisory.id}/${tenantId}`, WEBHOOK_TIMEOUT_MS, site.outbound);
    },
    record: async (delivery, audit) => {
      await advisories.recordDelivery(advisory, delivery);
      await site.tenants.appendAudit(tenantId, audit);
    },
  };
}

function publication(advisory: Advisory, deliveries: readonly TenantDelivery[], status: number): RouteResult {
  const sorted = [...deliveries].sort((a, b) => (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
  return {
    status,
    body: { advisory: advisoryView(advisory), totals: deliveryTotals(sorted), deliveries: sorted },
  };
}

export const handler = routeGroup(operatorCallers(config), {
  'POST /v1/advisories': route(OPERATIONS['POST /v1/advisories'], async (request, context) => {
    const actor = request.caller;
    return idempotent(
      site.idempotency,
      IDEMPOTENCY_SCOPE,
      request,
      async () => {
        const { advisory, deliveries } = await publishAdvisory(
          {
            save: (a) => advisories.save(a),
            activeTenants: () => site.tenants.activeTenantIds(),
            channelsOf,
            now: () => new Date(),
          },
          request.body,
          config.siteId,
          actor,
        );
        return { result: publication(advisory, deliveries, 201), ref: positionOf(advisory) };
      },
      async (position, status) => {
        const advisory = await advisories.get(position);
        if (!advisory) throw new Error('an idempotency record names an advisory that is not stored');
        return publication(advisory, await advisories.deliveries(advisory.id), status);
      },
      context,
    );
  }),
});
