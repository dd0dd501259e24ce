import { AsyncLocalStorage } from 'node:async_hooks';
import { DeadlineExceeded, isFailureAnswer, isThrottle, markDependencyFailure } from './dependency-errors.js';
import type { EventMetric } from './metric-names.js';

export { isThrottle };

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
  /**
   * The AWS calls by operation, e.g. `{ "dynamodb.GetItem": 2, "kms.Decrypt": 1 }`:
   * what the counts above are made of (operation names only, never a key or value).
   */
  operations: Record<string, number>;
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

/** How long a request may spend: its budget, and the time (epoch ms) when it runs out. */
export interface RequestBudget {
  readonly ms: number;
  readonly deadline: number;
}

export interface RequestTally {
  readonly counts: CallCounts;
  /** The request's budget, which every dependency call of it must fit in. */
  readonly budget?: RequestBudget;
  readonly dependencies: Partial<Record<Dependency, DependencyCalls>>;
  readonly events: { readonly name: EventMetric; readonly value: number }[];
}

const storage = new AsyncLocalStorage<RequestTally>();
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);

export function emptyTally(budget?: RequestBudget): RequestTally {
  return {
    counts: { dynamodb: 0, dynamodbReads: 0, kms: 0, livekit: 0, mail: 0, ioMs: 0, operations: {} },
    dependencies: {},
    events: [],
    ...(budget && { budget }),
  };
}

/**
 * Runs one request's work with a tally of its own (concurrent requests in one
 * process never share one) and, given one, a budget that every dependency
 * call of the request must fit in: a call is not started with too little of
 * it left, and one still running when it runs out ends in DeadlineExceeded.
 */
export function withCallCounts<T>(run: () => Promise<T>, budget?: RequestBudget): { result: Promise<T>; tally: RequestTally } {
  const tally = emptyTally(budget);
  return { result: storage.run(tally, run), tally };
}

/**
 * Whether an error is the dependency failing, as opposed to answering an
 * expected "no": a conditional write that lost (DynamoDB's
 * ConditionalCheckFailed, a cancelled transaction), a key or room that is not
 * there, a 404 from LiveKit are answers the rules act on. A fault on their
 * side (5xx), a throttle, a timeout or a connection that failed are failures
 * (lambdas/http/dependency-errors.ts). Mail counts every message a server or
 * SES did not accept.
 */
export function isDependencyFailure(dependency: Dependency, error: unknown): boolean {
  return dependency === 'mail' || isFailureAnswer(error);
}

/** Calls are not started with less than this left of the request's budget: they could not finish. */
export const MIN_CALL_MS = 50;

/** Milliseconds left of the current request's budget; undefined outside a request or without one. */
export function budgetLeftMs(now = Date.now()): number | undefined {
  const deadline = storage.getStore()?.budget?.deadline;
  return deadline === undefined ? undefined : deadline - now;
}

/** The current request's whole budget in milliseconds, if it has one. */
export function currentBudgetMs(): number | undefined {
  return storage.getStore()?.budget?.ms;
}

/** Ends `call` at the deadline: the call goes on (its own timeouts end it) but its answer is no longer awaited. */
function withinBudget<T>(call: Promise<T>, leftMs: number, dependency: Dependency): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new DeadlineExceeded(dependency, true)), leftMs);
  });
  // A call that fails after the deadline has nobody left to tell.
  call.catch(() => undefined);
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** Counts one call and times it; returns what the call returns. */
export async function counted<T>(dependency: Dependency, call: () => Promise<T>, commandName?: string): Promise<T> {
  const tally = storage.getStore();
  if (!tally) return call();
  const left = budgetLeftMs();
  if (left !== undefined && left < MIN_CALL_MS) throw new DeadlineExceeded(dependency, false);
  tally.counts[dependency]++;
  if (dependency === 'dynamodb' && commandName && READS.has(commandName)) tally.counts.dynamodbReads++;
  if (commandName) {
    const operation = `${dependency}.${commandName.replace(/Command$/, '')}`;
    tally.counts.operations[operation] = (tally.counts.operations[operation] ?? 0) + 1;
  }
  const calls = (tally.dependencies[dependency] ??= { latenciesMs: [], failures: 0, throttles: 0 });
  const began = performance.now();
  try {
    return await (left === undefined ? call() : withinBudget(call(), left, dependency));
  } catch (error) {
    if (isDependencyFailure(dependency, error)) {
      calls.failures++;
      // Mail failures are the mailer's to sort into a recipient's fault or the server's (lambdas/mail/mailer.ts).
      if (dependency !== 'mail') markDependencyFailure(error);
    }
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
