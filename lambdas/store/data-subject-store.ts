import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';
import { normaliseAddress } from '../domain/address.js';
import { redactAuditEntry, type AuditEntry } from '../domain/audit.js';
import type { Finding, StoredItem } from '../domain/data-subject.js';
import { expiryOf } from '../domain/retention.js';
import type { SealingKey } from '../keys/personal-data-cipher.js';
import { batchWriteAll } from './batch-write.js';
import type { MeetingStore } from './meeting-store.js';
import { tenantPk } from './tenant-store.js';

const MAX_ATTEMPTS = 3;

/** Stands in for an erased invitee; no address's pseudonym looks like it. */
const ERASED_INVITEE = 'erased-invitee';

/** A one-way tag for "this user was erased", so that the receipt does not keep even their pseudonym. */
const receiptSk = (userRef: string) => `ERASED#${createHash('sha256').update(`erasure\n${userRef}`).digest('hex')}`;

/**
 * Reads and changes what a tenant's partition holds about one user. Each
 * change is idempotent, so an erasure that stopped part-way is finished by
 * running it again.
 */
export class DataSubjectStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly meetings: MeetingStore,
  ) {}

  /** Every item of the tenant's partition, plus the user's idempotency records (kept under their own key). */
  async items(tenantId: string, userRef: string): Promise<{ partition: StoredItem[]; idempotency: StoredItem[] }> {
    return {
      partition: await this.query(tenantPk(tenantId)),
      idempotency: await this.query(`${tenantPk(tenantId)}#U#${userRef}`),
    };
  }

  private async query(pk: string): Promise<StoredItem[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    });
    return items.map((item) => unmarshall(item) as StoredItem);
  }

  async deleteAll(items: readonly StoredItem[]): Promise<void> {
    await batchWriteAll(
      this.dynamodb,
      this.tableName,
      items.map((item) => ({ DeleteRequest: { Key: marshall({ pk: item.pk, sk: item.sk }) } })),
    );
  }

  /** Applies one finding's erasure other than a plain delete, for the erasure of `userRef` (its receipt counts redactions). */
  async pseudonymise(
    key: SealingKey,
    finding: Finding,
    email: string | undefined,
    emailRef: string | undefined,
    userRef: string,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pseudonymiseOnce(key, finding, email, emailRef, userRef);
        return;
      } catch (error) {
        const raced =
          error instanceof ConditionalCheckFailedException ||
          error instanceof TransactionCanceledException ||
          (error as { kind?: string }).kind === 'stale';
        if (!raced || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async pseudonymiseOnce(
    key: SealingKey,
    finding: Finding,
    email: string | undefined,
    emailRef: string | undefined,
    userRef: string,
  ): Promise<void> {
    const itemKey = marshall({ pk: finding.item.pk, sk: finding.item.sk });
    switch (finding.action) {
      case 'uninvite': {
        const meeting = await this.meetings.get(key, finding.meetingId!);
        if (!meeting) return;
        const inviteeRefs = meeting.inviteeRefs.filter((ref) => ref !== emailRef);
        await this.meetings.put(
          key,
          {
            ...meeting,
            invitees: meeting.invitees.filter((address) => normaliseAddress(address) !== email),
            // A meeting with no invitees is open to the whole tenant: one that invited only them stays closed.
            inviteeRefs: inviteeRefs.length > 0 ? inviteeRefs : [ERASED_INVITEE],
            updatedAt: new Date().toISOString(),
            version: meeting.version + 1,
          },
          meeting.version,
        );
        return;
      }
      case 'unremove': {
        const current = await this.fresh(itemKey);
        const index = ((current?.removed as string[] | undefined) ?? []).indexOf(finding.participantId!);
        if (index < 0) return;
        await this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: itemKey,
            UpdateExpression: `REMOVE removed[${index}]`,
            ConditionExpression: `removed[${index}] = :pid`,
            ExpressionAttributeValues: marshall({ ':pid': finding.participantId }),
          }),
        );
        return;
      }
      case 'unassign': {
        const current = await this.fresh(itemKey);
        if (!current) return;
        const plan = current.plan as { rooms: { members: string[] }[] };
        const rooms = plan.rooms.map((r) => ({ ...r, members: r.members.filter((m) => m !== finding.participantId) }));
        await this.dynamodb.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshall({ ...current, plan: { ...plan, rooms } }, { removeUndefinedValues: true }),
            ConditionExpression: 'planVersion = :v',
            ExpressionAttributeValues: marshall({ ':v': current.planVersion }),
          }),
        );
        return;
      }
      case 'unlink-report':
        await this.dynamodb
          .send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: itemKey,
              UpdateExpression: 'REMOVE #report.reportedParticipantId',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#report': 'report' },
            }),
          )
          .catch((error: unknown) => {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          });
        return;
      case 'redact-audit': {
        // The redaction and its count on the erasure's receipt, together: the erasure's audit entry reports the count.
        const entry = finding.item.entry as AuditEntry;
        await this.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: itemKey,
                  UpdateExpression: 'SET #entry = :redacted',
                  ConditionExpression: '#entry.#hash = :hash',
                  ExpressionAttributeNames: { '#entry': 'entry', '#hash': 'hash' },
                  ExpressionAttributeValues: marshall(
                    { ':redacted': redactAuditEntry(entry), ':hash': entry.hash },
                    { removeUndefinedValues: true },
                  ),
                },
              },
              {
                Update: {
                  TableName: this.tableName,
                  Key: marshall({ pk: tenantPk(key.tenantId), sk: receiptSk(userRef) }),
                  UpdateExpression: 'ADD auditRedactions :one',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: marshall({ ':one': 1 }),
                },
              },
            ],
          }),
        );
        return;
      }
      case 'delete':
        // A caller's mistake, not a client's: deletes go through deleteAll.
        throw new Error('a delete is not a pseudonymisation');
    }
  }

  private async fresh(itemKey: Record<string, AttributeValue>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: itemKey, ConsistentRead: true }),
    );
    return Item && unmarshall(Item);
  }

  /**
   * Remembers that the user's erasure began (not who they were), for as long
   * as the audit log keeps it; a second run keeps the first start.
   */
  async startReceipt(tenantId: string, userRef: string, at: Date, auditDays: number): Promise<ErasureReceipt> {
    const result = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: receiptSk(userRef) }),
        UpdateExpression: 'SET startedAt = if_not_exists(startedAt, :at), expiresAt = :exp',
        ExpressionAttributeValues: marshall({ ':at': at.toISOString(), ':exp': expiryOf(at, auditDays) }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return receiptOf(unmarshall(result.Attributes!));
  }

  /**
   * How many audit entries this user's erasure redacted (over all its runs)
   * that no erasure entry has reported yet, and the total so far.
   */
  async unreportedRedactions(tenantId: string, userRef: string): Promise<{ unreported: number; total: number }> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: receiptSk(userRef) }),
        ProjectionExpression: 'auditRedactions, auditRedactionsReported',
        ConsistentRead: true,
      }),
    );
    const counts = Item ? (unmarshall(Item) as { auditRedactions?: number; auditRedactionsReported?: number }) : {};
    const total = counts.auditRedactions ?? 0;
    return { unreported: Math.max(0, total - (counts.auditRedactionsReported ?? 0)), total };
  }

  /** The erasure is done and its audit entry reported the redactions up to `reported`. */
  async completeReceipt(tenantId: string, userRef: string, at: Date, reported: number): Promise<void> {
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: receiptSk(userRef) }),
        UpdateExpression: 'SET completedAt = :at, auditRedactionsReported = :reported',
        ExpressionAttributeValues: marshall({ ':at': at.toISOString(), ':reported': reported }),
      }),
    );
  }

  async receipt(tenantId: string, userRef: string): Promise<ErasureReceipt | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: receiptSk(userRef) }),
        ConsistentRead: true,
      }),
    );
    return Item && receiptOf(unmarshall(Item));
  }
}

export interface ErasureReceipt {
  readonly startedAt: string;
  readonly completedAt?: string;
}

function receiptOf(item: Record<string, unknown>): ErasureReceipt {
  return { startedAt: String(item.startedAt), ...(item.completedAt !== undefined && { completedAt: String(item.completedAt) }) };
}
