import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/audit.js';
import type { IdempotencyStore } from '../store/idempotency-store.js';
import { HttpProblem, problems } from './problem.js';
import type { ParsedRequest, RequestSchemas } from './request.js';
import type { Context } from 'aws-lambda';
import type { RouteResult } from './route.js';
import { budgetLeftMs } from './call-counter.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a write at most once per Idempotency-Key: a retry with the same body
 * gets the first result again (re-read through `replay`), the same key with a
 * different body is 422, and a retry while the first is still running is 409.
 * The first request's claim lasts no longer than its function's remaining
 * time, so a request that was cut off cannot wedge its key: a retry after
 * that takes the claim over and completes the write. Without the header the
 * write simply runs.
 *
 * A write cut off after it reached the table (a dependency that answered too
 * late) must not be made twice by the retry: `run` is handed a seed derived
 * from the scope and key, from which a write names what it creates
 * (`seededId`), so that a retry's conditional create finds the first one's
 * instead of making a second.
 */
export async function idempotent(
  store: IdempotencyStore,
  scope: string,
  request: ParsedRequest<RequestSchemas>,
  run: (seed?: string) => Promise<{ result: RouteResult; ref: string }>,
  replay: (ref: string, status: number) => Promise<RouteResult>,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<RouteResult> {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return (await run()).result;
  if (!KEY_PATTERN.test(key)) {
    throw problems.validation([{ in: 'header', field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }]);
  }
  const requestHash = createHash('sha256')
    .update(`${request.event.routeKey}\n${canonicalJson(request.path ?? {})}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
  // The claim lasts as long as this request may: its budget, else the function's remaining time.
  const leaseMs = budgetLeftMs() ?? context.getRemainingTimeInMillis();
  const state = await store.begin(scope, key, requestHash, leaseMs / 1000);
  switch (state.state) {
    case 'mismatch':
      throw problems.unprocessable('This Idempotency-Key was used with a different request; use a new key for a new request');
    case 'in-progress':
      throw new HttpProblem({
        status: 409,
        slug: 'idempotency-in-progress',
        title: 'Conflict',
        detail: 'A request with this Idempotency-Key is still running; retry shortly',
      });
    case 'done': {
      const result = await replay(state.ref, state.status);
      return { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } };
    }
    case 'new':
      break;
  }
  try {
    const { result, ref } = await run(idempotencySeed(scope, key));
    await store.complete(scope, key, result.status, ref);
    return result;
  } catch (error) {
    await store.abandon(scope, key).catch(() => undefined);
    throw error;
  }
}

/** The same for every attempt of one request (scope and Idempotency-Key), and unguessable without the key. */
export function idempotencySeed(scope: string, key: string): string {
  return createHash('sha256').update(`idempotency\n${scope}\n${key}`).digest('hex');
}
