import {
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { queryPages } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DEFAULT_RETENTION, expiryOf } from '../domain/retention.js';
import { chainAuditEntry, type AuditDraft, type AuditEntry } from '../domain/audit.js';
import { conflict, stale } from '../domain/errors.js';
import { directoryEntryOf, type SecurityContact, type Tenant } from '../domain/tenant.js';
import type { PersonalDataCipher } from '../keys/personal-data-cipher.js';
import { batchWriteAll } from './batch-write.js';
import type { DirectoryStore } from './directory-store.js';

/**
 * A tenant's records at its home site all share one partition (`T#<id>`):
 * the profile, the audit chain and every later record type. Offboarding is
 * then one query and a batch of deletes, and nothing of a tenant can hide in
 * another partition.
 */
export const tenantPk = (tenantId: string) => `T#${tenantId}`;
export const PROFILE = 'PROFILE';
export const AUDIT_HEAD = 'AUDIT#HEAD';
export const auditSk = (seq: number) => `AUDIT#${String(seq).padStart(12, '0')}`;
/**
 * Profiles are indexed (`gsi1`, one key for the site) so that the site can
 * list the tenants homed here page by page without a scan; profiles written
 * before the index key existed join it at their next update.
 */
const HOMED_HERE = 'TENANTS';

interface PersonalProfileFields {
  readonly securityContacts: readonly SecurityContact[];
}

const MAX_AUDIT_RETRIES = 3;

/** The ids of the tenants homed at this site (only the active ones if asked), one page at a time, from the index. */
export async function* tenantIdsHomedHere(
  dynamodb: DynamoDBClient,
  tableName: string,
  options: { pageSize?: number; activeOnly?: boolean } = {},
): AsyncGenerator<string[]> {
  for await (const page of queryPages(dynamodb, {
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :homed',
    ProjectionExpression: 'id',
    ...(options.activeOnly
      ? {
          FilterExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':homed': HOMED_HERE, ':active': 'active' }),
        }
      : { ExpressionAttributeValues: marshall({ ':homed': HOMED_HERE }) }),
    Limit: options.pageSize ?? 100,
  })) {
    const ids = page.map((item) => (unmarshall(item) as { id: string }).id);
    if (ids.length > 0) yield ids;
  }
}

export class TenantStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly directory: DirectoryStore,
    private readonly cipher: PersonalDataCipher,
    private readonly retention: (tenantId: string) => Promise<{ audit: number }> = async () => ({
      audit: DEFAULT_RETENTION.audit,
    }),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(tenantId: string): Promise<Tenant | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE }),
        ConsistentRead: true,
      }),
    );
    return Item ? this.fromItem(Item) : undefined;
  }

  /** Creates the tenant, its directory entry and the first audit entry in one transaction. */
  async create(tenant: Tenant, audit: AuditDraft): Promise<void> {
    const profile = await this.toItem(tenant);
    const directory = this.directory.change(undefined, directoryEntryOf(tenant));
    await this.commit(tenant.id, audit, [
      {
        item: { Put: { TableName: this.tableName, Item: profile, ConditionExpression: 'attribute_not_exists(pk)' } },
        field: 'id',
      },
      ...directory.transactItems.map((item, i) => ({ item, field: directory.conflictFields[i] })),
    ]);
    await this.directory.replicate(directory);
  }

  /** Replaces the profile if it is still at `expectedVersion`, updating the directory and the audit chain with it. */
  async update(before: Tenant, after: Tenant, audit: AuditDraft): Promise<Tenant> {
    const next: Tenant = { ...after, version: before.version + 1, updatedAt: this.now().toISOString() };
    const profile = await this.toItem(next);
    const directory = this.directory.change(directoryEntryOf(before), directoryEntryOf(next));
    await this.commit(before.id, audit, [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: profile,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': { N: String(before.version) } },
          },
        },
        field: 'If-Match',
      },
      ...directory.transactItems.map((item, i) => ({ item, field: directory.conflictFields[i] })),
    ]);
    await this.directory.replicate(directory);
    return next;
  }

  /** Removes the directory entry (both the entry and its pointers) of a tenant that is being offboarded. */
  async removeFromDirectory(tenant: Tenant): Promise<void> {
    const directory = this.directory.change(directoryEntryOf(tenant), undefined);
    if (directory.transactItems.length > 0) {
      await this.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [...directory.transactItems] }));
    }
    await this.directory.replicate(directory);
  }

  /** Deletes every record in the tenant's partition; returns how many there were. Safe to run again. */
  async deleteAllRecords(tenantId: string): Promise<number> {
    let deleted = 0;
    for await (const page of queryPages(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: tenantPk(tenantId) } },
      ProjectionExpression: 'pk, sk',
    })) {
      // The profile goes last: while it exists, an interrupted offboarding can be run again.
      const keys = page.filter((key) => key.sk?.S !== PROFILE);
      await this.batchDelete(keys);
      deleted += keys.length;
    }
    await this.batchDelete([marshall({ pk: tenantPk(tenantId), sk: PROFILE })]);
    return deleted + 1;
  }

  private async batchDelete(keys: Record<string, AttributeValue>[]): Promise<void> {
    await batchWriteAll(
      this.dynamodb,
      this.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  /** Appends one audit entry on its own (no other change). */
  async appendAudit(tenantId: string, audit: AuditDraft): Promise<AuditEntry> {
    return this.commit(tenantId, audit, []);
  }

  /** The ids of the active tenants homed at this site, one page (at most `pageSize`) at a time. */
  activeTenantIds(pageSize = 100): AsyncGenerator<string[]> {
    return tenantIdsHomedHere(this.dynamodb, this.tableName, { pageSize, activeOnly: true });
  }

  /**
   * A page of the tenant's audit chain in order, starting after `afterSeq`.
   * `nextAfter` is the position (from the stored key, not the entry, which may
   * have been tampered with) to continue after when there is `more`. An item
   * without an entry is left out, and so shows as a missing entry.
   */
  async auditPage(
    tenantId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ entries: AuditEntry[]; more: boolean; nextAfter: number }> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': { S: tenantPk(tenantId) },
          ':from': { S: auditSk(afterSeq + 1) },
          ':to': { S: auditSk(999_999_999_999) },
        },
        Limit: limit + 1,
        ConsistentRead: true,
      }),
    );
    const items = (page.Items ?? []).slice(0, limit).map((item) => unmarshall(item) as { sk: string; entry?: AuditEntry });
    const entries = items
      .map((item) => item.entry)
      .filter((entry): entry is AuditEntry => typeof entry === 'object' && entry !== null && typeof entry.seq === 'number');
    const last = items.at(-1);
    return {
      entries,
      more: (page.Items ?? []).length > limit,
      nextAfter: last ? Number(last.sk.slice('AUDIT#'.length)) : afterSeq,
    };
  }

  /**
   * Commits `items` together with the next audit entry. The audit head is read
   * first and written back on the condition that nobody moved it meanwhile, so
   * the chain never forks; a lost race is retried with the new head.
   */
  private async commit(
    tenantId: string,
    audit: AuditDraft,
    items: { item: TransactWriteItem; field?: string }[],
  ): Promise<AuditEntry> {
    for (let attempt = 1; ; attempt++) {
      const { Item: head } = await this.dynamodb.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: tenantPk(tenantId), sk: AUDIT_HEAD }),
          ConsistentRead: true,
        }),
      );
      const previous = head ? (unmarshall(head) as { seq: number; hash: string }) : undefined;
      const entry = chainAuditEntry(tenantId, previous, audit, this.now());
      const auditItems: TransactWriteItem[] = [
        {
          Put: {
            TableName: this.tableName,
            Item: marshall({ pk: tenantPk(tenantId), sk: AUDIT_HEAD, seq: entry.seq, hash: entry.hash }),
            ConditionExpression: previous ? 'seq = :seq' : 'attribute_not_exists(pk)',
            ...(previous && { ExpressionAttributeValues: { ':seq': { N: String(previous.seq) } } }),
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: marshall(
              {
                pk: tenantPk(tenantId),
                sk: auditSk(entry.seq),
                entry,
                expiresAt: expiryOf(Date.parse(entry.at), (await this.retention(tenantId)).audit),
              },
              { removeUndefinedValues: true },
            ),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
      try {
        await this.dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [...items.map((i) => i.item), ...auditItems] }));
        return entry;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failed >= 0 && failed < items.length) {
          const field = items[failed]!.field;
          if (field === 'If-Match') throw stale('the tenant was changed since it was read; read it again');
          throw conflict(`${field ?? 'a value'} is already taken`, field);
        }
        if (attempt >= MAX_AUDIT_RETRIES) throw error;
      }
    }
  }

  private async toItem(tenant: Tenant): Promise<Record<string, AttributeValue>> {
    const { securityContacts, ...plain } = tenant;
    const personal: PersonalProfileFields = { securityContacts };
    const sealed = await this.cipher.seal({ tenantId: tenant.id, keyArn: tenant.key.keyArn }, 'tenant-profile', personal);
    return marshall(
      { pk: tenantPk(tenant.id), sk: PROFILE, ...plain, gsi1pk: HOMED_HERE, gsi1sk: tenant.id, sealed },
      { removeUndefinedValues: true },
    );
  }

  private async fromItem(item: Record<string, AttributeValue>): Promise<Tenant> {
    const {
      pk: _pk,
      sk: _sk,
      gsi1pk: _g1,
      gsi1sk: _g2,
      sealed,
      ...plain
    } = unmarshall(item) as Omit<Tenant, 'securityContacts'> & {
      pk: string;
      sk: string;
      gsi1pk?: string;
      gsi1sk?: string;
      sealed: Uint8Array;
    };
    const personal = await this.cipher.open<PersonalProfileFields>(
      { tenantId: plain.id, keyArn: plain.key.keyArn },
      'tenant-profile',
      sealed,
    );
    return { ...plain, allowedSites: [...plain.allowedSites], securityContacts: personal.securityContacts };
  }
}
