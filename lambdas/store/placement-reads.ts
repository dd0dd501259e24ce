import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { clusterStatusKey, CLUSTERS_PK } from './live-keys.js';
import { mediaKeyKey } from './media-key-store.js';
import type { ClusterStatus } from './cluster-status-store.js';

/** What placing a meeting reads, in one request: its clusters' statuses and the wrapped media key of its epoch. */
export interface PlacementReads {
  /** The operator status of each cluster that has one (a cluster without one is active). */
  readonly statuses: Map<string, ClusterStatus>;
  /** The epoch's wrapped media key, or undefined when none is kept yet. */
  readonly wrappedKey: Uint8Array | undefined;
}

/** BatchGetItem hands back what it did not get to; asked again at most this many times. */
const UNPROCESSED_ROUNDS = 3;

/**
 * A meeting's first join reads the operator status of every cluster it may be
 * placed on and, once placed, the epoch's wrapped media key: both are single
 * items of known key, read here by one BatchGetItem (consistent, so that a
 * cluster drained a moment ago is seen drained) instead of a Query and a GetItem.
 */
export async function readForPlacement(
  dynamodb: DynamoDBClient,
  tableName: string,
  of: { readonly clusterIds: readonly string[]; readonly tenantId: string; readonly meetingId: string; readonly epoch: number },
): Promise<PlacementReads> {
  const keyItem = mediaKeyKey(of.tenantId, of.meetingId, of.epoch);
  let request: KeysAndAttributes | undefined = {
    Keys: [...of.clusterIds.map((id) => marshall(clusterStatusKey(id))), marshall(keyItem)],
    ProjectionExpression: 'pk, sk, #status, #wrapped',
    ExpressionAttributeNames: { '#status': 'status', '#wrapped': 'wrapped' },
    ConsistentRead: true,
  };
  const statuses = new Map<string, ClusterStatus>();
  let wrappedKey: Uint8Array | undefined;
  for (let round = 0; request?.Keys?.length; round++) {
    if (round > UNPROCESSED_ROUNDS) throw new Error('DynamoDB left keys of a placement read unprocessed');
    const result: BatchGetItemCommandOutput = await dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [tableName]: request } }),
    );
    for (const item of result.Responses?.[tableName] ?? []) {
      const { pk, sk, status, wrapped } = unmarshall(item) as {
        pk: string;
        sk: string;
        status?: ClusterStatus;
        wrapped?: Uint8Array;
      };
      if (pk === CLUSTERS_PK && status) statuses.set(sk, status);
      else if (pk === keyItem.pk && sk === keyItem.sk) wrappedKey = wrapped;
    }
    request = result.UnprocessedKeys?.[tableName];
  }
  return { statuses, wrappedKey };
}
