import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { callKms } from './kms-calls.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { tenantPk } from '../store/tenant-store.js';

/**
 * Standard-mode media keys: per meeting and epoch, an AES-256 key that KMS
 * generates under the tenant's key in the home site, with an encryption
 * context binding tenant, meeting and epoch. Only the wrapped key is stored
 * (beside the meeting, same retention); plaintext keys live in this
 * container's memory only, bounded in number and time, so warm joins make no
 * KMS call.
 */
export interface MediaKeyOwner {
  readonly tenantId: string;
  readonly keyArn: string;
}

export const KEY_RING_SIZE = 16;
const CACHE_MS = 10 * 60 * 1000;
const MAX_CACHED = 5000;

export const keyIndexOf = (epoch: number) => epoch % KEY_RING_SIZE;

export class MediaKeys {
  private readonly cache = new Map<string, { key: Uint8Array; until: number }>();

  constructor(
    private readonly kms: KMSClient,
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: (tenantId: string) => Promise<{ meetings: number }>,
    private readonly now: () => number = Date.now,
  ) {}

  static context(tenantId: string, meetingId: string, epoch: number): Record<string, string> {
    return { tenantId, meetingId, epoch: String(epoch), purpose: 'media' };
  }

  async keyFor(owner: MediaKeyOwner, meetingId: string, epoch: number): Promise<Uint8Array> {
    const cacheKey = `${owner.tenantId}/${meetingId}/${epoch}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > this.now()) return cached.key;
    const key = (await this.unwrapStored(owner, meetingId, epoch)) ?? (await this.generate(owner, meetingId, epoch));
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, { key, until: this.now() + CACHE_MS });
    return key;
  }

  private itemKey(owner: MediaKeyOwner, meetingId: string, epoch: number) {
    return marshall({ pk: tenantPk(owner.tenantId), sk: `MKEY#${meetingId}#${String(epoch).padStart(6, '0')}` });
  }

  private async unwrapStored(owner: MediaKeyOwner, meetingId: string, epoch: number): Promise<Uint8Array | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.itemKey(owner, meetingId, epoch), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { wrapped } = unmarshall(Item) as { wrapped: Uint8Array };
    const { Plaintext } = await callKms(() =>
      this.kms.send(
        new DecryptCommand({
          KeyId: owner.keyArn,
          CiphertextBlob: wrapped,
          EncryptionContext: MediaKeys.context(owner.tenantId, meetingId, epoch),
        }),
      ),
    );
    return new Uint8Array(Plaintext!);
  }

  /** Generates and stores the epoch's key; if another container stored one first, that one wins. */
  private async generate(owner: MediaKeyOwner, meetingId: string, epoch: number): Promise<Uint8Array> {
    const { Plaintext, CiphertextBlob } = await callKms(() =>
      this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: owner.keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: MediaKeys.context(owner.tenantId, meetingId, epoch),
        }),
      ),
    );
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.itemKey(owner, meetingId, epoch),
            ...marshall({
              wrapped: CiphertextBlob!,
              epoch,
              createdAt: new Date(this.now()).toISOString(),
              expiresAt: Math.floor(this.now() / 1000) + (await this.retention(owner.tenantId)).meetings * 86_400,
            }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return new Uint8Array(Plaintext!);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.unwrapStored(owner, meetingId, epoch))!;
    }
  }
}
