import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { directoryEntrySchema, type DirectoryEntry } from '../domain/directory.js';
import { logger } from '../http/logger.js';

/**
 * The directory table: one item per tenant (`TENANT#id`, the whole directory
 * entry) and one pointer item per unique name (`SLUG#…`, `ISSUER#…`,
 * `DOMAIN#…`, holding only the tenant id). Pointers are created with
 * attribute_not_exists, which is what makes slugs, issuers and domains unique.
 *
 * Deployed, the table is a global table replicated between the two sites'
 * regions by DynamoDB. The local stack has no replication, so a site started
 * with replica regions (MEETPLANE_DIRECTORY_REPLICA_REGIONS, local stage only)
 * copies each committed change into the other regions' tables itself: a
 * stand-in for global-table replication, not a second source of truth.
 */
export type PointerKind = 'SLUG' | 'ISSUER' | 'DOMAIN';

export interface DirectoryChange {
  readonly puts: readonly Record<string, unknown>[];
  readonly deletes: readonly string[];
  readonly transactItems: readonly TransactWriteItem[];
}

const tenantKey = (tenantId: string) => `TENANT#${tenantId}`;
const pointerKey = (kind: PointerKind, value: string) => `${kind}#${kind === 'ISSUER' ? value : value.toLowerCase()}`;

function pointersOf(entry: DirectoryEntry): [PointerKind, string][] {
  return [
    ['SLUG', entry.slug],
    ['ISSUER', entry.issuer],
    ...(entry.vanityDomain !== undefined ? ([['DOMAIN', entry.vanityDomain]] as [PointerKind, string][]) : []),
  ];
}

export class DirectoryStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly replicas: readonly DynamoDBClient[] = [],
  ) {}

  async byTenantId(tenantId: string): Promise<DirectoryEntry | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: tenantKey(tenantId) }) }),
    );
    if (!Item) return undefined;
    const { pk: _pk, ...entry } = unmarshall(Item);
    return directoryEntrySchema.parse(entry);
  }

  async byPointer(kind: PointerKind, value: string): Promise<DirectoryEntry | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: pointerKey(kind, value) }) }),
    );
    const tenantId = Item ? (unmarshall(Item).tenantId as string | undefined) : undefined;
    return tenantId ? this.byTenantId(tenantId) : undefined;
  }

  /**
   * The transaction items that move the directory from `before` to `after`
   * (either may be absent: creation, removal). New pointers are conditional on
   * not existing; the field each one guards is reported by `conflictField`.
   */
  change(
    before: DirectoryEntry | undefined,
    after: DirectoryEntry | undefined,
  ): DirectoryChange & { conflictFields: (string | undefined)[] } {
    const transactItems: TransactWriteItem[] = [];
    const conflictFields: (string | undefined)[] = [];
    const puts: Record<string, unknown>[] = [];
    const deletes: string[] = [];
    const beforePointers = new Map((before ? pointersOf(before) : []).map(([k, v]) => [pointerKey(k, v), k]));
    const afterPointers = new Map((after ? pointersOf(after) : []).map(([k, v]) => [pointerKey(k, v), k]));

    if (after) {
      const item = { pk: tenantKey(after.tenantId), ...directoryEntrySchema.parse(after) };
      puts.push(item);
      transactItems.push({ Put: { TableName: this.tableName, Item: marshall(item, { removeUndefinedValues: true }) } });
      conflictFields.push(undefined);
    } else if (before) {
      deletes.push(tenantKey(before.tenantId));
      transactItems.push({ Delete: { TableName: this.tableName, Key: marshall({ pk: tenantKey(before.tenantId) }) } });
      conflictFields.push(undefined);
    }
    for (const [pk, kind] of afterPointers) {
      if (beforePointers.has(pk)) continue;
      const item = { pk, tenantId: after!.tenantId };
      puts.push(item);
      transactItems.push({
        Put: { TableName: this.tableName, Item: marshall(item), ConditionExpression: 'attribute_not_exists(pk)' },
      });
      conflictFields.push(kind === 'SLUG' ? 'slug' : kind === 'ISSUER' ? 'idp.issuer' : 'vanityDomain');
    }
    for (const pk of beforePointers.keys()) {
      if (afterPointers.has(pk)) continue;
      deletes.push(pk);
      transactItems.push({ Delete: { TableName: this.tableName, Key: marshall({ pk }) } });
      conflictFields.push(undefined);
    }
    return { puts, deletes, transactItems, conflictFields };
  }

  /** Local stand-in for global-table replication: applies a committed change to the other regions' copies. */
  async replicate(change: DirectoryChange): Promise<void> {
    for (const replica of this.replicas) {
      try {
        for (const item of change.puts) {
          await replica.send(
            new PutItemCommand({ TableName: this.tableName, Item: marshall(item, { removeUndefinedValues: true }) }),
          );
        }
        for (const pk of change.deletes) {
          await replica.send(new DeleteItemCommand({ TableName: this.tableName, Key: marshall({ pk }) }));
        }
      } catch (error) {
        logger.error('directory replication failed', { errorName: (error as Error).name });
      }
    }
  }
}
