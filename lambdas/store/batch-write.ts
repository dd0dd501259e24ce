import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

/**
 * Writes any number of puts and deletes in batches of 25, retrying what
 * DynamoDB leaves unprocessed with a short backoff; throws if some remain.
 */
export async function batchWriteAll(dynamodb: DynamoDBClient, tableName: string, writes: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 25) {
    let pending = writes.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const result = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
      if (pending.length > 0) await new Promise((done) => setTimeout(done, 50 * 2 ** attempt));
    }
    if (pending.length > 0) throw new Error('DynamoDB left writes unprocessed');
  }
}
