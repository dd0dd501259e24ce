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
import type { Finding, RecordRef, SubjectRecord } from '../domain/data-subject.js';
import type { AbuseReport } from '../domain/abuse-reports.js';
import { expiryOf } from '../domain/retention.js';
import type { SealingKey } from '../keys/personal-data-cipher.js';
import { batchWriteAll } from './batch-write.js';
import type { MeetingStore } from './meeting-store.js';
import { userIdempotencyScope } from './idempotency-store.js';
import { AUDIT_HEAD, tenantPk } from './tenant-store.js';

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

  /**
   * Every record of the tenant's partition that can be about a person, by
   * kind, plus the refs of the user's idempotency records (kept under their own key).
   */
  async items(tenantId: string, userRef: string): Promise<{ partition: SubjectRecord[]; idempotency: RecordRef[] }> {
    return {
      partition: (await this.query(tenantPk(tenantId))).flatMap((item) => {
        const record = subjectRecordOf(item);
        return record ? [record] : [];
      }),
      idempotency: (await this.query(userIdempotencyScope(tenantId, userRef))).map((item) => refOf(item)),
    };
  }

  private async query(pk: string): Promise<Item[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    });
    return items.map((item) => unmarshall(item) as Item);
  }

  async deleteAll(refs: readonly RecordRef[]): Promise<void> {
    await batchWriteAll(
      this.dynamodb,
      this.tableName,
      refs.map((ref) => ({ DeleteRequest: { Key: marshall(keyOf(ref)) } })),
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
    const itemKey = marshall(keyOf(finding.record.ref));
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
        if (finding.record.kind !== 'auditEntry') throw new Error('only an audit entry is redacted');
        const { entry } = finding.record;
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

/** An item as stored (unmarshalled). */
type Item = { readonly pk: string; readonly sk: string } & Readonly<Record<string, unknown>>;

/** A record's ref is its key, opaque outside this store. */
const refOf = (item: Item): RecordRef => JSON.stringify([item.pk, item.sk]);
function keyOf(ref: RecordRef): { pk: string; sk: string } {
  const [pk, sk] = JSON.parse(ref) as [string, string];
  return { pk, sk };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (value === undefined ? undefined : Number(value));
/** Only the fields that are present, so that a record carries no `undefined`. */
const present = <T extends Record<string, unknown>>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * What a stored item is, read from the key layout (see the stores that write
 * each: meeting, live-state, breakout-plan, webhook-ledger, lobby, e2ee,
 * media-key, guest-link, privacy, report and tenant stores). A new kind of
 * record that can be about a person, or that hangs off a meeting, is added
 * here and to SubjectRecord. Anything else (the profile, settings, the audit
 * head, erasure receipts…) is about no one and is left out.
 */
export function subjectRecordOf(item: Item): SubjectRecord | undefined {
  const ref = refOf(item);
  const [prefix, first, second, third] = item.sk.split('#');
  // Meeting-scoped records carry the meeting id second; meeting ids look like mt_….
  const meetingId = first?.startsWith('mt_') ? first : undefined;
  const participantId = str(item.participantId) ?? '';
  switch (prefix) {
    case 'M':
      return meetingId
        ? {
            ref,
            kind: 'meeting',
            meetingId,
            hostRef: String(item.hostRef),
            inviteeRefs: [...((item.inviteeRefs as string[] | undefined) ?? [])],
          }
        : undefined;
    case 'LIVE':
      return meetingId === undefined
        ? undefined
        : { ref, kind: 'liveState', meetingId, removed: [...((item.removed as string[] | undefined) ?? [])] };
    case 'BRK': {
      const rooms = (item.plan as { rooms?: { name: string; members: string[] }[] } | undefined)?.rooms ?? [];
      return meetingId === undefined ? undefined : { ref, kind: 'breakoutPlan', meetingId, rooms };
    }
    case 'ATT':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'attendance',
            meetingId,
            participantId,
            ...present({ room: str(item.room), joinedAt: str(item.joinedAt), leftAt: str(item.leftAt) }),
          };
    case 'LOBBY':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'lobbyTicket',
            meetingId,
            participantId,
            userRef: String(item.userRef),
            ...present({ status: str(item.status), since: str(item.since) }),
          };
    case 'PASS':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'passcodeAttempts',
            meetingId,
            participantId: second ?? '',
            ...present({ attempts: num(item.attempts), windowEnds: num(item.windowEnds) }),
          };
    case 'ADM':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'admission',
            meetingId,
            participantId,
            ...present({ epoch: num(item.epoch), since: str(item.since), via: str(item.via) }),
          };
    case 'DEV':
      return {
        ref,
        kind: 'device',
        deviceId: item.sk.slice('DEV#'.length),
        ...present({ userRef: str(item.userRef) }),
        registration: { ...(item.registration as Record<string, unknown> | undefined) },
      };
    case 'MDEV':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'meetingDevice',
            meetingId,
            participantId,
            ...present({ deviceId: str((item.registration as { deviceId?: unknown } | undefined)?.deviceId) }),
          };
    case 'ENV':
      return meetingId === undefined
        ? undefined
        : { ref, kind: 'keyEnvelope', meetingId, epoch: Number(second), deviceId: third ?? '' };
    case 'MKEY':
      return meetingId === undefined ? undefined : { ref, kind: 'mediaKey', meetingId };
    case 'GUEST':
      return meetingId === undefined
        ? undefined
        : {
            ref,
            kind: 'guestLink',
            meetingId,
            inviteeRef: String(item.inviteeRef),
            validUntil: String(item.validUntil),
            status: item.status === 'redeemed' ? 'redeemed' : 'open',
            createdAt: String(item.createdAt),
            ...present({
              redeemedAt: str(item.redeemedAt),
              guestRef: str(item.guestRef),
              guestParticipantId: str(item.guestParticipantId),
            }),
          };
    case 'PREF':
      return {
        ref,
        kind: 'preferences',
        userRef: item.sk.slice('PREF#'.length),
        preferences: { ...(item.preferences as { productNews?: boolean; marketing?: boolean } | undefined) },
      };
    case 'REPORT':
      return { ref, kind: 'report', report: item.report as AbuseReport };
    case 'REPORTCLIP':
      return { ref, kind: 'reportClip', reportId: item.sk.slice('REPORTCLIP#'.length) };
    case 'AUDIT':
      return item.sk === AUDIT_HEAD || item.entry === undefined
        ? undefined
        : { ref, kind: 'auditEntry', entry: item.entry as AuditEntry };
    default:
      return undefined;
  }
}
