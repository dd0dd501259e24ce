import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventMetric } from './metric-names.js';

/**
 * What one request does that an operator wants counted: the calls it makes to
 * each dependency (how many, how long each took, which failed) and the events
 * it reports (a join, a webhook's lag). The access log shows the counts (and
 * the join benchmark reads them there); the metrics middleware turns the rest
 * into CloudWatch metrics once the request is answered. DynamoDB and KMS are
 * counted through an AWS SDK middleware, LiveKit through its adapter, mail
 * around each message sent.
 */
export type Dependency = 'dynamodb' | 'kms' | 'livekit' | 'mail';

export const DEPENDENCIES: readonly Dependency[] = ['dynamodb', 'kms', 'livekit', 'mail'];

export interface CallCounts {
  dynamodb: number;
  /** Of the DynamoDB calls, those that read (GetItem, BatchGetItem, Query, Scan, TransactGetItems). */
  dynamodbReads: number;
  kms: number;
  livekit: number;
  mail: number;
  /** Milliseconds spent awaiting these calls. */
  ioMs: number;
}

/** One dependency's calls in one request, for its metrics. */
export interface DependencyCalls {
  /** The duration of each call, in milliseconds, in the order they ended. */
  readonly latenciesMs: number[];
  /** Calls that failed on the dependency's side: a fault, a timeout, a refused connection, a throttle. */
  failures: number;
  /** Of the failures, those the dependency throttled. */
  throttles: number;
}

export interface RequestTally {
  readonly counts: CallCounts;
  readonly dependencies: Partial<Record<Dependency, DependencyCalls>>;
  readonly events: { readonly name: EventMetric; readonly value: number }[];
}

const storage = new AsyncLocalStorage<RequestTally>();
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

export function emptyTally(): RequestTally {
  return { counts: { dynamodb: 0, dynamodbReads: 0, kms: 0, livekit: 0, mail: 0, ioMs: 0 }, dependencies: {}, events: [] };
}

/** Runs one request's work with a tally of its own (concurrent requests in one process never share one). */
export function withCallCounts<T>(run: () => Promise<T>): { result: Promise<T>; tally: RequestTally } {
  const tally = emptyTally();
  return { result: storage.run(tally, run), tally };
}

interface FailureShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  responseCode?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING =
  /^(ThrottlingException|Throttling|ThrottledException|TooManyRequestsException|RequestLimitExceeded|ProvisionedThroughputExceededException)$/;

/** Whether an error is the dependency throttling us. */
export function isThrottle(error: unknown): boolean {
  const e = (error ?? {}) as FailureShape;
  if (e.$retryable?.throttling === true) return true;
  if (typeof e.name === 'string' && THROTTLING.test(e.name)) return true;
  return e.status === 429 || e.$metadata?.httpStatusCode === 429;
}

/**
 * Whether an error is the dependency failing, as opposed to answering an
 * expected "no": a conditional write that lost (DynamoDB's
 * ConditionalCheckFailed, a cancelled transaction), a key or room that is not
 * there, a 404 from LiveKit are answers the rules act on. A fault on their
 * side (5xx), a throttle, a timeout or a connection that failed are failures.
 * Mail counts every message a server or SES did not accept.
 */
export function isDependencyFailure(dependency: Dependency, error: unknown): boolean {
  if (dependency === 'mail') return true;
  if (isThrottle(error)) return true;
  const e = (error ?? {}) as FailureShape;
  if (e.$fault === 'server') return true;
  if (e.$fault === 'client') return false;
  const status = typeof e.status === 'number' ? e.status : e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  // No answer at all: a timeout, a refused or reset connection.
  return true;
}

/** Counts one call and times it; returns what the call returns. */
export async function counted<T>(dependency: Dependency, call: () => Promise<T>, commandName?: string): Promise<T> {
  const tally = storage.getStore();
  if (!tally) return call();
  tally.counts[dependency]++;
  if (dependency === 'dynamodb' && commandName && READS.has(commandName)) tally.counts.dynamodbReads++;
  const calls = (tally.dependencies[dependency] ??= { latenciesMs: [], failures: 0, throttles: 0 });
  const began = performance.now();
  try {
    return await call();
  } catch (error) {
    if (isDependencyFailure(dependency, error)) calls.failures++;
    if (isThrottle(error)) calls.throttles++;
    throw error;
  } finally {
    const took = performance.now() - began;
    tally.counts.ioMs += took;
    calls.latenciesMs.push(took);
  }
}

/**
 * Reports an event of the current request (a join, a first join, a webhook's
 * lag) for the metrics the request emits when it is answered. Outside a
 * request it does nothing. Only a number: never anything that names a tenant
 * or a person.
 */
export function noteEvent(name: EventMetric, value = 1): void {
  storage.getStore()?.events.push({ name, value });
}
