import { OPERATIONS } from '../api/operations/data-subjects.js';
import { currentSite, dataSubjectStore, reportStore } from '../composition.js';
import { countByKind, findSubjectData, type SubjectRefs } from '../domain/data-subject.js';
import { ERASURE_ACTION, REDACTED_COUNT } from '../domain/audit.js';
import { normaliseAddress } from '../domain/address.js';
import { notFound } from '../domain/errors.js';
import { personPseudonyms } from '../keys/pseudonyms.js';
import { retentionPolicy } from '../domain/retention.js';
import { requireRole, type TenantPrincipal } from '../http/auth/tenant-user.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';
import { subjectExport } from '../http/subject-export.js';
import { principalPseudonyms } from '../http/tenant-context.js';

const site = currentSite();
const dataSubjects = dataSubjectStore(site);
const reports = reportStore(site);

/** The user named in the request, in the tenant's pseudonyms; the subject and address go no further. */
async function subjectRefs(principal: TenantPrincipal, body: { subject: string; email?: string }): Promise<SubjectRefs> {
  return personPseudonyms(await site.pseudonyms.forTenant(principal.tenant), body.subject, body.email);
}

/** What the tenant holds about the user; 404 when it never held anything (someone of another tenant, say). */
async function lookUp(principal: TenantPrincipal, refs: SubjectRefs) {
  const { partition, idempotency } = await dataSubjects.items(principal.tenant.id, refs.userRef);
  const findings = findSubjectData(partition, refs);
  const receipt = await dataSubjects.receipt(principal.tenant.id, refs.userRef);
  if (findings.length === 0 && idempotency.length === 0 && !receipt)
    throw notFound('this tenant holds nothing about that user at this site');
  return { findings, idempotency, receipt };
}

async function adminRef(principal: TenantPrincipal): Promise<string> {
  requireRole(principal, 'admin');
  return (await principalPseudonyms(site, principal)).userRef;
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'POST /v1/data-subjects/export': route(OPERATIONS['POST /v1/data-subjects/export'], async (request) => {
    const principal = request.caller;
    const admin = await adminRef(principal);
    const refs = await subjectRefs(principal, request.body);
    const { findings, idempotency, receipt } = await lookUp(principal, refs);
    const key = { tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn };
    const document = await subjectExport(site, reports, key, refs, findings, idempotency.length, receipt);
    // The entry names no one: an export must not leave a new trace of the person in the log.
    await site.tenants.appendAudit(principal.tenant.id, {
      actor: { type: 'user', id: admin },
      action: 'privacy.export',
      target: `tenant/${principal.tenant.id}`,
      reason: 'data-subject access request answered by a tenant admin',
      legalBasis: 'GDPR Art. 15 and 20',
      details: { items: findings.length },
    });
    return { status: 200, body: document };
  }),

  'POST /v1/data-subjects/erase': route(OPERATIONS['POST /v1/data-subjects/erase'], async (request) => {
    const principal = request.caller;
    const admin = await adminRef(principal);
    const tenantId = principal.tenant.id;
    const refs = await subjectRefs(principal, request.body);
    const { findings, idempotency } = await lookUp(principal, refs);
    const key = { tenantId, keyArn: principal.tenant.key.keyArn };
    // The receipt comes first: a run that stops part-way is recognised and finished by the next.
    const receipt = await dataSubjects.startReceipt(
      tenantId,
      refs.userRef,
      new Date(),
      retentionPolicy(principal.tenant.retention).audit,
    );
    const email = request.body.email !== undefined ? normaliseAddress(request.body.email) : undefined;
    for (const finding of findings.filter((f) => f.action !== 'delete')) {
      await dataSubjects.pseudonymise(key, finding, email, refs.emailRef, refs.userRef);
    }
    await dataSubjects.deleteAll([...findings.filter((f) => f.action === 'delete').map((f) => f.record.ref), ...idempotency]);
    const after = await dataSubjects.items(tenantId, refs.userRef);
    const remaining = findSubjectData(after.partition, refs).length + after.idempotency.length;
    const completedAt = new Date();
    const erased = countByKind(findings);
    if (remaining === 0) {
      // It counts the audit entries redacted (this run and any that stopped part-way), never which they were.
      const redactions = await dataSubjects.unreportedRedactions(tenantId, refs.userRef);
      await site.tenants.appendAudit(tenantId, {
        actor: { type: 'user', id: admin },
        action: ERASURE_ACTION,
        target: `tenant/${tenantId}`,
        reason: 'data-subject erasure request carried out by a tenant admin',
        legalBasis: 'GDPR Art. 17',
        details: {
          ...Object.fromEntries(Object.entries(erased).map(([kind, n]) => [kind, n])),
          [REDACTED_COUNT]: redactions.unreported,
        },
      });
      await dataSubjects.completeReceipt(tenantId, refs.userRef, completedAt, redactions.total);
    }
    const notes = [
      'Meetings they hosted were deleted with every record of them (attendance, keys, lobby, breakouts).',
      'Audit entries about them keep their action and time; who it was is erased, and the hash chain still verifies.',
      'Reports about them remain for the tenant to handle, no longer linked to them; they expire with the report retention.',
      ...(refs.emailRef ? [] : ['No address was given, so invitations sent to their address were not looked for.']),
      ...(remaining > 0 ? ['Something changed meanwhile and was not erased: run the same request again.'] : []),
    ];
    return {
      status: 200,
      body: {
        tenantId,
        startedAt: receipt.startedAt,
        completedAt: completedAt.toISOString(),
        erased,
        requestRecordsDeleted: idempotency.length,
        remaining,
        notes,
      },
    };
  }),
});
