import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeviceRegistration, Envelope } from '../../media/e2ee/envelope-schema.js';
import { batchWriteAll } from './batch-write.js';
import { tenantPk } from './tenant-store.js';

/**
 * End-to-end mode's server side holds only public material and opaque
 * envelopes: device registrations (public keys, self-signed), which device a
 * participant uses in a meeting, and per epoch one sealed media key per
 * device. Nothing here can decrypt anything.
 */
export class E2eeStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private expires(): number {
    return Math.floor(this.nowMs() / 1000) + this.retentionSeconds;
  }

  async putDevice(tenantId: string, userRef: string, registration: DeviceRegistration): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(tenantId),
          sk: `DEV#${userRef}#${registration.deviceId}`,
          registration,
          userRef,
          expiresAt: this.expires(),
        }),
      }),
    );
  }

  async device(tenantId: string, userRef: string, deviceId: string): Promise<DeviceRegistration | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: `DEV#${userRef}#${deviceId}` }),
      }),
    );
    return Item ? (unmarshall(Item).registration as DeviceRegistration) : undefined;
  }

  async bindMeetingDevice(
    tenantId: string,
    meetingId: string,
    participantId: string,
    registration: DeviceRegistration,
  ): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(tenantId),
          sk: `MDEV#${meetingId}#${participantId}`,
          participantId,
          registration,
          expiresAt: this.expires(),
        }),
      }),
    );
  }

  async meetingDevices(
    tenantId: string,
    meetingId: string,
  ): Promise<{ participantId: string; registration: DeviceRegistration }[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': `MDEV#${meetingId}#` }),
      ConsistentRead: true,
    });
    return items.map((item) => {
      const { participantId, registration } = unmarshall(item) as { participantId: string; registration: DeviceRegistration };
      return { participantId, registration };
    });
  }

  async putEnvelopes(tenantId: string, envelopes: readonly Envelope[]): Promise<void> {
    await batchWriteAll(
      this.dynamodb,
      this.tableName,
      envelopes.map((envelope) => ({
        PutRequest: {
          Item: marshall({
            pk: tenantPk(tenantId),
            sk: `ENV#${envelope.meetingId}#${String(envelope.epoch).padStart(6, '0')}#${envelope.recipientDeviceId}`,
            envelope,
            expiresAt: this.expires(),
          }),
        },
      })),
    );
  }

  async envelope(tenantId: string, meetingId: string, epoch: number, deviceId: string): Promise<Envelope | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(tenantId), sk: `ENV#${meetingId}#${String(epoch).padStart(6, '0')}#${deviceId}` }),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item).envelope as Envelope) : undefined;
  }
}
