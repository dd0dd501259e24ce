import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { WrappedMediaKeys } from '../keys/media-keys.js';
import { tenantPk } from './tenant-store.js';

/** Where a meeting epoch's wrapped media key is kept: beside the meeting, in the tenant's partition. */
export const mediaKeyKey = (tenantId: string, meetingId: string, epoch: number) => ({
  pk: tenantPk(tenantId),
  sk: `MKEY#${meetingId}#${String(epoch).padStart(6, '0')}`,
});

/** The wrapped (KMS-encrypted) media keys, per meeting and epoch, kept as long as the tenant keeps meetings. */
export class MediaKeyStore implements WrappedMediaKeys {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: (tenantId: string) => Promise<{ meetings: number }>,
    private readonly now: () => number = Date.now,
  ) {}

  async wrapped(tenantId: string, meetingId: string, epoch: number): Promise<Uint8Array | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(mediaKeyKey(tenantId, meetingId, epoch)),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item) as { wrapped: Uint8Array }).wrapped : undefined;
  }

  async keepWrapped(tenantId: string, meetingId: string, epoch: number, wrapped: Uint8Array): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            ...mediaKeyKey(tenantId, meetingId, epoch),
            wrapped,
            epoch,
            createdAt: new Date(this.now()).toISOString(),
            expiresAt: Math.floor(this.now() / 1000) + (await this.retention(tenantId)).meetings * 86_400,
          }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
