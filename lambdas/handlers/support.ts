import { OPERATIONS } from '../api/operations/support.js';
import { currentSite, privacyStore, tenantRulesOf } from '../composition.js';
import { notFound } from '../domain/errors.js';
import { retentionPolicy } from '../domain/retention.js';
import { authoriseSupport, type SupportScope } from '../domain/support.js';
import { loadTenant } from '../domain/tenant-lifecycle.js';
import type { AuditActor } from '../domain/audit.js';
import { assertTenantHomedHere } from '../http/residency.js';
import { operatorCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentSite();
const privacy = privacyStore(site);
const tenantRules = tenantRulesOf(site);
const { config } = site;

/**
 * Support staff read a tenant's data only under the tenant's live consent for
 * the ticket and scope, and every read is written to the tenant's audit log
 * before anything is returned.
 */
async function underGrant(
  actor: AuditActor,
  tenantId: string,
  ticket: string,
  location: 'eu' | 'outside-eu',
  scope: SupportScope,
  target: string,
) {
  await assertTenantHomedHere(config, site.directory, tenantId);
  const grant = authoriseSupport(await privacy.grants(tenantId), ticket, scope, location, new Date());
  await site.tenants.appendAudit(tenantId, {
    actor,
    action: 'support.read',
    target,
    reason: `support ticket ${ticket}`,
    details: { scope, grant: grant.id, location },
  });
}

export const handler = routeGroup(operatorCallers(config), {
  'GET /v1/support/tenants/{tenantId}/settings': route(
    OPERATIONS['GET /v1/support/tenants/{tenantId}/settings'],
    async (request) => {
      const { tenantId } = request.path;
      await underGrant(
        request.caller,
        tenantId,
        request.query.ticket,
        request.query.location,
        'settings:read',
        `tenant/${tenantId}/settings`,
      );
      const tenant = await loadTenant(tenantRules, tenantId);
      return {
        status: 200,
        body: {
          tenantId,
          status: tenant.status,
          tier: tenant.tier,
          homeSite: tenant.homeSite,
          allowedSites: tenant.allowedSites,
          displayNames: tenant.displayNames,
          retention: retentionPolicy(tenant.retention),
        },
      };
    },
  ),

  'GET /v1/support/tenants/{tenantId}/meetings/{meetingId}': route(
    OPERATIONS['GET /v1/support/tenants/{tenantId}/meetings/{meetingId}'],
    async (request) => {
      const { tenantId, meetingId } = request.path;
      await underGrant(
        request.caller,
        tenantId,
        request.query.ticket,
        request.query.location,
        'meetings:read',
        `meeting/${meetingId}`,
      );
      // The core only: nothing sealed is opened for support.
      const { meeting } = await site.live.forJoin(tenantId, meetingId);
      if (!meeting) throw notFound('No such meeting');
      return {
        status: 200,
        body: {
          id: meeting.id,
          startsAt: meeting.startsAt,
          durationMinutes: meeting.durationMinutes,
          timeZone: meeting.timeZone,
          recurring: meeting.recurrence !== undefined,
          encryption: meeting.encryption,
          waitingRoom: meeting.waitingRoom,
          status: meeting.status,
          invitees: meeting.inviteeRefs.length,
        },
      };
    },
  ),
});
