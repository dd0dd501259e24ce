import type { AuditDraft, AuditEntry } from './audit.js';
import type { DirectoryEntry } from './directory.js';
import type { Tenant } from './tenant.js';

/** What the tenant rules need of storage; lambdas/store implements it with DynamoDB. */
export interface TenantRepository {
  get(tenantId: string): Promise<Tenant | undefined>;
  create(tenant: Tenant, audit: AuditDraft): Promise<void>;
  update(before: Tenant, after: Tenant, audit: AuditDraft): Promise<Tenant>;
  removeFromDirectory(tenant: Tenant): Promise<void>;
  deleteAllRecords(tenantId: string): Promise<number>;
  appendAudit(tenantId: string, audit: AuditDraft): Promise<AuditEntry>;
}

export interface DirectoryReader {
  byTenantId(tenantId: string): Promise<DirectoryEntry | undefined>;
  byPointer(kind: 'SLUG' | 'ISSUER' | 'DOMAIN', value: string): Promise<DirectoryEntry | undefined>;
}

/** What the tenant rules need of KMS; lambdas/keys implements it. */
export interface TenantKeyService {
  createManagedKey(tenantId: string): Promise<string>;
  verifyCustomerKey(keyArn: string, tenantId: string): Promise<void>;
  scheduleDeletion(keyArn: string, tenantId: string): Promise<string | undefined>;
  /** A new pseudonym key for the tenant, wrapped by its key. */
  createPseudonymKey(tenantId: string, keyArn: string): Promise<string>;
}
