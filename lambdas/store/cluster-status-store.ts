import { ConditionalCheckFailedException, PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { BoundedCache } from '../bounded-cache.js';
import { expiresIn, clusterLoadKey, clusterLoadPk, clusterStatusKey, CLUSTERS_PK } from './live-keys.js';

export type ClusterStatus = 'active' | 'draining';

/**
 * The media nodes as the site sees them: each node's load (participants per
 * room, as the webhooks last reported it) and whether an operator drains it.
 * Only opaque ids: node ids and room names.
 */
export class ClusterStatusStore {
  /** Each cluster's load as last read (a container's own memory), kept for the age the caller allows. */
  private readonly loads = new BoundedCache<string, number>({ maxEntries: 256, now: () => this.nowMs() });

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The latest participant count of a room on a node; an older report never overwrites a newer one. */
  async reportRoomLoad(clusterId: string, roomName: string, participants: number, at: number): Promise<void> {
    await this.dynamodb
      .send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            ...clusterLoadKey(clusterId, roomName),
            participants,
            at,
            expiresAt: expiresIn(this.nowMs(), 86_400),
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: marshall({ ':at': at }),
        }),
      )
      .catch((error: Error) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async clusterLoad(clusterId: string): Promise<number> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': clusterLoadPk(clusterId) }),
      }),
    );
    return (page.Items ?? []).reduce((sum, item) => sum + Number(unmarshall(item).participants ?? 0), 0);
  }

  /**
   * A cluster's load as read at most `maxAgeMs` ago: placement compares loads
   * that the webhooks report seconds after the fact anyway, so a meeting's
   * first join need not query every cluster's rooms each time.
   */
  async recentClusterLoad(clusterId: string, maxAgeMs: number): Promise<number> {
    const known = this.loads.get(clusterId);
    if (known !== undefined) return known;
    const participants = await this.clusterLoad(clusterId);
    this.loads.set(clusterId, participants, maxAgeMs);
    return participants;
  }

  async clusterStatuses(): Promise<Map<string, ClusterStatus>> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': CLUSTERS_PK }),
      }),
    );
    return new Map(
      (page.Items ?? []).map((item) => unmarshall(item) as { sk: string; status: ClusterStatus }).map((n) => [n.sk, n.status]),
    );
  }

  async setClusterStatus(clusterId: string, status: ClusterStatus): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({ ...clusterStatusKey(clusterId), status, at: new Date(this.nowMs()).toISOString() }),
      }),
    );
  }
}
