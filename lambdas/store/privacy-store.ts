import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { notFound } from '../domain/errors.js';
import type { SupportGrant } from '../domain/support.js';
import { tenantPk } from './tenant-store.js';

export interface Preferences {
  readonly productNews: boolean;
  readonly marketing: boolean;
}

/** Off until the user opts in. */
export const DEFAULT_PREFERENCES: Preferences = { productNews: false, marketing: false };

/** Support grants and users' communication preferences, in the tenant's partition. */
export class PrivacyStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async putGrant(tenantId: string, grant: SupportGrant): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        // Kept a day past expiry, so the tenant sees it expire, then gone.
        Item: marshall({
          pk: tenantPk(tenantId),
          sk: `GRANT#${grant.id}`,
          grant,
          expiresAt: Math.floor(Date.parse(grant.expiresAt) / 1000) + 86_400,
        }),
      }),
    );
  }

  async grants(tenantId: string): Promise<SupportGrant[]> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: marshall({ ':pk': tenantPk(tenantId), ':prefix': 'GRANT#' }),
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => unmarshall(item).grant as SupportGrant);
  }

  async revokeGrant(tenantId: string, grantId: string): Promise<void> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk: tenantPk(tenantId), sk: `GRANT#${grantId}` }),
          UpdateExpression: 'SET #grant.revoked = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#grant': 'grant' },
          ExpressionAttributeValues: marshall({ ':t': true }),
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw notFound('No such grant');
      throw error;
    }
  }

  async preferences(tenantId: string, userRef: string): Promise<Preferences> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: tenantPk(tenantId), sk: `PREF#${userRef}` }) }),
    );
    return { ...DEFAULT_PREFERENCES, ...(Item ? (unmarshall(Item).preferences as Partial<Preferences>) : {}) };
  }

  async setPreferences(tenantId: string, userRef: string, preferences: Preferences): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ pk: tenantPk(tenantId), sk: `PREF#${userRef}`, preferences, updatedAt: new Date().toISOString() }),
      }),
    );
  }
}
