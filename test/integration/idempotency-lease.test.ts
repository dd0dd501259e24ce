import { randomUUID } from 'node:crypto';
import { siteTableName } from '../../config/tables.js';
import { IdempotencyStore } from '../../lambdas/store/idempotency-store.js';
import { dynamodbOf } from '../support/stack.js';

/**
 * An Idempotency-Key cannot wedge: the first request's claim lasts only as long
 * as its function could still run, so a retry after a request was cut off
 * mid-way takes the claim over, once; while the claim holds, a retry is told
 * the first is still running. Against DynamoDB Local, the store's clock in
 * the test's hand.
 */
let nowSeconds = Math.floor(Date.parse('2026-12-06T12:00:00Z') / 1000);
const store = new IdempotencyStore(dynamodbOf('fra'), siteTableName('fra'), () => nowSeconds);
const scope = `TENANT#tn_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

describe('an idempotency claim', () => {
  it('holds while its function could still run, then lapses for a retry of the same request', async () => {
    const key = `lease-${randomUUID()}`;
    expect(await store.begin(scope, key, 'hash-a', 30)).toEqual({ state: 'new' });
    // Still running (or so it must be assumed) until the function's time is up.
    nowSeconds += 29;
    expect(await store.begin(scope, key, 'hash-a', 30)).toEqual({ state: 'in-progress' });
    expect(await store.begin(scope, key, 'hash-b', 30)).toEqual({ state: 'mismatch' });
    // Past it, the first was cut off: one retry takes the claim over, a second concurrent one does not.
    nowSeconds += 2;
    const [first, second] = await Promise.all([store.begin(scope, key, 'hash-a', 30), store.begin(scope, key, 'hash-a', 30)]);
    expect([first, second].map((s) => s.state).sort()).toEqual(['in-progress', 'new']);
    await store.complete(scope, key, 201, 'mt_0123456789abcdef01234567');
    expect(await store.begin(scope, key, 'hash-a', 30)).toEqual({
      state: 'done',
      status: 201,
      ref: 'mt_0123456789abcdef01234567',
    });
    // A lapsed claim is never taken over by another request under the same key.
    const other = `lease-${randomUUID()}`;
    expect(await store.begin(scope, other, 'hash-a', 5)).toEqual({ state: 'new' });
    nowSeconds += 10;
    expect(await store.begin(scope, other, 'hash-b', 5)).toEqual({ state: 'mismatch' });
  });
});
