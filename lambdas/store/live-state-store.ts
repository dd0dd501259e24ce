import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Admission } from '../domain/admission.js';
import { conflict } from '../domain/errors.js';
import { IDLE, type LiveState } from '../domain/live-meeting.js';
import type { Meeting } from '../domain/meeting.js';
import { admissionKey, admissionPrefix, expiresIn, isAdmissionSk, isMeetingSk, liveKey, meetingKey } from './live-keys.js';
import { queryAll } from './query-pages.js';
import { tenantPk } from './tenant-store.js';
import type { WebhookLedgerStore } from './webhook-ledger-store.js';

/** The meeting without its sealed personal fields: what a join needs, read without any decryption. */
export type MeetingCore = Omit<Meeting, 'title' | 'description' | 'invitees'>;

/** Builds an admission's item, for a transaction of another store that also admits (the lobby's decision). */
export interface AdmissionItems {
  admissionItem(tenantId: string, meetingId: string, admission: Admission): Record<string, AttributeValue>;
}

/** An admission lasts a working day: long enough for any meeting, and a recurring series' next occurrence asks again. */
const ADMISSION_SECONDS = 12 * 3600;
const CORE_ATTRIBUTES = [
  'id',
  'tenantId',
  'hostRef',
  'inviteeRefs',
  'startsAt',
  'durationMinutes',
  '#timeZone',
  'recurrence',
  'encryption',
  'waitingRoom',
  'passcodeHash',
  '#status',
  'seriesEndsAt',
  'createdAt',
  'updatedAt',
  'version',
].join(', ');

/**
 * A meeting's live state: where its media is (the pin), its lock, end,
 * removals and key epoch, and the admissions that let participants in. The
 * room index and attendance it reads or writes belong to the webhook ledger,
 * which it reaches through `rooms`.
 */
export class LiveStateStore implements AdmissionItems {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly rooms: Pick<WebhookLedgerStore, 'roomIndexItem' | 'attendance'>,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * The meeting (without personal fields), its live state and, given a
   * participant, their admission: what every media decision needs, in one request.
   */
  async forJoin(
    tenantId: string,
    meetingId: string,
    participantId?: string,
  ): Promise<{ meeting?: MeetingCore; live: LiveState; admission?: Admission }> {
    const keys = [meetingKey(tenantId, meetingId), liveKey(tenantId, meetingId)];
    if (participantId !== undefined) keys.push(admissionKey(tenantId, meetingId, participantId));
    const result = await this.dynamodb.send(
      new BatchGetItemCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: keys.map((key) => marshall(key)),
            ProjectionExpression: `sk, ${CORE_ATTRIBUTES}, clusterId, roomName, locked, ended, removed, epoch, participantId, since, via, expiresAt`,
            ExpressionAttributeNames: { '#status': 'status', '#timeZone': 'timeZone' },
            ConsistentRead: true,
          },
        },
      }),
    );
    let meeting: MeetingCore | undefined;
    let live: LiveState = IDLE;
    let admission: Admission | undefined;
    for (const item of result.Responses?.[this.tableName] ?? []) {
      const { sk, ...rest } = unmarshall(item);
      if (isMeetingSk(String(sk)))
        meeting = { ...(rest as MeetingCore), inviteeRefs: [...((rest.inviteeRefs as string[]) ?? [])] };
      else if (isAdmissionSk(String(sk))) {
        // TTL deletes late; an expired admission is no admission.
        if (Number(rest.expiresAt) > Math.floor(this.nowMs() / 1000)) {
          admission = { participantId: rest.participantId, epoch: Number(rest.epoch), since: rest.since, via: rest.via };
        }
      } else {
        const { clusterId, roomName, locked, ended, removed, epoch } = rest as Partial<LiveState>;
        live = {
          ...IDLE,
          ...(clusterId !== undefined && { clusterId }),
          ...(roomName !== undefined && { roomName }),
          locked: locked ?? false,
          ended: ended ?? false,
          removed: [...(removed ?? [])],
          epoch: epoch ?? 0,
        };
      }
    }
    return { ...(meeting && { meeting }), live, ...(admission && { admission }) };
  }

  /** Records an admission (a participant who passed the invitation, passcode, waiting room and lock). */
  async admit(tenantId: string, meetingId: string, admission: Admission): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({ TableName: this.tableName, Item: this.admissionItem(tenantId, meetingId, admission) }),
    );
  }

  /** The participants whose admission to the meeting stands now (an expired one, which TTL deletes late, does not). */
  async admittedParticipants(tenantId: string, meetingId: string): Promise<Set<string>> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': admissionPrefix(meetingId) }),
      ProjectionExpression: 'participantId, expiresAt',
      ConsistentRead: true,
    });
    const now = Math.floor(this.nowMs() / 1000);
    return new Set(
      items
        .map((item) => unmarshall(item) as { participantId: string; expiresAt: number })
        .filter((a) => Number(a.expiresAt) > now)
        .map((a) => a.participantId),
    );
  }

  admissionItem(tenantId: string, meetingId: string, admission: Admission): Record<string, AttributeValue> {
    return marshall({
      ...admissionKey(tenantId, meetingId, admission.participantId),
      ...admission,
      expiresAt: expiresIn(this.nowMs(), ADMISSION_SECONDS),
    });
  }

  async live(tenantId: string, meetingId: string): Promise<LiveState> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(liveKey(tenantId, meetingId)), ConsistentRead: true }),
    );
    return Item ? { ...IDLE, ...(unmarshall(Item) as Partial<LiveState>) } : IDLE;
  }

  /**
   * Pins the meeting to a node and room, unless another join pinned it first
   * (then that pin wins and is returned). `replacing` re-pins away from a node
   * that has gone unhealthy. `known` is the live state the caller read: the
   * pin and the room's index entry (which lets webhooks find the meeting) are
   * written in one transaction that holds only while the key epoch is still
   * the one read, so the state returned is `known` with the pin, without
   * reading it back; when the transaction does not hold, the state is read
   * and the pin tried again while the meeting still needs it. `admitting`,
   * the admission of the participant whose join places the meeting, is
   * written in the same transaction (or alone, when another join's pin won).
   */
  async pin(
    tenantId: string,
    meetingId: string,
    clusterId: string,
    roomName: string,
    replacing: string | undefined,
    known: LiveState,
    admitting?: Admission,
  ): Promise<LiveState> {
    let expected = known;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: marshall(liveKey(tenantId, meetingId)),
                  UpdateExpression:
                    'SET clusterId = :node, roomName = :room, locked = if_not_exists(locked, :f), ended = if_not_exists(ended, :f), epoch = if_not_exists(epoch, :zero)',
                  ConditionExpression: `${replacing ? 'clusterId = :old' : 'attribute_not_exists(clusterId)'} AND (attribute_not_exists(epoch) OR epoch = :epoch)`,
                  ExpressionAttributeValues: marshall({
                    ':node': clusterId,
                    ':room': roomName,
                    ':f': false,
                    ':zero': 0,
                    ':epoch': expected.epoch,
                    ...(replacing && { ':old': replacing }),
                  }),
                },
              },
              {
                Put: { TableName: this.tableName, Item: this.rooms.roomIndexItem(roomName, { tenantId, meetingId, clusterId }) },
              },
              ...(admitting
                ? [{ Put: { TableName: this.tableName, Item: this.admissionItem(tenantId, meetingId, admitting) } }]
                : []),
            ],
          }),
        );
        return { ...expected, clusterId, roomName };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const current = await this.live(tenantId, meetingId);
        const stillNeedsPin = current.clusterId === undefined || (replacing !== undefined && current.clusterId === replacing);
        if (!stillNeedsPin) {
          if (admitting) await this.admit(tenantId, meetingId, admitting);
          return current;
        }
        if (attempt >= 2) {
          if (admitting) await this.admit(tenantId, meetingId, admitting);
          throw conflict('the meeting changed while it was being placed; join again');
        }
        expected = current;
      }
    }
  }

  async setLocked(tenantId: string, meetingId: string, locked: boolean): Promise<void> {
    await this.update(tenantId, meetingId, 'SET locked = :v', { ':v': locked });
  }

  async end(tenantId: string, meetingId: string): Promise<void> {
    await this.update(tenantId, meetingId, 'SET ended = :t', { ':t': true });
  }

  /**
   * Records a removal, revokes the participant's admission and starts a new key
   * epoch, all or nothing; returns the new epoch.
   */
  async remove(tenantId: string, meetingId: string, participantId: string): Promise<number> {
    await this.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: marshall(liveKey(tenantId, meetingId)),
              UpdateExpression:
                'SET removed = list_append(if_not_exists(removed, :empty), :who), epoch = if_not_exists(epoch, :zero) + :one',
              ExpressionAttributeValues: marshall({ ':empty': [], ':who': [participantId], ':zero': 0, ':one': 1 }),
            },
          },
          { Delete: { TableName: this.tableName, Key: marshall(admissionKey(tenantId, meetingId, participantId)) } },
        ],
      }),
    );
    return (await this.live(tenantId, meetingId)).epoch;
  }

  /** Participants the webhooks have seen in any room of the meeting. */
  async participantsSeen(tenantId: string, meetingId: string): Promise<string[]> {
    return [...new Set((await this.rooms.attendance(tenantId, meetingId)).map((a) => a.participantId))];
  }

  /** Starts a new key epoch; returns it. */
  async rotate(tenantId: string, meetingId: string): Promise<number> {
    const result = await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall(liveKey(tenantId, meetingId)),
        UpdateExpression: 'SET epoch = if_not_exists(epoch, :zero) + :one',
        ExpressionAttributeValues: marshall({ ':zero': 0, ':one': 1 }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(unmarshall(result.Attributes ?? {}).epoch ?? 0);
  }

  private async update(tenantId: string, meetingId: string, expression: string, values: Record<string, unknown>): Promise<void> {
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall(liveKey(tenantId, meetingId)),
        UpdateExpression: expression,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }
}

/** Forgets the meeting's pin, if it is still to `roomName` (the room's last participant left). */
export async function clearPin(
  dynamodb: DynamoDBClient,
  tableName: string,
  tenantId: string,
  meetingId: string,
  roomName: string,
): Promise<void> {
  await dynamodb
    .send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: marshall(liveKey(tenantId, meetingId)),
        UpdateExpression: 'REMOVE clusterId, roomName',
        ConditionExpression: 'roomName = :room',
        ExpressionAttributeValues: marshall({ ':room': roomName }),
      }),
    )
    .catch((error: Error) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}
