import type { HeadSigningPorts } from './domain/audit-heads.js';
import type { RetentionPolicy } from './domain/retention.js';
import type { AuditSigningKey } from './keys/audit-signing-key.js';
import type { AuditHeadStore } from './store/audit-head-store.js';

/**
 * What signing a tenant's audit head needs, from the head store and the
 * site's signing key. Shared by the audit routes and the scheduled signer,
 * which reads retention from profiles without opening them (it holds no
 * tenant key), while the routes use the site's cached retention.
 */
export function headSigningPorts(
  store: AuditHeadStore,
  key: AuditSigningKey,
  retentionOf: (tenantId: string) => Promise<RetentionPolicy>,
): HeadSigningPorts {
  return {
    newestEntry: (tenantId) => store.newestEntry(tenantId),
    latestHead: (tenantId) => store.latestHead(tenantId),
    saveHead: async (head) => store.saveHead(head, await retentionOf(head.tenantId)),
    sign: (statement) => key.sign(statement),
    now: () => new Date(),
  };
}
