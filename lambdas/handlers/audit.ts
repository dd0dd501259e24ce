import { auditHeadStore, auditSigningKey, currentSite } from '../composition.js';
import { headSigningPorts } from '../audit-heads-composition.js';
import { auditEntryMatches, type AuditEntry } from '../domain/audit.js';
import { signAuditHead, verifyAuditLog } from '../domain/audit-heads.js';
import { conflict } from '../domain/errors.js';
import { requireRole } from '../http/auth/tenant-user.js';
import { problems } from '../http/problem.js';
import { OPERATIONS } from '../api/operations/audit.js';
import { tenantCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentSite();
const heads = auditHeadStore(site);
const signingKey = auditSigningKey(site);
const signingPorts = headSigningPorts(heads, signingKey, site.retentionOf);

const VERIFY_PAGE = 500;
/** How many entries a filtered page reads at most before it answers with what it found and a cursor. */
const FILTER_SCAN = 2000;

export const handler = routeGroup(tenantCallers(site.authenticator), {
  /** The tenant's audit log, oldest first, for its admins. */
  'GET /v1/audit': route(OPERATIONS['GET /v1/audit'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const { cursor, limit = 50, actor, action } = request.query;
    const after = cursor === undefined ? 0 : Number(cursor);
    if (actor === undefined && action === undefined) {
      const page = await site.tenants.auditPage(principal.tenant.id, after, limit);
      return {
        status: 200,
        body: { items: page.entries, ...(page.more && { nextCursor: String(page.nextAfter) }) },
      };
    }
    // Filtered: read on until the page is full or FILTER_SCAN entries were read, and say where to go on.
    const items: AuditEntry[] = [];
    let position = after;
    let more = true;
    for (let scanned = 0; more && items.length < limit && scanned < FILTER_SCAN; ) {
      const page = await site.tenants.auditPage(principal.tenant.id, position, Math.min(200, FILTER_SCAN - scanned));
      scanned += Math.max(1, page.entries.length);
      const full = page.entries.findIndex((entry) => {
        if (items.length === limit) return true;
        if (auditEntryMatches(entry, { actor, action })) items.push(entry);
        return false;
      });
      if (full >= 0) {
        // The page filled before this page's end: go on after the last entry read.
        position = page.entries[full - 1]?.seq ?? position;
        more = true;
      } else {
        position = page.nextAfter;
        more = page.more;
      }
    }
    return { status: 200, body: { items, ...(more && { nextCursor: String(position) }) } };
  }),

  /** Checks every entry against the chain and the signed heads, and reports every break. */
  'GET /v1/audit/verify': route(OPERATIONS['GET /v1/audit/verify'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const tenantId = principal.tenant.id;
    const entries: AuditEntry[] = [];
    for (let after = 0; ; ) {
      const page = await site.tenants.auditPage(tenantId, after, VERIFY_PAGE);
      entries.push(...page.entries);
      if (!page.more) break;
      after = page.nextAfter;
      if (entries.length > 1_000_000) throw problems.internal();
    }
    const verdict = verifyAuditLog({
      tenantId,
      entries,
      heads: await heads.heads(tenantId),
      signatureVerifies: await signingKey.verifier(),
      tenantCreatedAt: principal.tenant.createdAt,
      now: new Date(),
    });
    return { status: 200, body: verdict };
  }),

  /** Signs the log's head now (the site also does so on a schedule). */
  'POST /v1/audit/heads': route(OPERATIONS['POST /v1/audit/heads'], async (request) => {
    const principal = request.caller;
    requireRole(principal, 'admin');
    const head = await signAuditHead(signingPorts, site.config.siteId, principal.tenant.id, { whenDue: false });
    if (!head) throw conflict('the audit log has no entries to sign');
    return { status: 201, body: head };
  }),

  /** The public key that verifies signed heads, for admins' own tools. */
  'GET /v1/audit/signing-key': route(OPERATIONS['GET /v1/audit/signing-key'], async (request) => {
    requireRole(request.caller, 'admin');
    return { status: 200, body: await signingKey.publicKey() };
  }),
});
