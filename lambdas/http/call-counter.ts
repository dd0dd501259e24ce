import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts the calls one request makes to each dependency, so that the access
 * log (and the join benchmark that reads it) shows what a request costs:
 * DynamoDB and KMS through an AWS SDK middleware, LiveKit through its adapter.
 */
export type Dependency = 'dynamodb' | 'kms' | 'livekit';
export type CallCounts = Record<Dependency, number>;

const storage = new AsyncLocalStorage<CallCounts>();

export function withCallCounts<T>(run: () => Promise<T>): { result: Promise<T>; counts: CallCounts } {
  const counts: CallCounts = { dynamodb: 0, kms: 0, livekit: 0 };
  return { result: storage.run(counts, run), counts };
}

export function countCall(dependency: Dependency): void {
  const counts = storage.getStore();
  if (counts) counts[dependency]++;
}
