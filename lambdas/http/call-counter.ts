import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the calls one request makes to each dependency and the time spent
 * waiting on them, so that the access log (and the join benchmark that reads
 * it) shows what a request costs: DynamoDB and KMS through an AWS SDK
 * middleware, LiveKit through its adapter.
 */
export type Dependency = 'dynamodb' | 'kms' | 'livekit';

export interface CallCounts {
  dynamodb: number;
  /** Of the DynamoDB calls, those that read (GetItem, BatchGetItem, Query, Scan, TransactGetItems). */
  dynamodbReads: number;
  kms: number;
  livekit: number;
  /** Milliseconds spent awaiting these calls. */
  ioMs: number;
}

const storage = new AsyncLocalStorage<CallCounts>();
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

export function withCallCounts<T>(run: () => Promise<T>): { result: Promise<T>; counts: CallCounts } {
  const counts: CallCounts = { dynamodb: 0, dynamodbReads: 0, kms: 0, livekit: 0, ioMs: 0 };
  return { result: storage.run(counts, run), counts };
}

/** Counts one call and times it; returns what the call returns. */
export async function counted<T>(dependency: Dependency, call: () => Promise<T>, commandName?: string): Promise<T> {
  const counts = storage.getStore();
  if (!counts) return call();
  counts[dependency]++;
  if (dependency === 'dynamodb' && commandName && READS.has(commandName)) counts.dynamodbReads++;
  const began = performance.now();
  try {
    return await call();
  } finally {
    counts.ioMs += performance.now() - began;
  }
}
