import type { SiteId } from './sites.js';

/**
 * Table definitions shared by the CDK app and the local stack's bootstrap, so
 * that what runs locally has the same keys, indexes and TTL as what is deployed.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDefinition {
  readonly logicalName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
  }[];
  /** Attribute holding epoch seconds after which DynamoDB deletes the item. */
  readonly ttlAttribute?: string;
}

/** One table per site holds every tenant record of that site (single-table design). */
export const SITE_TABLE: TableDefinition = {
  logicalName: 'SiteTable',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
  ],
  ttlAttribute: 'expiresAt',
};

/**
 * The directory: the only data both sites hold (tenant id, slug, vanity domain,
 * home site, allowed sites, issuer, status). A global table when deployed.
 */
export const DIRECTORY_TABLE: TableDefinition = {
  logicalName: 'DirectoryTable',
  partitionKey: { name: 'pk', type: 'S' },
  globalIndexes: [],
};

export function siteTableName(siteId: SiteId): string {
  return `meetplane-${siteId}`;
}

export const DIRECTORY_TABLE_NAME = 'meetplane-directory';

/** Alias of each site's own KMS key (site-level secrets; tenants get keys of their own). */
export const SITE_KEY_ALIAS = 'alias/meetplane-site';

/** Alias of each site's asymmetric key (ECC P-256, sign and verify) that signs the heads of tenants' audit logs. */
export const AUDIT_SIGNING_KEY_ALIAS = 'alias/meetplane-audit-signing';
