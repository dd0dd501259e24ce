import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CallCounts, RequestTally } from './call-counter.js';
import { logger } from './logger.js';
import { DomainError } from '../domain/errors.js';
import { isDependencyUnavailable, retryAfterSeconds } from './dependency-errors.js';
import { HttpProblem, problemResponse, problems } from './problem.js';

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

const startedAt = new WeakMap<object, number>();
const tallies = new WeakMap<object, RequestTally>();

const roundedCounts = (counts: CallCounts) => ({ ...counts, ioMs: Math.round(counts.ioMs * 100) / 100 });

/** Lets the access log and the metrics report what a request did (set by the route group). */
export function noteCallCounts(event: object, tally: RequestTally): void {
  tallies.set(event, tally);
}

export function tallyOf(event: object): RequestTally | undefined {
  return tallies.get(event);
}

export function requestIdOf(event: APIGatewayProxyEventV2): string {
  return event.requestContext?.requestId ?? 'unknown';
}

/**
 * One structured line per request: request id, route, status, duration. It
 * deliberately has no room for bodies, headers or path values, which may carry
 * personal data or credentials.
 */
export function accessLog(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const write = (request: Request, status: number, errorName?: string) => {
    const began = startedAt.get(request.event) ?? performance.now();
    const entry = {
      requestId: requestIdOf(request.event),
      routeKey: request.event.routeKey,
      status,
      durationMs: Math.round((performance.now() - began) * 100) / 100,
      ...(tallies.has(request.event) && { calls: roundedCounts(tallies.get(request.event)!.counts) }),
      ...(errorName !== undefined && { errorName }),
    };
    if (status >= 500) logger.error('request failed', entry);
    else logger.info('request', entry);
  };
  return {
    before: (request) => {
      startedAt.set(request.event, performance.now());
    },
    after: (request) => {
      write(request as Request, request.response?.statusCode ?? 200);
    },
    onError: (request) => {
      // The error mapper has already run (it is registered after this middleware) and shaped the response.
      const status = request.response?.statusCode ?? 500;
      write(request as Request, status, request.error?.name);
    },
  };
}

/** When a request has no budget of its own (it failed before one was set), Retry-After counts from this one. */
const DEFAULT_RETRY_BUDGET_MS = 3000;

/**
 * Turns any error into problem+json. Client errors keep their detail; a
 * dependency that gave no answer in time, refused or broke the connection,
 * throttled or failed on its side (lambdas/http/dependency-errors.ts) is 503
 * with Retry-After counted from the route's budget; anything else becomes a
 * bare 500.
 */
export function problemErrors(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const requestId = requestIdOf(request.event);
      const error = request.error;
      const retryAfter = retryAfterSeconds(tallies.get(request.event)?.budget?.ms ?? DEFAULT_RETRY_BUDGET_MS);
      const problem =
        error instanceof HttpProblem
          ? error
          : error instanceof DomainError
            ? fromDomainError(error, retryAfter)
            : isDependencyUnavailable(error)
              ? problems.unavailable('a service this request needs did not answer in time; retry shortly', retryAfter)
              : problems.internal();
      if (!(error instanceof HttpProblem) && !(error instanceof DomainError) && problem.status === 503) {
        logger.warn('dependency unavailable', { requestId, errorName: error?.name ?? 'unknown' });
      } else if (!(error instanceof HttpProblem) && !(error instanceof DomainError)) {
        // Only the class name: messages from SDKs can echo request input.
        logger.error('unhandled error', { requestId, errorName: error?.name ?? 'unknown' });
      }
      request.response = problemResponse(problem, requestId);
    },
  };
}

/** The HTTP reading of a rule's refusal; `unavailable` asks to retry after `retryAfter` seconds. */
export function fromDomainError(error: DomainError, retryAfter = retryAfterSeconds(DEFAULT_RETRY_BUDGET_MS)): HttpProblem {
  const errors = error.field ? [{ in: 'body' as const, field: error.field, message: error.message }] : undefined;
  switch (error.kind) {
    case 'invalid':
      return problems.validation(errors ?? [], error.message);
    case 'forbidden':
      return problems.forbidden(error.message);
    case 'not-found':
      return problems.notFound(error.message);
    case 'conflict':
      return new HttpProblem({
        status: 409,
        slug: 'conflict',
        title: 'Conflict',
        detail: error.message,
        ...(errors && { errors }),
      });
    case 'gone':
      return new HttpProblem({ status: 410, slug: 'gone', title: 'Gone', detail: error.message });
    case 'stale':
      return problems.preconditionFailed(error.message);
    case 'too-large':
      return new HttpProblem({
        status: 413,
        slug: 'payload-too-large',
        title: 'Too large',
        detail: error.message,
        ...(errors && { errors }),
      });
    case 'too-many':
      return new HttpProblem({
        status: 429,
        slug: 'too-many-attempts',
        title: 'Too many attempts',
        detail: error.message,
        headers: { 'retry-after': '900' },
      });
    case 'unavailable':
      return problems.unavailable(error.message, retryAfter);
  }
}
