import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { randomBytes } from 'node:crypto';
import { tenantPk } from './tenant-store.js';

/**
 * Idempotency records: per scope (a tenant's partition, or the operator's)
 * and key, the hash of the first request and, once it completed, the status
 * and the id of what it made. Only that reference is kept, never the response
 * body, so no personal data sits in these records. They expire after a day.
 */
export type IdempotencyState =
  | { readonly state: 'new' }
  | { readonly state: 'in-progress' }
  | { readonly state: 'mismatch' }
  | { readonly state: 'done'; readonly status: number; readonly ref: string };

const TTL_SECONDS = 24 * 60 * 60;

/** One user's own scope in a tenant: their records stay apart from the partition, and go with them on erasure. */
export const userIdempotencyScope = (tenantId: string, userRef: string) => `${tenantPk(tenantId)}#U#${userRef}`;

export class IdempotencyStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The scope of one user's writes in a tenant (their Idempotency-Keys are theirs alone). */
  userScope(tenantId: string, userRef: string): string {
    return userIdempotencyScope(tenantId, userRef);
  }

  private key(scope: string, key: string) {
    return marshall({ pk: scope, sk: `IDEM#${key}` });
  }

  /**
   * Claims the key for this request, for at most `leaseSeconds` (the function's
   * remaining time): a request that was cut off mid-way leaves a claim that
   * lapses when its function would have been stopped, so a retry with the same
   * key and body takes it over and completes the write once, instead of being
   * told "still running" until the record expires.
   */
  async begin(scope: string, key: string, requestHash: string, leaseSeconds: number): Promise<IdempotencyState> {
    // Tells this request's own claim from another's: the SDK retries a claim whose first attempt may have landed.
    const claim = randomBytes(12).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.nowSeconds();
      try {
        await this.dynamodb.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshall({
              pk: scope,
              sk: `IDEM#${key}`,
              requestHash,
              state: 'in-progress',
              claim,
              leaseUntil: now + Math.max(1, Math.ceil(leaseSeconds)),
              expiresAt: now + TTL_SECONDS,
            }),
            // An expired record may linger until TTL sweeps it; it no longer counts. Nor does a lapsed claim of the same request.
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt < :now OR (#state = :inProgress AND leaseUntil < :now AND requestHash = :hash)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: marshall({ ':now': now, ':inProgress': 'in-progress', ':hash': requestHash }),
          }),
        );
        return { state: 'new' };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.dynamodb.send(
        new GetItemCommand({ TableName: this.tableName, Key: this.key(scope, key), ConsistentRead: true }),
      );
      const record = Item
        ? (unmarshall(Item) as {
            requestHash: string;
            state: string;
            status?: number;
            ref?: string;
            leaseUntil?: number;
            claim?: string;
          })
        : undefined;
      if (!record) continue;
      if (record.state === 'in-progress' && record.claim === claim) return { state: 'new' };
      if (record.requestHash !== requestHash) return { state: 'mismatch' };
      if (record.state === 'done' && record.status !== undefined && record.ref !== undefined) {
        return { state: 'done', status: record.status, ref: record.ref };
      }
      // A claim that lapsed between the two reads: try to take it over.
      if (record.leaseUntil !== undefined && record.leaseUntil < this.nowSeconds()) continue;
      return { state: 'in-progress' };
    }
    return { state: 'in-progress' };
  }

  async complete(scope: string, key: string, status: number, ref: string): Promise<void> {
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(scope, key),
        UpdateExpression: 'SET #state = :done, #status = :status, #ref = :ref',
        ExpressionAttributeNames: { '#state': 'state', '#status': 'status', '#ref': 'ref' },
        ExpressionAttributeValues: marshall({ ':done': 'done', ':status': status, ':ref': ref }),
      }),
    );
  }

  /** Forgets a key whose request failed, so that a retry runs it afresh. */
  async abandon(scope: string, key: string): Promise<void> {
    await this.dynamodb.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(scope, key) }));
  }
}
