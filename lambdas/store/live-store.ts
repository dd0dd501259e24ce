import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { conflict, tooMany } from '../domain/errors.js';

const conflictDecided = () => conflict('the ticket is unknown or was already decided');
import type { BreakoutPlan } from '../domain/breakouts.js';
import type { Admission } from '../domain/admission.js';
import { IDLE, type LiveState } from '../domain/live-meeting.js';
import type { Meeting } from '../domain/meeting.js';
import { expiryOf } from '../domain/retention.js';
import type { RetentionOf } from './meeting-store.js';
import { tenantPk } from './tenant-store.js';

/** The meeting without its sealed personal fields: what a join needs, read without any decryption. */
export type MeetingCore = Omit<Meeting, 'title' | 'description' | 'invitees'>;

export interface LobbyTicket {
  readonly ticket: string;
  readonly meetingId: string;
  readonly participantId: string;
  readonly userRef: string;
  readonly status: 'waiting' | 'admitted' | 'denied';
  readonly since: string;
  /** End-to-end meetings: the device the participant will join with. */
  readonly deviceId?: string;
  /** Sealed display name, when the tenant shows names. */
  readonly sealedName?: Uint8Array;
  /** Someone who came by a guest link, shown to hosts as a guest. */
  readonly guest?: true;
}

export interface AttendanceRecord {
  readonly participantId: string;
  readonly room: string;
  readonly joinedAt?: string;
  readonly leftAt?: string;
}

const liveKey = (tenantId: string, meetingId: string) => ({ pk: tenantPk(tenantId), sk: `LIVE#${meetingId}` });
const admissionKey = (tenantId: string, meetingId: string, participantId: string) => ({
  pk: tenantPk(tenantId),
  sk: `ADM#${meetingId}#${participantId}`,
});
const passcodeKey = (tenantId: string, meetingId: string, participantId: string) => ({
  pk: tenantPk(tenantId),
  sk: `PASS#${meetingId}#${participantId}`,
});
const ticketKey = (tenantId: string, meetingId: string, ticket: string) => ({
  pk: tenantPk(tenantId),
  sk: `LOBBY#${meetingId}#${ticket}`,
});
/** An admission lasts a working day: long enough for any meeting, and a recurring series' next occurrence asks again. */
const ADMISSION_SECONDS = 12 * 3600;
const meetingKey = (tenantId: string, meetingId: string) => ({ pk: tenantPk(tenantId), sk: `M#${meetingId}` });
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
 * The live side of meetings: where the media is, locks, removals, key epochs,
 * lobby tickets, passcode attempts, attendance, and the per-node load and
 * room index that webhooks keep. Everything about a tenant stays in its
 * partition; the room index and node load hold only opaque ids.
 */
export class LiveStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: RetentionOf,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private expires(seconds: number): number {
    return Math.floor(this.nowMs() / 1000) + seconds;
  }

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
            ProjectionExpression: `sk, ${CORE_ATTRIBUTES}, nodeId, roomName, locked, ended, removed, epoch, participantId, since, via, expiresAt`,
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
      if (String(sk).startsWith('M#'))
        meeting = { ...(rest as MeetingCore), inviteeRefs: [...((rest.inviteeRefs as string[]) ?? [])] };
      else if (String(sk).startsWith('ADM#')) {
        // TTL deletes late; an expired admission is no admission.
        if (Number(rest.expiresAt) > Math.floor(this.nowMs() / 1000)) {
          admission = { participantId: rest.participantId, epoch: Number(rest.epoch), since: rest.since, via: rest.via };
        }
      } else {
        const { nodeId, roomName, locked, ended, removed, epoch } = rest as Partial<LiveState>;
        live = {
          ...IDLE,
          ...(nodeId !== undefined && { nodeId }),
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
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': `ADM#${meetingId}#` }),
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

  private admissionItem(tenantId: string, meetingId: string, admission: Admission) {
    return marshall({
      ...admissionKey(tenantId, meetingId, admission.participantId),
      ...admission,
      expiresAt: this.expires(ADMISSION_SECONDS),
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
   * that has gone unhealthy.
   */
  async pin(tenantId: string, meetingId: string, nodeId: string, roomName: string, replacing?: string): Promise<LiveState> {
    try {
      const result = await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall(liveKey(tenantId, meetingId)),
          UpdateExpression:
            'SET nodeId = :node, roomName = :room, locked = if_not_exists(locked, :f), ended = if_not_exists(ended, :f), epoch = if_not_exists(epoch, :zero)',
          ConditionExpression: replacing ? 'nodeId = :old' : 'attribute_not_exists(nodeId)',
          ExpressionAttributeValues: marshall({
            ':node': nodeId,
            ':room': roomName,
            ':f': false,
            ':zero': 0,
            ...(replacing && { ':old': replacing }),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            pk: `ROOM#${roomName}`,
            sk: 'ROOM',
            tenantId,
            meetingId,
            nodeId,
            expiresAt: this.expires(7 * 86_400),
          }),
        }),
      );
      return { ...IDLE, ...(unmarshall(result.Attributes ?? {}) as Partial<LiveState>) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return this.live(tenantId, meetingId);
      throw error;
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

  // --- breakouts -------------------------------------------------------------------------------------

  async breakoutPlan(tenantId: string, meetingId: string): Promise<BreakoutPlan | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: `BRK#${meetingId}` }),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item).plan as BreakoutPlan) : undefined;
  }

  /** Saves a plan if nobody changed it since `expectedVersion` (undefined: there was none). */
  async saveBreakoutPlan(
    tenantId: string,
    meetingId: string,
    plan: BreakoutPlan,
    expectedVersion: number | undefined,
  ): Promise<void> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            {
              pk: tenantPk(tenantId),
              sk: `BRK#${meetingId}`,
              plan,
              planVersion: plan.version,
              expiresAt: expiryOf(this.nowMs(), (await this.retention(tenantId)).attendance),
            },
            { removeUndefinedValues: true },
          ),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'planVersion = :v', ExpressionAttributeValues: marshall({ ':v': expectedVersion }) }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw conflict('the breakouts were changed meanwhile; read them again');
      throw error;
    }
  }

  /** Lets webhooks about a breakout room find their meeting. */
  async indexRoom(
    roomName: string,
    owner: { tenantId: string; meetingId: string; nodeId: string; breakoutId?: string },
  ): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          { pk: `ROOM#${roomName}`, sk: 'ROOM', ...owner, expiresAt: this.expires(7 * 86_400) },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  /** Participants the webhooks have seen in any room of the meeting. */
  async participantsSeen(tenantId: string, meetingId: string): Promise<string[]> {
    return [...new Set((await this.attendance(tenantId, meetingId)).map((a) => a.participantId))];
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

  // --- passcode attempts -------------------------------------------------------------------------

  /**
   * Reserves one passcode attempt before the passcode is even hashed, so a
   * burst of concurrent guesses cannot all be evaluated: at most `limit` per
   * window, and a window that has passed re-arms. Refuses with too-many.
   */
  async reservePasscodeAttempt(
    tenantId: string,
    meetingId: string,
    participantId: string,
    limit: number,
    windowSeconds: number,
  ): Promise<void> {
    const key = marshall(passcodeKey(tenantId, meetingId, participantId));
    const now = Math.floor(this.nowMs() / 1000);
    const conditional = async (command: UpdateItemCommand) =>
      this.dynamodb.send(command).then(
        () => true,
        (error: Error) => {
          if (error instanceof ConditionalCheckFailedException) return false;
          throw error;
        },
      );
    // Two rounds: a concurrent request may open a new window between this one's two tries.
    for (let round = 0; round < 2; round++) {
      const counted = await conditional(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET attempts = attempts + :one',
          ConditionExpression: 'windowEnds > :now AND attempts < :limit',
          ExpressionAttributeValues: marshall({ ':one': 1, ':now': now, ':limit': limit }),
        }),
      );
      if (counted) return;
      const opened = await conditional(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET attempts = :one, windowEnds = :end, expiresAt = :end',
          ConditionExpression: 'attribute_not_exists(windowEnds) OR windowEnds <= :now',
          ExpressionAttributeValues: marshall({ ':one': 1, ':now': now, ':end': now + windowSeconds }),
        }),
      );
      if (opened) return;
    }
    throw tooMany('too many wrong passcodes; try again later', 'passcode');
  }

  /** A right passcode clears the count. */
  async clearPasscodeAttempts(tenantId: string, meetingId: string, participantId: string): Promise<void> {
    await this.dynamodb.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: marshall(passcodeKey(tenantId, meetingId, participantId)) }),
    );
  }

  // --- lobby ---------------------------------------------------------------------------------------

  async putTicket(tenantId: string, ticket: LobbyTicket): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          {
            pk: tenantPk(tenantId),
            sk: `LOBBY#${ticket.meetingId}#${ticket.ticket}`,
            ...ticket,
            expiresAt: expiryOf(this.nowMs(), (await this.retention(tenantId)).lobbyTickets),
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  async ticket(tenantId: string, meetingId: string, ticket: string): Promise<LobbyTicket | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(ticketKey(tenantId, meetingId, ticket)),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item) as LobbyTicket) : undefined;
  }

  async waiting(tenantId: string, meetingId: string): Promise<LobbyTicket[]> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#status = :waiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({
          ':pk': tenantPk(tenantId),
          ':prefix': `LOBBY#${meetingId}#`,
          ':waiting': 'waiting',
        }),
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => unmarshall(item) as LobbyTicket);
  }

  /**
   * Decides a waiting ticket once (a ticket already decided is a conflict); an
   * admission is recorded in the same transaction, so a ticket is never
   * admitted without one.
   */
  async decide(tenantId: string, meetingId: string, ticket: string, decision: 'denied' | Admission): Promise<void> {
    const status = decision === 'denied' ? 'denied' : 'admitted';
    const update = {
      TableName: this.tableName,
      Key: marshall(ticketKey(tenantId, meetingId, ticket)),
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: '#status = :waiting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':status': status, ':waiting': 'waiting' }),
    };
    try {
      if (decision === 'denied') await this.dynamodb.send(new UpdateItemCommand(update));
      else
        await this.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Update: update },
              { Put: { TableName: this.tableName, Item: this.admissionItem(tenantId, meetingId, decision) } },
            ],
          }),
        );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflictDecided();
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed')
        throw conflictDecided();
      throw error;
    }
  }

  // --- webhooks: once per event, room index, attendance, node load -----------------------------------------

  /** True the first time an event id is seen (kept a day), false for a redelivery. */
  async firstDelivery(eventId: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ pk: `WEBHOOK#${eventId}`, sk: 'EVENT', expiresAt: this.expires(86_400) }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forgetDelivery(eventId: string): Promise<void> {
    await this.dynamodb.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: marshall({ pk: `WEBHOOK#${eventId}`, sk: 'EVENT' }) }),
    );
  }

  /** The meeting a room belongs to, its node, and for a breakout's room the breakout it was opened for. */
  async roomOwner(
    roomName: string,
  ): Promise<{ tenantId: string; meetingId: string; nodeId: string; breakoutId?: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: `ROOM#${roomName}`, sk: 'ROOM' }) }),
    );
    if (!Item) return undefined;
    const { tenantId, meetingId, nodeId, breakoutId } = unmarshall(Item) as {
      tenantId: string;
      meetingId: string;
      nodeId: string;
      breakoutId?: string;
    };
    return { tenantId, meetingId, nodeId, ...(breakoutId !== undefined && { breakoutId }) };
  }

  /**
   * Attendance per participant session, keyed by LiveKit's session id: join
   * and leave set different attributes, so their order of arrival does not matter.
   */
  async recordAttendance(
    tenantId: string,
    meetingId: string,
    session: { sid: string; identity: string; room: string },
    change: { joinedAt?: string; leftAt?: string },
  ): Promise<void> {
    const sets = ['participantId = :pid', 'room = :room', 'expiresAt = :exp'];
    const values: Record<string, unknown> = {
      ':pid': session.identity,
      ':room': session.room,
      ':exp': expiryOf(this.nowMs(), (await this.retention(tenantId)).attendance),
    };
    if (change.joinedAt) {
      sets.push('joinedAt = :joined');
      values[':joined'] = change.joinedAt;
    }
    if (change.leftAt) {
      sets.push('leftAt = :left');
      values[':left'] = change.leftAt;
    }
    await this.dynamodb.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: `ATT#${meetingId}#${session.sid}` }),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  async attendance(tenantId: string, meetingId: string): Promise<AttendanceRecord[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': `ATT#${meetingId}#` }),
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { participantId, room, joinedAt, leftAt } = unmarshall(item) as AttendanceRecord;
      return { participantId, room, ...(joinedAt && { joinedAt }), ...(leftAt && { leftAt }) };
    });
  }

  /** The latest participant count of a room on a node; an older report never overwrites a newer one. */
  async reportRoomLoad(nodeId: string, roomName: string, participants: number, at: number): Promise<void> {
    await this.dynamodb
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ pk: `MEDIA#LOAD#${nodeId}`, sk: roomName, participants, at, expiresAt: this.expires(86_400) }),
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: marshall({ ':at': at }),
        }),
      )
      .catch((error: Error) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async nodeLoad(nodeId: string): Promise<number> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': `MEDIA#LOAD#${nodeId}` }),
      }),
    );
    return (page.Items ?? []).reduce((sum, item) => sum + Number(unmarshall(item).participants ?? 0), 0);
  }

  async nodeStatuses(): Promise<Map<string, 'active' | 'draining'>> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': 'MEDIA#NODES' }),
      }),
    );
    return new Map(
      (page.Items ?? [])
        .map((item) => unmarshall(item) as { sk: string; status: 'active' | 'draining' })
        .map((n) => [n.sk, n.status]),
    );
  }

  async setNodeStatus(nodeId: string, status: 'active' | 'draining'): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ pk: 'MEDIA#NODES', sk: nodeId, status, at: new Date(this.nowMs()).toISOString() }),
      }),
    );
  }
}

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
        UpdateExpression: 'REMOVE nodeId, roomName',
        ConditionExpression: 'roomName = :room',
        ExpressionAttributeValues: marshall({ ':room': roomName }),
      }),
    )
    .catch((error: Error) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}
