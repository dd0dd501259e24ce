import type { Site } from '../composition.js';
import type { SchedulingContext, Viewer } from '../domain/meeting-scheduling.js';
import { hashPasscode } from '../domain/passcode.js';
import type { TenantPrincipal } from './auth/tenant-user.js';

/**
 * The principal in the tenant's pseudonyms, and the scheduling rules bound to
 * the tenant's storage and keys. Subjects and addresses are hashed here, at
 * the edge, so the rules and the tables only ever see pseudonyms.
 */
export async function schedulingFor(site: Site, principal: TenantPrincipal): Promise<{ viewer: Viewer; ctx: SchedulingContext }> {
  const tenant = principal.tenant;
  const pseudonyms = await site.pseudonyms.forTenant(tenant);
  const claims = principal.claims;
  const email =
    typeof claims.email === 'string' && claims.email_verified !== false ? claims.email.trim().toLowerCase() : undefined;
  const sealingKey = { tenantId: tenant.id, keyArn: tenant.key.keyArn };
  return {
    viewer: {
      userRef: pseudonyms.of('user', principal.subject),
      ...(email !== undefined && { emailRef: pseudonyms.of('email', email) }),
      admin: principal.roles.has('admin'),
      host: principal.roles.has('host'),
    },
    ctx: {
      tenantId: tenant.id,
      tier: tenant.tier,
      meetings: {
        get: (id) => site.meetings.get(sealingKey, id),
        put: (meeting, expected) => site.meetings.put(sealingKey, meeting, expected),
        overlapping: (from, to, visibleTo) => site.meetings.overlapping(sealingKey, from, to, visibleTo),
      },
      emailRef: (address) => pseudonyms.of('email', address.trim().toLowerCase()),
      hashPasscode,
      now: () => new Date(),
    },
  };
}
