import {
  GetItemCommand,
  PutItemCommand,
  ConditionalCheckFailedException,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { stale } from '../domain/errors.js';
import type { Meeting, MeetingPersonalFields } from '../domain/meeting.js';
import type { PersonalDataCipher, SealingKey } from '../keys/personal-data-cipher.js';
import { expiryOf, type RetentionPolicy } from '../domain/retention.js';
import { tenantPk } from './tenant-store.js';

/** A tenant's retention periods (cached by the caller). */
export type RetentionOf = (tenantId: string) => Promise<RetentionPolicy>;

const meetingSk = (meetingId: string) => `M#${meetingId}`;
const byEndPk = (tenantId: string) => `T#${tenantId}#M`;

/**
 * Meetings live in their tenant's partition (`T#<tenant>`, `M#<meeting>`),
 * their title, description and invitees sealed under the tenant key. The
 * `gsi1` index orders a tenant's meetings by the end of their series, which is
 * what a time-range listing needs: every meeting that ends after the range
 * starts, filtered to those that start before it ends.
 */
export class MeetingStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly cipher: PersonalDataCipher,
    private readonly retention: RetentionOf,
  ) {}

  async get(key: SealingKey, meetingId: string): Promise<Meeting | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: tenantPk(key.tenantId), sk: meetingSk(meetingId) }) }),
    );
    return Item ? this.fromItem(key, Item) : undefined;
  }

  /** Writes a new meeting, or a new version of one if it is still at `expectedVersion`. */
  async put(key: SealingKey, meeting: Meeting, expectedVersion?: number): Promise<void> {
    const { title, description, invitees, ...plain } = meeting;
    const personal: MeetingPersonalFields = { title, ...(description !== undefined && { description }), invitees };
    const sealed = await this.cipher.seal(key, 'meeting', personal);
    const item = {
      pk: tenantPk(meeting.tenantId),
      sk: meetingSk(meeting.id),
      gsi1pk: byEndPk(meeting.tenantId),
      gsi1sk: `${meeting.seriesEndsAt}#${meeting.id}`,
      ...plain,
      sealed,
      expiresAt: expiryOf(Date.parse(meeting.seriesEndsAt), (await this.retention(meeting.tenantId)).meetings),
    };
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(item, { removeUndefinedValues: true }),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': { N: String(expectedVersion) } } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw stale('the meeting was changed since it was read; read it again');
      throw error;
    }
  }

  /**
   * Meetings whose series ends after `from` and starts before `to`, optionally
   * only those hosted by `hostRef` or inviting `inviteeRef`.
   */
  async overlapping(
    key: SealingKey,
    from: string,
    to: string,
    visibleTo?: { hostRef: string; inviteeRef?: string },
  ): Promise<Meeting[]> {
    const values: Record<string, unknown> = { ':pk': byEndPk(key.tenantId), ':from': from, ':to': to, ':cancelled': 'cancelled' };
    let filter = 'startsAt < :to AND #status <> :cancelled';
    if (visibleTo) {
      values[':host'] = visibleTo.hostRef;
      if (visibleTo.inviteeRef) {
        values[':invitee'] = visibleTo.inviteeRef;
        filter += ' AND (hostRef = :host OR contains(inviteeRefs, :invitee))';
      } else {
        filter += ' AND hostRef = :host';
      }
    }
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :from',
      FilterExpression: filter,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall(values),
    });
    // One at a time: a long listing should not burst KMS with decrypts.
    const meetings: Meeting[] = [];
    for (const item of items) meetings.push(await this.fromItem(key, item));
    return meetings;
  }

  private async fromItem(key: SealingKey, item: Record<string, AttributeValue>): Promise<Meeting> {
    const {
      pk: _pk,
      sk: _sk,
      gsi1pk: _g1,
      gsi1sk: _g2,
      expiresAt: _e,
      sealed,
      ...plain
    } = unmarshall(item) as Omit<Meeting, keyof MeetingPersonalFields> & {
      pk: string;
      sk: string;
      gsi1pk: string;
      gsi1sk: string;
      expiresAt: number;
      sealed: Uint8Array;
    };
    const personal = await this.cipher.open<MeetingPersonalFields>(key, 'meeting', sealed);
    return { ...plain, inviteeRefs: [...(plain.inviteeRefs ?? [])], ...personal };
  }
}
