import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { SignedHead } from '../domain/audit-heads.js';
import { expiryOf, retentionPolicy, type RetentionPolicy } from '../domain/retention.js';
import { queryPages } from './query-pages.js';
import { auditSk, PROFILE, tenantPk } from './tenant-store.js';

/**
 * Signed heads of a tenant's audit log, in its partition beside the log
 * (`AUDITSIG#<seq>#<signedAt>`, outside the entries' `AUDIT#<seq>` range), kept
 * as long as the audit retention keeps entries.
 */
const HEAD_PREFIX = 'AUDITSIG#';
const headSk = (head: SignedHead) => `${HEAD_PREFIX}${String(head.seq).padStart(12, '0')}#${head.signedAt}`;

export class AuditHeadStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** The newest entry of the tenant's log as stored. */
  async newestEntry(tenantId: string): Promise<Pick<AuditEntry, 'seq' | 'hash' | 'at'> | undefined> {
    const { Items } = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': { S: tenantPk(tenantId) },
          ':from': { S: auditSk(1) },
          ':to': { S: auditSk(999_999_999_999) },
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const entry = Items?.[0] && (unmarshall(Items[0]) as { entry?: AuditEntry }).entry;
    return entry && { seq: entry.seq, hash: entry.hash, at: entry.at };
  }

  /** The head with the highest sequence number, the latest signed of those. */
  async latestHead(tenantId: string): Promise<SignedHead | undefined> {
    const { Items } = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: tenantPk(tenantId) }, ':prefix': { S: HEAD_PREFIX } },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items?.[0] && (unmarshall(Items[0]) as { head: SignedHead }).head;
  }

  /** Every stored head of the tenant, oldest first. */
  async heads(tenantId: string): Promise<SignedHead[]> {
    const heads: SignedHead[] = [];
    for await (const page of queryPages(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: tenantPk(tenantId) }, ':prefix': { S: HEAD_PREFIX } },
      ConsistentRead: true,
    })) {
      for (const item of page) {
        const { head } = unmarshall(item) as { head?: SignedHead };
        // An item without a head is no signed head; verifying the log then misses whatever it claimed.
        if (head && typeof head === 'object') heads.push(head);
      }
    }
    return heads;
  }

  async saveHead(head: SignedHead, retention: RetentionPolicy): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(head.tenantId),
          sk: headSk(head),
          head,
          expiresAt: expiryOf(Date.parse(head.signedAt), retention.audit),
        }),
      }),
    );
  }

  /**
   * The tenant's retention periods straight from its profile, without opening
   * its sealed fields: the scheduled signer holds no tenant key.
   */
  async retention(tenantId: string): Promise<RetentionPolicy> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: PROFILE }),
        ProjectionExpression: 'retention',
      }),
    );
    return retentionPolicy(Item && (unmarshall(Item) as { retention?: Partial<RetentionPolicy> }).retention);
  }
}
