import { fromLambdaResult, toApiGatewayEvent } from '../../scripts/gateway/api-event.js';
import { CorsPolicy } from '../../scripts/gateway/cors.js';
import { RouteTable } from '../../scripts/gateway/route-match.js';

describe('gateway route matching', () => {
  const table = new RouteTable(['GET /v1/meetings/{id}', 'GET /v1/meetings/upcoming', 'POST /v1/meetings', 'GET /v1/health']);

  it('matches literal routes before parameterised ones', () => {
    expect(table.match('GET', '/v1/meetings/upcoming')).toEqual({ routeKey: 'GET /v1/meetings/upcoming', pathParameters: {} });
  });

  it('extracts and decodes path parameters', () => {
    expect(table.match('GET', '/v1/meetings/a%20b')).toEqual({
      routeKey: 'GET /v1/meetings/{id}',
      pathParameters: { id: 'a b' },
    });
  });

  it('does not match another method, a longer path or an empty parameter', () => {
    expect(table.match('DELETE', '/v1/health')).toBeUndefined();
    expect(table.match('GET', '/v1/meetings/x/y')).toBeUndefined();
    expect(table.match('GET', '/v1/meetings/')).toBeUndefined();
  });
});

describe('API Gateway v2 event', () => {
  const match = { routeKey: 'POST /v1/meetings/{id}/join', pathParameters: { id: 'm1' } };
  const body = Buffer.from('{"displayName":"Zoë"}', 'utf8');
  const event = toApiGatewayEvent(
    {
      method: 'POST',
      url: '/v1/meetings/m1/join?a=1&a=2&b=x',
      rawHeaders: [
        'Content-Type',
        'application/json',
        'X-Multi',
        'one',
        'X-Multi',
        'two',
        'Cookie',
        'c1=1; c2=2',
        'Host',
        '127.0.0.1:4001',
      ],
      body,
      sourceIp: '127.0.0.1',
    },
    match,
    new Date('2026-11-23T10:00:00Z'),
  );

  it('carries the route, path, query and parameters as API Gateway does', () => {
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/meetings/{id}/join',
      rawPath: '/v1/meetings/m1/join',
      rawQueryString: 'a=1&a=2&b=x',
      queryStringParameters: { a: '1,2', b: 'x' },
      pathParameters: { id: 'm1' },
      cookies: ['c1=1', 'c2=2'],
      requestContext: { http: { method: 'POST', path: '/v1/meetings/m1/join', sourceIp: '127.0.0.1' }, timeEpoch: 1795428000000 },
    });
  });

  it('lower-cases headers and joins repeats with commas', () => {
    expect(event.headers).toEqual({ 'content-type': 'application/json', 'x-multi': 'one,two', host: '127.0.0.1:4001' });
  });

  it('keeps a text body byte for byte, and base64-encodes a binary one', () => {
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"displayName":"Zoë"}');
    const binary = toApiGatewayEvent(
      {
        method: 'POST',
        url: '/x',
        rawHeaders: ['Content-Type', 'application/octet-stream'],
        body: Buffer.from([0, 255, 1]),
        sourceIp: '::1',
      },
      match,
    );
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(Buffer.from([0, 255, 1]));
  });

  it('gives every request its own id', () => {
    const again = toApiGatewayEvent({ method: 'GET', url: '/', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '::1' }, match);
    expect(again.requestContext.requestId).not.toBe(event.requestContext.requestId);
    expect(again.body).toBeUndefined();
  });

  it('turns a Lambda result into a response, decoding base64 bodies and cookies', () => {
    const response = fromLambdaResult({
      statusCode: 201,
      headers: { 'X-A': 'b' },
      body: 'aGk=',
      isBase64Encoded: true,
      cookies: ['s=1'],
    });
    expect(response).toEqual({ status: 201, headers: { 'x-a': 'b', 'set-cookie': ['s=1'] }, body: Buffer.from('hi') });
  });
});

describe('the gateway’s CORS', () => {
  const web = 'http://127.0.0.1:4000';
  const cors = new CorsPolicy([web]);

  it('answers a preflight only when origins are configured, with the allow headers for an allowed origin alone', () => {
    expect(cors.isPreflight('OPTIONS', web, 'POST')).toBe(true);
    expect(cors.isPreflight('OPTIONS', web, undefined)).toBe(false);
    expect(cors.isPreflight('GET', web, 'POST')).toBe(false);
    expect(new CorsPolicy([]).isPreflight('OPTIONS', web, 'POST')).toBe(false);

    expect(cors.preflight(web)).toEqual({
      status: 204,
      headers: {
        vary: 'origin',
        'content-length': '0',
        'access-control-allow-origin': web,
        'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
        'access-control-allow-headers': 'authorization, content-type, idempotency-key, if-match',
        'access-control-max-age': '600',
      },
    });
    const other = cors.preflight('http://evil.example');
    expect(other.status).toBe(204);
    expect(Object.keys(other.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('adds the origin and the exposed headers to responses for an allowed origin, and Vary: Origin to every response', () => {
    expect(cors.decorate(web, { etag: '"v1"', vary: 'accept' })).toEqual({
      etag: '"v1"',
      vary: 'accept, origin',
      'access-control-allow-origin': web,
      'access-control-expose-headers': 'etag, location, retry-after, idempotent-replayed, content-disposition, x-request-id',
    });
    expect(cors.decorate('http://evil.example', { 'access-control-allow-origin': '*' })).toEqual({ vary: 'origin' });
    expect(cors.decorate(undefined, {})).toEqual({ vary: 'origin' });
    expect(new CorsPolicy([]).decorate(web, { etag: '"v1"' })).toEqual({ etag: '"v1"' });
  });
});
