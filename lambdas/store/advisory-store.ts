import { GetItemCommand, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryAll } from './query-pages.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Advisory, TenantDelivery } from '../domain/advisories.js';
import { expiryOf } from '../domain/retention.js';
import type { RetentionOf } from './meeting-store.js';
import { tenantPk } from './tenant-store.js';

/**
 * Advisories are the site's, not a tenant's: they live in one site-level
 * partition (`SITE#ADVISORIES`), sorted by publication time (`ADV#<at>#<id>`),
 * and hold nothing personal. What was delivered to a tenant is the tenant's:
 * one item in its own partition (`T#<tenant>`, `ADVISORY#<id>`), kept as long
 * as its audit log, and indexed by advisory (`gsi1`) so that a retried publish
 * can report the deliveries again without redoing them.
 */
const SITE_PK = 'SITE#ADVISORIES';
const advisorySk = (position: string) => `ADV#${position}`;
const deliveryIndexPk = (advisoryId: string) => `ADVISORY#${advisoryId}`;

/** Where an advisory sits in the listing: `<publishedAt>#<id>`, also the reference an idempotent publish keeps. */
export const positionOf = (advisory: Advisory) => `${advisory.publishedAt}#${advisory.id}`;
export const POSITION_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#ad_[0-9a-f]{24}$/;

export class AdvisoryStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: RetentionOf,
  ) {}

  async save(advisory: Advisory): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ pk: SITE_PK, sk: advisorySk(positionOf(advisory)), advisory }, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(position: string): Promise<Advisory | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: SITE_PK, sk: advisorySk(position) }),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item) as { advisory: Advisory }).advisory : undefined;
  }

  /** Newest first, after `position` (exclusive) when given. */
  async page(after: string | undefined, limit: number): Promise<{ items: Advisory[]; more: boolean }> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after ? 'pk = :pk AND sk < :after' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: marshall(
          after ? { ':pk': SITE_PK, ':after': advisorySk(after) } : { ':pk': SITE_PK, ':prefix': 'ADV#' },
        ),
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
    const items = (page.Items ?? []).map((item) => (unmarshall(item) as { advisory: Advisory }).advisory);
    return { items: items.slice(0, limit), more: items.length > limit };
  }

  async recordDelivery(advisory: Advisory, delivery: TenantDelivery): Promise<void> {
    const days = (await this.retention(delivery.tenantId)).audit;
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          {
            pk: tenantPk(delivery.tenantId),
            sk: `ADVISORY#${advisory.id}`,
            gsi1pk: deliveryIndexPk(advisory.id),
            gsi1sk: delivery.tenantId,
            delivery,
            expiresAt: expiryOf(Date.parse(advisory.publishedAt), days),
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  /** Every delivery recorded for an advisory, by tenant id. */
  async deliveries(advisoryId: string): Promise<TenantDelivery[]> {
    const items = await queryAll(this.dynamodb, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': deliveryIndexPk(advisoryId) }),
    });
    return items.map((item) => (unmarshall(item) as { delivery: TenantDelivery }).delivery);
  }
}
