import { currentSite } from '../composition.js';
import { verifyAuditChain, type AuditEntry } from '../domain/audit.js';
import { requireRole } from '../http/auth/tenant-user.js';
import { problems } from '../http/problem.js';
import { OPERATIONS } from '../api/operations/audit.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentSite();

const VERIFY_PAGE = 500;

export const handler = routeGroup(tenantCallers(site.authenticator), {
  /** The tenant's audit log, oldest first, for its admins. */
  'GET /v1/audit': route(OPERATIONS['GET /v1/audit'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const after = request.query.cursor === undefined ? 0 : Number(request.query.cursor);
    const page = await site.tenants.auditPage(principal.tenant.id, after, request.query.limit ?? 50);
    const last = page.entries.at(-1);
    return {
      status: 200,
      body: { items: page.entries, ...(page.more && last && { nextCursor: String(last.seq) }) },
    };
  }),

  /** Recomputes the whole hash chain and reports the first entry that does not fit. */
  'GET /v1/audit/verify': route(OPERATIONS['GET /v1/audit/verify'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const entries: AuditEntry[] = [];
    for (let after = 0; ; ) {
      const page = await site.tenants.auditPage(principal.tenant.id, after, VERIFY_PAGE);
      entries.push(...page.entries);
      if (!page.more) break;
      after = page.entries.at(-1)!.seq;
      if (entries.length > 1_000_000) throw problems.internal();
    }
    return { status: 200, body: verifyAuditChain(entries) };
  }),
});
