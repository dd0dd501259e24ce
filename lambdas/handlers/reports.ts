import { OPERATIONS } from '../api/operations/reports.js';
import { currentSite, reportStore } from '../composition.js';
import { checkMayReport, decodeClip, resolveReport, type AbuseReport, type ReportText } from '../domain/abuse-reports.js';
import { notFound } from '../domain/errors.js';
import { newTimeOrderedId } from '../domain/ids.js';
import { requireRole, type TenantPrincipal } from '../http/auth/tenant-user.js';
import { idempotent } from '../http/idempotency.js';
import { joinerFor } from '../http/join-context.js';
import { auditAsCaller } from '../http/tenant-context.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentSite();
const reports = reportStore(site);

const sealingKey = (principal: TenantPrincipal) => ({ tenantId: principal.tenant.id, keyArn: principal.tenant.key.keyArn });

/** A report as admins see it: the reporter stays out of it, the reported participant is named by pseudonym. */
function summary(report: AbuseReport) {
  const { reporterRef: _reporter, reportedParticipantId, ...rest } = report;
  return { ...rest, ...(reportedParticipantId !== undefined && { participantId: reportedParticipantId }) };
}

async function adminReport(principal: TenantPrincipal, reportId: string) {
  requireRole(principal, 'admin');
  const found = await reports.get(sealingKey(principal), reportId);
  if (!found) throw notFound('No such report');
  return found;
}

export const handler = routeGroup(tenantCallers(site.authenticator), {
  'POST /v1/meetings/{meetingId}/reports': route(
    OPERATIONS['POST /v1/meetings/{meetingId}/reports'],
    async (request, context) => {
      const principal = request.caller;
      const { meetingId } = request.path;
      const reporter = await joinerFor(site, principal, meetingId);
      const { meeting } = await site.live.forJoin(principal.tenant.id, meetingId);
      if (!meeting) throw notFound('No such meeting');
      checkMayReport(meeting, reporter);
      const clip = request.body.clip && { contentType: request.body.clip.contentType, data: decodeClip(request.body.clip.data) };
      return idempotent(
        site.idempotency,
        site.idempotency.userScope(principal.tenant.id, reporter.userRef),
        request,
        async () => {
          const now = new Date();
          const report: AbuseReport = {
            id: newTimeOrderedId('ar', now),
            meetingId,
            reason: request.body.reason,
            status: 'open',
            createdAt: now.toISOString(),
            reporterRef: reporter.userRef,
            ...(request.body.participantId !== undefined && { reportedParticipantId: request.body.participantId }),
            ...(clip && { clip: { contentType: clip.contentType, bytes: clip.data.length } }),
          };
          const text: ReportText = request.body.details !== undefined ? { details: request.body.details } : {};
          await reports.create(sealingKey(principal), report, text, clip);
          const body = { id: report.id, status: 'open' as const, createdAt: report.createdAt };
          return { result: { status: 201, body }, ref: report.id };
        },
        async (reportId, status) => {
          const found = await reports.get(sealingKey(principal), reportId);
          if (!found) throw notFound('The report made under this key has expired');
          return { status, body: { id: found.report.id, status: 'open' as const, createdAt: found.report.createdAt } };
        },
        context,
      );
    },
  ),

  'GET /v1/reports': route(OPERATIONS['GET /v1/reports'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const { status, cursor, limit } = request.query;
    const page = await reports.list(principal.tenant.id, {
      limit: limit ?? 50,
      ...(status && { status }),
      ...(cursor && { after: cursor }),
    });
    return { status: 200, body: { items: page.reports.map(summary), ...(page.next && { nextCursor: page.next }) } };
  }),

  'GET /v1/reports/{reportId}': route(OPERATIONS['GET /v1/reports/{reportId}'], async (request) => {
    const principal = request.caller;
    const { report, text } = await adminReport(principal, request.path.reportId);
    return { status: 200, body: { ...summary(report), ...text } };
  }),

  'GET /v1/reports/{reportId}/clip': route(OPERATIONS['GET /v1/reports/{reportId}/clip'], async (request) => {
    const principal = request.caller;
    const { report } = await adminReport(principal, request.path.reportId);
    const clip = await reports.clip(sealingKey(principal), report.id);
    if (!clip) throw notFound('The report has no clip');
    // Written before the clip leaves, so no read goes unrecorded.
    await auditAsCaller(site, principal, {
      action: 'report.clip-read',
      target: `reports/${report.id}`,
      reason: 'an admin played the clip attached to an abuse report',
      ...(report.reportedParticipantId !== undefined && { subjects: [report.reportedParticipantId] }),
    });
    return { status: 200, body: clip };
  }),

  'POST /v1/reports/{reportId}/resolve': route(OPERATIONS['POST /v1/reports/{reportId}/resolve'], async (request) => {
    const principal = request.caller;
    const { report, text } = await adminReport(principal, request.path.reportId);
    const resolved = resolveReport(report, request.body.outcome, new Date());
    const nextText: ReportText = { ...text, ...(request.body.note !== undefined && { resolutionNote: request.body.note }) };
    await reports.saveResolution(sealingKey(principal), resolved, nextText);
    await auditAsCaller(site, principal, {
      action: 'report.resolve',
      target: `reports/${report.id}`,
      reason: `abuse report resolved: ${resolved.outcome}`,
      details: { reason: report.reason, outcome: request.body.outcome },
      ...(report.reportedParticipantId !== undefined && { subjects: [report.reportedParticipantId] }),
    });
    return { status: 200, body: { ...summary(resolved), ...nextText } };
  }),
});
