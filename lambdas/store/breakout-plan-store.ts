import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { BreakoutPlan } from '../domain/breakouts.js';
import { conflict } from '../domain/errors.js';
import { expiryOf } from '../domain/retention.js';
import { breakoutKey } from './live-keys.js';
import type { RetentionOf } from './meeting-store.js';

/** A meeting's breakout plan, versioned so that two hosts' changes never overwrite each other; kept like attendance. */
export class BreakoutPlanStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: RetentionOf,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async breakoutPlan(tenantId: string, meetingId: string): Promise<BreakoutPlan | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(breakoutKey(tenantId, meetingId)),
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
              ...breakoutKey(tenantId, meetingId),
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
}
