import type { Site } from '../composition.js';
import { normaliseAddress } from '../domain/address.js';
import type { AuditDraft } from '../domain/audit.js';
import type { SchedulingContext, Viewer } from '../domain/meeting-scheduling.js';
import { hashPasscode } from '../domain/passcode.js';
import type { SubjectRefs } from '../domain/data-subject.js';
import { guestPseudonyms, personPseudonyms } from '../keys/pseudonyms.js';
import type { TenantPrincipal } from './auth/tenant-user.js';
import type { TenantOrGuest } from './callers.js';

/**
 * The signed-in user's address, only when it is known to belong to them: the
 * token says so with the boolean `email_verified: true` (not a string, not a
 * missing claim), or the tenant vouches that its IdP verifies every address.
 * An unverified address would let anyone claim another's invitations.
 */
export function verifiedAddress(principal: Pick<TenantPrincipal, 'claims' | 'tenant'>): string | undefined {
  const { email, email_verified } = principal.claims;
  if (typeof email !== 'string') return undefined;
  return email_verified === true || principal.tenant.idp.emailsVerified === true ? email : undefined;
}

/** The signed-in user (or guest) in the tenant's pseudonyms. */
export async function principalPseudonyms(site: Site, principal: TenantOrGuest): Promise<SubjectRefs> {
  const pseudonyms = await site.pseudonyms.forTenant(principal.tenant);
  if ('kind' in principal) return guestPseudonyms(pseudonyms, principal.guestId, principal.meetingId);
  return personPseudonyms(pseudonyms, principal.subject, verifiedAddress(principal));
}

/** Appends an entry to the tenant's audit log whose actor is the signed-in user, named only by their pseudonym. */
export async function auditAsCaller(site: Site, principal: TenantPrincipal, entry: Omit<AuditDraft, 'actor'>): Promise<void> {
  const { userRef } = await principalPseudonyms(site, principal);
  await site.tenants.appendAudit(principal.tenant.id, { ...entry, actor: { type: 'user', id: userRef } });
}

/**
 * The principal in the tenant's pseudonyms, and the scheduling rules bound to
 * the tenant's storage and keys. Subjects and addresses are hashed here, at
 * the edge, so the rules and the tables only ever see pseudonyms.
 */
export async function schedulingFor(site: Site, principal: TenantPrincipal): Promise<{ viewer: Viewer; ctx: SchedulingContext }> {
  const tenant = principal.tenant;
  const pseudonyms = await site.pseudonyms.forTenant(tenant);
  const { userRef, emailRef } = personPseudonyms(pseudonyms, principal.subject, verifiedAddress(principal));
  const sealingKey = { tenantId: tenant.id, keyArn: tenant.key.keyArn };
  return {
    viewer: {
      userRef,
      ...(emailRef !== undefined && { emailRef }),
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
      emailRef: (address) => pseudonyms.of('email', normaliseAddress(address)),
      hashPasscode,
      now: () => new Date(),
    },
  };
}
