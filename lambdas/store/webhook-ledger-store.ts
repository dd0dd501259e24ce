import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { expiryOf } from '../domain/retention.js';
import { attendanceKey, attendancePrefix, expiresIn, roomKey, webhookEventKey } from './live-keys.js';
import type { RetentionOf } from './meeting-store.js';
import { queryAll } from './query-pages.js';
import { tenantPk } from './tenant-store.js';

export interface AttendanceRecord {
  readonly participantId: string;
  readonly room: string;
  readonly joinedAt?: string;
  readonly leftAt?: string;
}

/** Which meeting (and breakout) a LiveKit room belongs to. */
export interface RoomOwner {
  readonly tenantId: string;
  readonly meetingId: string;
  readonly clusterId: string;
  readonly breakoutId?: string;
}

/**
 * What LiveKit's webhooks keep: each event id once, the room index that finds
 * a room's meeting, and attendance per participant session. The event ledger
 * and room index hold only opaque ids; attendance stays in the tenant's
 * partition with its retention.
 */
export class WebhookLedgerStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: RetentionOf,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** True the first time an event id is seen (kept a day), false for a redelivery. */
  async firstDelivery(eventId: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...webhookEventKey(eventId), expiresAt: expiresIn(this.nowMs(), 86_400) }),
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
    await this.dynamodb.send(new DeleteItemCommand({ TableName: this.tableName, Key: marshall(webhookEventKey(eventId)) }));
  }

  /** The meeting a room belongs to, its node, and for a breakout's room the breakout it was opened for. */
  async roomOwner(
    roomName: string,
  ): Promise<{ tenantId: string; meetingId: string; clusterId: string; breakoutId?: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(roomKey(roomName)) }),
    );
    if (!Item) return undefined;
    const { tenantId, meetingId, clusterId, breakoutId } = unmarshall(Item) as {
      tenantId: string;
      meetingId: string;
      clusterId: string;
      breakoutId?: string;
    };
    return { tenantId, meetingId, clusterId, ...(breakoutId !== undefined && { breakoutId }) };
  }

  /** Lets webhooks about a room (the meeting's own, or a breakout) find their meeting; kept a week. */
  async indexRoom(roomName: string, owner: RoomOwner): Promise<void> {
    await this.dynamodb.send(new PutItemCommand({ TableName: this.tableName, Item: this.roomIndexItem(roomName, owner) }));
  }

  /** The room index's item, for a transaction of another store that also opens a room (the live state's pin). */
  roomIndexItem(roomName: string, owner: RoomOwner): Record<string, AttributeValue> {
    return marshall(
      { ...roomKey(roomName), ...owner, expiresAt: expiresIn(this.nowMs(), 7 * 86_400) },
      { removeUndefinedValues: true },
    );
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
        Key: marshall(attendanceKey(tenantId, meetingId, session.sid)),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeValues: marshall(values),
      }),
    );
  }

  async attendance(tenantId: string, meetingId: string): Promise<AttendanceRecord[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': attendancePrefix(meetingId) }),
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { participantId, room, joinedAt, leftAt } = unmarshall(item) as AttendanceRecord;
      return { participantId, room, ...(joinedAt && { joinedAt }), ...(leftAt && { leftAt }) };
    });
  }
}
