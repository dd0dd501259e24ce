/**
 * One reading of "a dependency is unavailable", for every dependency the
 * control plane calls (DynamoDB, KMS, LiveKit, mail, identity providers'
 * key sets): no answer in time, a connection refused or reset, a throttle, a
 * fault on the dependency's side. The API answers all of them with 503 and
 * Retry-After (lambdas/http/middleware.ts); an expected "no" from a
 * dependency (a conditional write that lost, a key or room that is not there)
 * is none of these and stays an answer the rules act on.
 */

/** A dependency call that could not finish within the request's budget, or was not started for want of time. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(
    readonly dependency: string,
    readonly started: boolean,
  ) {
    super(
      started
        ? `${dependency} did not answer within the request's budget`
        : `no time left in the request's budget to call ${dependency}`,
    );
  }
}

interface FailureShape {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const THROTTLING =
  /^(ThrottlingException|Throttling|ThrottledException|TooManyRequestsException|RequestLimitExceeded|ProvisionedThroughputExceededException|LimitExceededException)$/;

/** Errors (by name) that mean no answer came in time or the connection broke. */
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'AbortError', 'DeadlineExceeded', 'RequestTimeout', 'RequestTimeoutException']);

/** Socket and fetch error codes of a connection that could not be made or broke. */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ABORT_ERR',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_JWKS_TIMEOUT',
]);

/** Whether an error is the dependency throttling us. */
export function isThrottle(error: unknown): boolean {
  const e = (error ?? {}) as FailureShape;
  if (e.$retryable?.throttling === true) return true;
  if (typeof e.name === 'string' && THROTTLING.test(e.name)) return true;
  return e.status === 429 || e.$metadata?.httpStatusCode === 429;
}

/** Whether an error says that no answer came: a timeout, an abort, a refused or broken connection. */
export function isNoAnswer(error: unknown): boolean {
  for (
    let e = error as FailureShape | undefined, depth = 0;
    e && typeof e === 'object' && depth < 5;
    e = e.cause as FailureShape, depth++
  ) {
    if (typeof e.name === 'string' && NO_ANSWER_NAMES.has(e.name)) return true;
    if (typeof e.code === 'string' && NO_ANSWER_CODES.has(e.code)) return true;
    // fetch (undici) reports a failed connection as a bare TypeError whose cause has the code.
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
  }
  return false;
}

/**
 * Whether an error of a dependency call is the dependency failing, as opposed
 * to answering an expected "no": a fault on its side (5xx), a throttle, a
 * timeout or a connection that failed. An error with no HTTP status and no
 * fault at all is a call that got no answer.
 */
export function isFailureAnswer(error: unknown): boolean {
  if (isThrottle(error)) return true;
  const e = (error ?? {}) as FailureShape;
  if (e.$fault === 'server') return true;
  if (e.$fault === 'client') return isNoAnswer(error);
  const status = typeof e.status === 'number' ? e.status : e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500;
  return true;
}

/** Errors that a dependency call ended with and that `isFailureAnswer` counted as the dependency failing. */
const failedCalls = new WeakSet<object>();

/** Records that this error ended a dependency call as a failure (lambdas/http/call-counter.ts does, for every call). */
export function markDependencyFailure(error: unknown): void {
  if (error !== null && typeof error === 'object') failedCalls.add(error);
}

/**
 * Whether the API should answer this error with 503 and Retry-After: it ended
 * a dependency call as a failure, or it says by its shape that a dependency
 * gave no answer or was overloaded. Bugs (a TypeError of our own, say) are
 * none of these and stay 500s.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (error instanceof DeadlineExceeded) return true;
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as FailureShape).cause, depth++) {
    if (failedCalls.has(e)) return true;
  }
  if (isThrottle(error) || isNoAnswer(error)) return true;
  const e = (error ?? {}) as FailureShape;
  return e.$fault === 'server' && typeof e.$metadata?.httpStatusCode === 'number';
}

/** Retry-After for a request that ran out of its budget: about one budget from now, at least a second. */
export function retryAfterSeconds(budgetMs: number): number {
  return Math.min(30, Math.max(1, Math.ceil(budgetMs / 1000)));
}
