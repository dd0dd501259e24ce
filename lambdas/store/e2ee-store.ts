import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeviceRegistration, Envelope } from '../../media/e2ee/envelope-schema.js';
import { batchWriteAll } from './batch-write.js';
import { tenantPk } from './tenant-store.js';
import { conflict } from '../domain/errors.js';
import type { DeviceBinding } from '../domain/e2ee-devices.js';
import type { JoinRole } from '../domain/live-meeting.js';

/** A device registration, keyed by its id alone: an id names one device in the tenant. */
const deviceKey = (tenantId: string, deviceId: string) => ({ pk: tenantPk(tenantId), sk: `DEV#${deviceId}` });
const bindingKey = (tenantId: string, meetingId: string, participantId: string) => ({
  pk: tenantPk(tenantId),
  sk: `MDEV#${meetingId}#${participantId}`,
});

function bindingOf(item: Record<string, unknown>): DeviceBinding {
  return {
    participantId: String(item.participantId),
    registration: item.registration as DeviceRegistration,
    role: item.role === 'host' ? 'host' : 'participant',
    boundAt: Number(item.boundAt ?? 0),
  };
}

/**
 * End-to-end mode's server side holds only public material and opaque
 * envelopes: device registrations (public keys, self-signed; one per device
 * id in a tenant), which device a participant is bound to a meeting with
 * while present, and per epoch one sealed media key per device. Nothing here
 * can decrypt anything.
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

  /**
   * Registers a device under its id, which is unique in the tenant: the write
   * succeeds only if the id is free (or its registration expired), or if it
   * is the very same registration by the same user (then it is refreshed).
   * Anything else — another user's id, or the same id with other keys — is a
   * conflict and changes nothing.
   */
  async registerDevice(tenantId: string, userRef: string, registration: DeviceRegistration): Promise<void> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ ...deviceKey(tenantId, registration.deviceId), registration, userRef, expiresAt: this.expires() }),
          ConditionExpression:
            'attribute_not_exists(sk) OR expiresAt < :now OR (userRef = :user AND registration.hpkePublicKey = :hpke AND registration.signingPublicKey = :signing)',
          ExpressionAttributeValues: marshall({
            ':now': Math.floor(this.nowMs() / 1000),
            ':user': userRef,
            ':hpke': registration.hpkePublicKey,
            ':signing': registration.signingPublicKey,
          }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw conflict('this device id is already registered, by someone else or with other keys', 'deviceId');
      throw error;
    }
  }

  /** A registered device and whose it is; an expired registration is none. */
  async device(tenantId: string, deviceId: string): Promise<{ userRef: string; registration: DeviceRegistration } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(deviceKey(tenantId, deviceId)), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { userRef, registration, expiresAt } = unmarshall(Item) as {
      userRef: string;
      registration: DeviceRegistration;
      expiresAt: number;
    };
    return expiresAt >= Math.floor(this.nowMs() / 1000) ? { userRef, registration } : undefined;
  }

  /** One of the user's own registered devices, or nothing. */
  async ownDevice(tenantId: string, userRef: string, deviceId: string): Promise<DeviceRegistration | undefined> {
    const found = await this.device(tenantId, deviceId);
    return found?.userRef === userRef ? found.registration : undefined;
  }

  /** Binds the device a participant joined with (replacing any earlier binding of theirs in the meeting). */
  async bindMeetingDevice(
    tenantId: string,
    meetingId: string,
    participantId: string,
    registration: DeviceRegistration,
    role: JoinRole,
  ): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          ...bindingKey(tenantId, meetingId, participantId),
          participantId,
          registration,
          role,
          boundAt: this.nowMs(),
          expiresAt: this.expires(),
        }),
      }),
    );
  }

  /**
   * Unbinds a participant's device. With `ifBoundAt`, only the binding that
   * was read (a join that bound again meanwhile wins); without it, whatever is bound.
   */
  async unbindMeetingDevice(tenantId: string, meetingId: string, participantId: string, ifBoundAt?: number): Promise<void> {
    try {
      await this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: marshall(bindingKey(tenantId, meetingId, participantId)),
          ...(ifBoundAt !== undefined && {
            ConditionExpression: 'boundAt = :at',
            ExpressionAttributeValues: marshall({ ':at': ifBoundAt }),
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async meetingDevice(tenantId: string, meetingId: string, participantId: string): Promise<DeviceBinding | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(bindingKey(tenantId, meetingId, participantId)),
        ConsistentRead: true,
      }),
    );
    return Item ? bindingOf(unmarshall(Item)) : undefined;
  }

  /** Every device bound to the meeting now, whatever its participant's admission (see domain/e2ee-devices.ts). */
  async meetingDevices(tenantId: string, meetingId: string): Promise<DeviceBinding[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': `MDEV#${meetingId}#` }),
      ConsistentRead: true,
    });
    return items.map((item) => bindingOf(unmarshall(item)));
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
