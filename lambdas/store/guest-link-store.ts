import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { conflict } from '../domain/errors.js';
import { GUEST_LINK_KEEP_AFTER_EXPIRY_MS, type GuestLink } from '../domain/guests.js';
import { tenantPk } from './tenant-store.js';

/** `GUEST#<meetingId>#<hash of the secret>`: beside the meeting's other records, found by nothing but the secret. */
export const guestLinkSk = (meetingId: string, hash: string) => `GUEST#${meetingId}#${hash}`;

const keyOf = (tenantId: string, meetingId: string, hash: string) =>
  marshall({ pk: tenantPk(tenantId), sk: guestLinkSk(meetingId, hash) });

/**
 * Guest links in the tenant's partition at its home site. Each record holds
 * the hash of its secret (in the key), the invitee's address pseudonym, when
 * it expires and whether it was used; DynamoDB's TTL deletes it a day after
 * it expired.
 */
export class GuestLinkStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(tenantId: string, link: GuestLink): Promise<void> {
    const { hash: _inKey, ...rest } = link;
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          {
            pk: tenantPk(tenantId),
            sk: guestLinkSk(link.meetingId, link.hash),
            ...rest,
            expiresAt: Math.ceil((Date.parse(link.validUntil) + GUEST_LINK_KEEP_AFTER_EXPIRY_MS) / 1000),
          },
          { removeUndefinedValues: true },
        ),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(tenantId: string, meetingId: string, hash: string): Promise<GuestLink | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(tenantId, meetingId, hash), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _ttl, ...link } = unmarshall(Item) as GuestLink & Record<string, unknown>;
    return { ...link, hash } as GuestLink;
  }

  /**
   * Marks the link used, once: the write holds only while the link is open
   * and unexpired, so of two concurrent redemptions exactly one succeeds and
   * the other is a conflict that changes nothing.
   */
  async redeem(
    tenantId: string,
    link: GuestLink,
    guest: { readonly guestRef: string; readonly guestParticipantId: string },
    now: Date,
  ): Promise<void> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(tenantId, link.meetingId, link.hash),
          UpdateExpression: 'SET #status = :redeemed, redeemedAt = :now, guestRef = :guestRef, guestParticipantId = :pid',
          ConditionExpression: '#status = :open AND validUntil > :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({
            ':redeemed': 'redeemed',
            ':open': 'open',
            ':now': now.toISOString(),
            ':guestRef': guest.guestRef,
            ':pid': guest.guestParticipantId,
          }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflict('this guest link was already used');
      throw error;
    }
  }
}
