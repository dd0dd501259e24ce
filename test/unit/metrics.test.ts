import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/*
 * Route groups run in-process through the whole pipeline (middy, the Lambda
 * context on the logger, the metrics middleware, the access log, the error
 * mapper) while stdout is captured: what Powertools writes there is exactly
 * what CloudWatch Logs receives in Lambda. The environment is set before the
 * modules load, as Lambda's is.
 */
const SITE_ENV = {
  MEETPLANE_STAGE: 'local',
  MEETPLANE_SITE: 'fra',
  AWS_REGION: 'eu-central-1',
  MEETPLANE_TABLE: 'meetplane-fra',
  MEETPLANE_DIRECTORY_TABLE: 'meetplane-directory',
  MEETPLANE_API_URLS: 'fra=http://127.0.0.1:4001,ams=http://127.0.0.1:4002',
  MEETPLANE_LIVEKIT_URL: 'ws://127.0.0.1:7880',
  MEETPLANE_LIVEKIT_API_KEY: 'lk_fra_key',
  MEETPLANE_WEB_URL: 'http://127.0.0.1:4000',
  MEETPLANE_LIVEKIT_API_SECRET: 'a-secret-of-at-least-thirty-two-chars',
  MEETPLANE_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  MEETPLANE_KMS_ENDPOINT: 'http://127.0.0.1:4501',
  MEETPLANE_OPERATOR_TOKEN: 'operator-token-of-enough-length',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1',
};
Object.assign(process.env, SITE_ENV);

const { route, routeGroup } = await import('../../lambdas/http/route.js');
const { counted, noteEvent } = await import('../../lambdas/http/call-counter.js');
const { problems } = await import('../../lambdas/http/problem.js');
const { handler: openapiHandler } = await import('../../lambdas/handlers/openapi.js');

/** What may be a dimension, and the only values each may take here. */
const ALLOWED_DIMENSIONS = new Set(['service', 'site', 'routeGroup', 'route', 'statusClass', 'dependency']);

// Values a request carries that must never reach a metric or a log line.
const MEETING_ID = 'mt_4f9a0c1d2e3b4a5968778899';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.secret-token-body.signature';
const TENANT_ID = 'tn_0123456789abcdef';
const EMAIL = 'alice@example.com';

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

let lines: string[] = [];

beforeEach(() => {
  lines = [];
  // Metrics and info lines go to stdout, error lines to stderr; Lambda sends both to the function's log group.
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
});

afterEach(() => {
  jest.restoreAllMocks();
});

const documents = () =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((doc): doc is EmfDocument => '_aws' in doc);
const logLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((doc) => !('_aws' in doc));
const withMetric = (name: string) =>
  documents().filter((doc) => doc._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === name));

function event(routeKey: string, init: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace('{meetingId}', MEETING_ID);
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': TENANT_ID, 'content-type': 'application/json' },
    pathParameters: { meetingId: MEETING_ID },
    isBase64Encoded: false,
    requestContext: {
      requestId: `api-${Math.random().toString(36).slice(2)}`,
      http: { method, path },
    } as APIGatewayProxyEventV2['requestContext'],
    ...init,
  };
}

function lambdaContext(awsRequestId: string): Context {
  return {
    functionName: 'meetplane-fra-live',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:meetplane-fra-live',
    memoryLimitInMB: '512',
    awsRequestId,
    getRemainingTimeInMillis: () => 1000,
  } as unknown as Context;
}

const throttled = Object.assign(new Error('Rate exceeded'), {
  name: 'ThrottlingException',
  $fault: 'client',
  $retryable: { throttling: true },
  $metadata: { httpStatusCode: 400 },
});
const conditionFailed = Object.assign(new Error('The conditional request failed'), {
  name: 'ConditionalCheckFailedException',
  $fault: 'client',
  $metadata: { httpStatusCode: 400 },
});

/** Real route keys of the `live` group, served here by stand-in routes that call dependencies through the counter. */
const live = routeGroup(
  {},
  {
    'POST /v1/meetings/{meetingId}/join': route({ auth: 'public' }, async () => {
      await counted('dynamodb', async () => ({ Item: {} }), 'GetItemCommand');
      await counted('dynamodb', () => Promise.reject(conditionFailed), 'PutItemCommand').catch(() => undefined);
      await counted('kms', () => Promise.reject(throttled)).catch(() => undefined);
      await counted('livekit', async () => ({ name: 'rm_x' }));
      await counted('mail', () => Promise.reject(Object.assign(new Error(`550 ${EMAIL} unknown`), { responseCode: 550 }))).catch(
        () => undefined,
      );
      noteEvent('Joins');
      noteEvent('FirstJoins');
      return { status: 200, body: { status: 'admitted' } };
    }),
    'GET /v1/meetings/{meetingId}/key': route({ auth: 'public' }, async () => {
      await counted('livekit', () => Promise.reject(Object.assign(new Error('fetch failed'), { name: 'TypeError' })));
      return { status: 200 };
    }),
    'POST /v1/meetings/{meetingId}/end': route({ auth: 'public' }, async () => {
      throw problems.notFound(`No meeting ${MEETING_ID}`);
    }),
    'GET /v1/meetings/{meetingId}/attendance': route({ auth: 'public' }, async () => {
      throw new Error(`secret internals of ${TENANT_ID}`);
    }),
  },
);

const call = (routeKey: string, awsRequestId = 'lambda-req-1', init?: Partial<APIGatewayProxyEventV2>) =>
  live(event(routeKey, init), lambdaContext(awsRequestId)) as Promise<APIGatewayProxyStructuredResultV2>;

function expectNothingPersonal(): void {
  const all = lines.join('\n');
  for (const secret of [MEETING_ID, TOKEN, TENANT_ID, EMAIL, 'Bearer', 'secret internals', 'Rate exceeded'])
    expect({ secret, found: all.includes(secret) }).toEqual({ secret, found: false });
  for (const doc of documents()) {
    for (const set of doc._aws.CloudWatchMetrics[0]!.Dimensions)
      for (const name of set) expect({ name, allowed: ALLOWED_DIMENSIONS.has(name) }).toEqual({ name, allowed: true });
  }
}

describe('metrics of the HTTP pipeline (embedded metric format)', () => {
  it('writes the request under the site, its route group, and its route and status class', async () => {
    const res = await call('POST /v1/meetings/{meetingId}/join');
    expect(res.statusCode).toBe(200);
    const [request, ...others] = withMetric('Requests');
    expect(others).toHaveLength(0);
    expect(request!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Meetplane',
        Dimensions: [
          ['service', 'site'],
          ['service', 'site', 'routeGroup'],
          ['service', 'site', 'route', 'statusClass'],
        ],
        Metrics: [
          { Name: 'Requests', Unit: 'Count' },
          { Name: 'Latency', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(request).toMatchObject({
      service: 'meetplane',
      site: 'fra',
      routeGroup: 'live',
      route: 'POST /v1/meetings/{meetingId}/join',
      statusClass: '2xx',
      Requests: 1,
    });
    expect(request!.Latency).toEqual(expect.any(Number));
    expectNothingPersonal();
  });

  it('writes one document per dependency called: calls, each call’s latency, failures and throttles', async () => {
    await call('POST /v1/meetings/{meetingId}/join');
    const byDependency = Object.fromEntries(withMetric('DependencyCalls').map((doc) => [doc.dependency as string, doc]));
    expect(Object.keys(byDependency).sort()).toEqual(['dynamodb', 'kms', 'livekit', 'mail']);
    for (const doc of Object.values(byDependency)) {
      expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'site', 'dependency']]);
      expect(doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual([
        'DependencyCalls',
        'DependencyLatency',
        'DependencyFailures',
        'DependencyThrottles',
      ]);
    }
    // A lost conditional write is an answer, not a failure; a throttle is both; a refused message is a failure.
    expect(byDependency.dynamodb).toMatchObject({ DependencyCalls: 2, DependencyFailures: 0, DependencyThrottles: 0 });
    expect(byDependency.dynamodb!.DependencyLatency).toEqual([expect.any(Number), expect.any(Number)]);
    expect(byDependency.kms).toMatchObject({ DependencyCalls: 1, DependencyFailures: 1, DependencyThrottles: 1 });
    expect(byDependency.livekit).toMatchObject({ DependencyCalls: 1, DependencyFailures: 0 });
    expect(byDependency.mail).toMatchObject({ DependencyCalls: 1, DependencyFailures: 1, DependencyThrottles: 0 });
    expectNothingPersonal();
  });

  it('writes joins and first joins under the site alone', async () => {
    await call('POST /v1/meetings/{meetingId}/join');
    const [events, ...others] = withMetric('Joins');
    expect(others).toHaveLength(0);
    expect(events!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'site']]);
    expect(events).toMatchObject({ Joins: 1, FirstJoins: 1, site: 'fra' });
  });

  it('classes statuses as the client got them: a dependency down is 5xx, a problem 4xx, an unexpected error 5xx', async () => {
    expect((await call('GET /v1/meetings/{meetingId}/key')).statusCode).toBe(503);
    expect((await call('POST /v1/meetings/{meetingId}/end')).statusCode).toBe(404);
    expect((await call('GET /v1/meetings/{meetingId}/attendance')).statusCode).toBe(500);
    expect(withMetric('Requests').map((doc) => [doc.route, doc.statusClass])).toEqual([
      ['GET /v1/meetings/{meetingId}/key', '5xx'],
      ['POST /v1/meetings/{meetingId}/end', '4xx'],
      ['GET /v1/meetings/{meetingId}/attendance', '5xx'],
    ]);
    // A call that got no answer at all (a refused connection) is a failure of that dependency.
    expect(withMetric('DependencyCalls')).toEqual([expect.objectContaining({ dependency: 'livekit', DependencyFailures: 1 })]);
    expectNothingPersonal();
  });

  it('never uses a route the group does not serve as a dimension', async () => {
    const res = await call('GET /v1/meetings/{meetingId}/unknown', 'lambda-req-2');
    expect(res.statusCode).toBe(404);
    expect(withMetric('Requests')).toEqual([expect.objectContaining({ route: 'unmatched', statusClass: '4xx' })]);
    expectNothingPersonal();
  });

  it('keeps concurrent requests apart: each writes its own documents, none mixes values', async () => {
    await Promise.all([call('POST /v1/meetings/{meetingId}/join', 'a'), call('POST /v1/meetings/{meetingId}/end', 'b')]);
    const requests = withMetric('Requests');
    expect(requests.map((doc) => doc.statusClass).sort()).toEqual(['2xx', '4xx']);
    for (const doc of requests) expect(doc.Requests).toBe(1);
    expect(withMetric('DependencyCalls')).toHaveLength(4);
  });

  it('puts the Lambda context (cold start, function, Lambda request id, trace id) on every log line, and no event', async () => {
    await call('POST /v1/meetings/{meetingId}/join', 'lambda-req-ctx');
    await call('GET /v1/meetings/{meetingId}/attendance', 'lambda-req-ctx-2');
    const logged = logLines();
    expect(logged.map((line) => line.message)).toEqual(['request', 'unhandled error', 'request failed']);
    expect(logged[0]).toMatchObject({
      function_request_id: 'lambda-req-ctx',
      function_name: 'meetplane-fra-live',
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      site: 'fra',
    });
    for (const line of logged) {
      expect(line).toEqual(
        expect.objectContaining({
          cold_start: expect.any(Boolean),
          function_request_id: expect.stringMatching(/^lambda-req-ctx/),
          function_arn: expect.any(String),
          xray_trace_id: expect.any(String),
        }),
      );
    }
    expect(logged[2]).toMatchObject({ function_request_id: 'lambda-req-ctx-2', errorName: 'Error', status: 500 });
    expectNothingPersonal();
  });

  it("writes the request metrics of a deployed route group's own handler", async () => {
    const res = await openapiHandler(event('GET /v1/openapi.json'), lambdaContext('lambda-req-openapi'));
    expect(res.statusCode).toBe(200);
    expect(withMetric('Requests')).toEqual([
      expect.objectContaining({ site: 'fra', routeGroup: 'openapi', route: 'GET /v1/openapi.json', statusClass: '2xx' }),
    ]);
    // No dependency was called, so no dependency document.
    expect(withMetric('DependencyCalls')).toEqual([]);
  });
});
