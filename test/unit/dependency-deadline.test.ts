import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createServer, type Server, type Socket } from 'node:net';
import { awsCallLimits, countedClient } from '../../lambdas/clients.js';
import { counted, withCallCounts } from '../../lambdas/http/call-counter.js';
import { DeadlineExceeded, isDependencyUnavailable, retryAfterSeconds } from '../../lambdas/http/dependency-errors.js';
import { DEFAULT_BUDGET_MS, requestBudget, route, routeGroup } from '../../lambdas/http/route.js';

const hang = () => new Promise<never>(() => undefined);
const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('what counts as a dependency being unavailable', () => {
  it.each([
    ['the AWS SDK timing a request out', named('TimeoutError', { code: 'ETIMEDOUT' })],
    ['an aborted call', named('AbortError')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['fetch failing to connect', new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })],
    [
      'DynamoDB throttling',
      named('ProvisionedThroughputExceededException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    ],
    ['KMS throttling', named('ThrottlingException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })],
    ['a fault on the service side', named('InternalServerError', { $fault: 'server', $metadata: { httpStatusCode: 500 } })],
    ['the request running out of its budget', new DeadlineExceeded('kms', true)],
  ])('%s is', (_, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it.each([
    [
      'a conditional write that lost',
      named('ConditionalCheckFailedException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a bug of our own', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a plain error', new Error('something')],
    ['LiveKit saying a room is not there', Object.assign(new Error('not found'), { status: 404 })],
  ])('%s is not', (_, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
  });

  it('counts a failure of a dependency call as one, whatever its shape', async () => {
    const odd = Object.assign(new Error('twirp error unknown'), { status: 502 });
    const { result } = withCallCounts(() => counted('livekit', () => Promise.reject(odd)));
    await expect(result).rejects.toBe(odd);
    expect(isDependencyUnavailable(odd)).toBe(true);
  });

  it('asks to retry after about one budget, within bounds', () => {
    expect(retryAfterSeconds(2500)).toBe(3);
    expect(retryAfterSeconds(DEFAULT_BUDGET_MS)).toBe(2);
    expect(retryAfterSeconds(200)).toBe(1);
    expect(retryAfterSeconds(600_000)).toBe(30);
  });
});

describe('a request budget', () => {
  it('ends a call that does not answer in time with DeadlineExceeded, and starts none without time left', async () => {
    const began = Date.now();
    const { result } = withCallCounts(() => counted('dynamodb', hang), { ms: 150, deadline: Date.now() + 150 });
    await expect(result).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(Date.now() - began).toBeLessThan(1000);

    let started = false;
    const late = withCallCounts(
      () =>
        counted('kms', async () => {
          started = true;
        }),
      { ms: 1000, deadline: Date.now() + 10 },
    );
    await expect(late.result).rejects.toMatchObject({ name: 'DeadlineExceeded', started: false });
    expect(started).toBe(false);
  });

  it("is the route's own, cut to the function's remaining time less a margin to answer", () => {
    const now = 1_000_000;
    expect(requestBudget({ auth: 'public' }, { getRemainingTimeInMillis: () => 10_000 }, now)).toEqual({
      ms: DEFAULT_BUDGET_MS,
      deadline: now + DEFAULT_BUDGET_MS,
    });
    expect(requestBudget({ auth: 'public', budgetMs: 8000 }, { getRemainingTimeInMillis: () => 3000 }, now).ms).toBe(2500);
    expect(requestBudget({ auth: 'public' }, { getRemainingTimeInMillis: () => 1000 }, now).ms).toBe(500);
    // The local stack's factor for its emulators, still within the function's time.
    expect(requestBudget({ auth: 'public' }, { getRemainingTimeInMillis: () => 10_000 }, now, 3).ms).toBe(3 * DEFAULT_BUDGET_MS);
    expect(requestBudget({ auth: 'public', budgetMs: 8000 }, { getRemainingTimeInMillis: () => 10_000 }, now, 3).ms).toBe(9500);
  });
});

function event(routeKey: string): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', http: { method, path } } as APIGatewayProxyEventV2['requestContext'],
  };
}

const context = { awsRequestId: 'ctx', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('the API answer when a dependency is unavailable', () => {
  const group = routeGroup(
    {},
    {
      'GET /hung': route({ auth: 'public', budgetMs: 300 }, async () => counted('dynamodb', hang)),
      'GET /throttled': route({ auth: 'public', budgetMs: 4000 }, async () =>
        counted('kms', () =>
          Promise.reject(named('ThrottlingException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })),
        ),
      ),
      'GET /refused': route({ auth: 'public' }, async () =>
        counted('livekit', () =>
          Promise.reject(new TypeError('fetch failed', { cause: named('Error', { code: 'ECONNREFUSED' }) })),
        ),
      ),
      'GET /bug': route({ auth: 'public' }, async () => {
        throw new TypeError('x is not a function');
      }),
    },
  );

  it('is 503 problem+json with Retry-After from the route budget, within the budget', async () => {
    const began = Date.now();
    const res = await group(event('GET /hung'), context);
    expect(Date.now() - began).toBeLessThan(1500);
    expect(res.statusCode).toBe(503);
    expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ status: 503, title: 'A dependency is unavailable' });

    const throttled = await group(event('GET /throttled'), context);
    expect(throttled.statusCode).toBe(503);
    expect(throttled.headers?.['retry-after']).toBe('4');

    const refused = await group(event('GET /refused'), context);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['retry-after']).toBe(String(retryAfterSeconds(DEFAULT_BUDGET_MS)));
  });

  it('stays 500 for a fault of our own', async () => {
    expect((await group(event('GET /bug'), context)).statusCode).toBe(500);
  });
});

describe('an AWS client against a port that accepts and never answers (a paused process)', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((closed) => server.close(closed));
  });

  const client = () =>
    countedClient(
      new DynamoDBClient({
        region: 'eu-central-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        ...awsCallLimits(300),
      }),
      'dynamodb',
    );
  const get = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } });

  it('gives up after its attempts time out, even outside a request', async () => {
    const began = Date.now();
    await expect(client().send(get)).rejects.toMatchObject({ name: 'TimeoutError' });
    // Two attempts of 300 ms and a jittered backoff between them.
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it('ends with the request budget when that is shorter', async () => {
    const began = Date.now();
    const { result } = withCallCounts(() => client().send(get), { ms: 200, deadline: Date.now() + 200 });
    await expect(result).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(Date.now() - began).toBeLessThan(600);
  });
});
