import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { HttpProblem, problems } from '../../lambdas/http/problem.js';
import { route, routeGroup } from '../../lambdas/http/route.js';

const context = { awsRequestId: 'ctx', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

function event(routeKey: string, init: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', http: { method, path } } as APIGatewayProxyEventV2['requestContext'],
    ...init,
  };
}

const group = routeGroup(
  {},
  {
    'POST /things/{id}': route(
      {
        auth: 'public',
        path: z.strictObject({ id: z.string().regex(/^t_[a-z0-9]+$/) }),
        query: z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }),
        body: z.strictObject({ name: z.string().min(1).max(20), size: z.number().int().positive() }),
        maxBodyBytes: 100,
      },
      async (request) => ({ status: 201, body: { id: request.path.id, name: request.body.name, size: request.body.size } }),
    ),
    'GET /boom': route({ auth: 'public' }, async () => {
      throw new Error('secret internals: alice@example.com');
    }),
    'GET /gone': route({ auth: 'public' }, async () => {
      throw problems.unavailable('KMS is not answering', 7);
    }),
  },
);

const json = (text: string | undefined) => JSON.parse(text ?? 'null') as Record<string, unknown>;

describe('route groups', () => {
  it('serves a valid request and echoes the request id', async () => {
    const res = await group(
      event('POST /things/{id}', { pathParameters: { id: 't_1' }, body: '{"name":"a","size":2}' }),
      context,
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers).toMatchObject({
      'content-type': 'application/json',
      'x-request-id': 'req-1',
      'cache-control': 'no-store',
    });
    expect(json(res.body)).toEqual({ id: 't_1', name: 'a', size: 2 });
  });

  it('answers 400 problem+json naming each bad field and where it was', async () => {
    const res = await group(
      event('POST /things/{id}', {
        pathParameters: { id: 'nope' },
        queryStringParameters: { dryRun: 'maybe' },
        body: '{"name":"","size":1.5,"extra":true}',
      }),
      context,
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    const problem = json(res.body);
    expect(problem).toMatchObject({ type: 'https://meetplane.eu/problems/validation', status: 400, requestId: 'req-1' });
    // One answer names every mistake, wherever it was.
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'path', field: 'id' }),
        expect.objectContaining({ in: 'query', field: 'dryRun' }),
        { in: 'body', field: 'extra', message: 'is not a known field' },
        expect.objectContaining({ in: 'body', field: 'name' }),
        expect.objectContaining({ in: 'body', field: 'size' }),
      ]),
    );
  });

  it('names a missing field as required', async () => {
    const res = await group(event('POST /things/{id}', { pathParameters: { id: 't_1' }, body: '{"name":"a"}' }), context);
    expect(json(res.body).errors).toEqual([{ in: 'body', field: 'size', message: 'is required' }]);
  });

  it('refuses malformed JSON with 400, a wrong content type with 415 and an oversized body with 413', async () => {
    const base = { pathParameters: { id: 't_1' } };
    const malformed = await group(event('POST /things/{id}', { ...base, body: '{"name":' }), context);
    expect([malformed.statusCode, json(malformed.body).type]).toEqual([400, 'https://meetplane.eu/problems/malformed-json']);
    const wrongType = await group(
      event('POST /things/{id}', { ...base, headers: { 'content-type': 'text/plain' }, body: '{}' }),
      context,
    );
    expect(wrongType.statusCode).toBe(415);
    const large = await group(
      event('POST /things/{id}', { ...base, body: JSON.stringify({ name: 'x'.repeat(200), size: 1 }) }),
      context,
    );
    expect(large.statusCode).toBe(413);
    const missing = await group(event('POST /things/{id}', base), context);
    expect(json(missing.body).errors).toEqual([{ in: 'body', field: '(root)', message: 'a JSON body is required' }]);
  });

  it('accepts a base64-encoded JSON body', async () => {
    const res = await group(
      event('POST /things/{id}', {
        pathParameters: { id: 't_1' },
        isBase64Encoded: true,
        body: Buffer.from('{"name":"b","size":3}').toString('base64'),
      }),
      context,
    );
    expect(res.statusCode).toBe(201);
  });

  it('hides internals of unexpected errors behind a bare 500 and logs no message text', async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const spyErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const res = await group(event('GET /boom'), context);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/secret|alice/);
      expect(json(res.body)).toMatchObject({ status: 500, requestId: 'req-1' });
    } finally {
      spy.mockRestore();
      spyErr.mockRestore();
    }
    const logged = writes.join('');
    expect(logged).toMatch(/"errorName":"Error"/);
    expect(logged).toMatch(/"routeKey":"GET \/boom"/);
    expect(logged).not.toMatch(/secret|alice/);
  });

  it('passes a dependency outage through as 503 with Retry-After', async () => {
    const res = await group(event('GET /gone'), context);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('7');
  });

  it('answers an unknown route key with 404', async () => {
    const res = await group(event('GET /nothing'), context);
    expect(res.statusCode).toBe(404);
  });

  it('keeps HttpProblem extensions in the document', async () => {
    const misdirected = routeGroup(
      {},
      {
        'GET /t': route({ auth: 'public' }, async () => {
          throw problems.misdirected('ams', 'http://127.0.0.1:4002');
        }),
      },
    );
    const res = await misdirected(event('GET /t'), context);
    expect(res.statusCode).toBe(421);
    expect(json(res.body)).toMatchObject({ homeSite: 'ams', apiUrl: 'http://127.0.0.1:4002' });
    expect(new HttpProblem({ status: 409, slug: 'x', title: 'X' }).status).toBe(409);
  });
});

describe('authentication by the route declaration', () => {
  const operatorToken = 'op-token-op-token-op-token';
  const seen: string[] = [];
  const guarded = routeGroup(
    {
      operator: (request) => {
        if (request.headers.authorization !== `Bearer ${operatorToken}`) throw problems.unauthorized();
        return { type: 'operator', id: 'op-1' };
      },
    },
    {
      'POST /guarded': route({ auth: 'operator', body: z.strictObject({ name: z.string().min(3) }) }, async (request) => {
        seen.push(`${request.caller.id}:${request.body.name}`);
        return { status: 201, body: { by: request.caller.id } };
      }),
    },
  );

  it('answers 401 to a request without credentials, whatever its body, before validating it', async () => {
    const res = await guarded(event('POST /guarded', { body: '{"unknown":1,"name":""}' }), context);
    expect(res.statusCode).toBe(401);
    expect(json(res.body)).not.toHaveProperty('errors');
    const notJson = await guarded(event('POST /guarded', { body: '{not json' }), context);
    expect(notJson.statusCode).toBe(401);
    expect(seen).toEqual([]);
  });

  it('validates only after authenticating, and hands the handler the caller', async () => {
    const bad = await guarded(
      event('POST /guarded', {
        body: '{"name":""}',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
      }),
      context,
    );
    expect(bad.statusCode).toBe(400);
    const good = await guarded(
      event('POST /guarded', {
        body: '{"name":"abc"}',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
      }),
      context,
    );
    expect(good.statusCode).toBe(201);
    expect(json(good.body)).toEqual({ by: 'op-1' });
    expect(seen).toEqual(['op-1:abc']);
  });

  it('refuses to build a group whose route declares callers it cannot authenticate', () => {
    expect(() => routeGroup({}, { 'GET /t': route({ auth: 'tenant' }, async () => ({ status: 204 })) })).toThrow(
      /declares tenant callers/,
    );
  });
});

describe('guest tokens reach only the routes that let guests in', () => {
  const guestToken = [
    Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'meetplane-guest+jwt' })).toString('base64url'),
    Buffer.from('{}').toString('base64url'),
    'sig',
  ].join('.');
  const calls: string[] = [];
  const tenant = { id: 'tn_1' } as never;
  const group = routeGroup(
    {
      tenant: () => {
        calls.push('tenant authenticator');
        return { tenant, subject: 'u', roles: new Set(), claims: {} };
      },
      guest: async () => {
        calls.push('guest authenticator');
        return { kind: 'guest', tenant, guestId: 'gs_1', meetingId: 'mt_1' };
      },
    },
    {
      'POST /members': route({ auth: 'tenant', body: z.strictObject({ name: z.string() }) }, async () => {
        calls.push('members handler');
        return { status: 204 };
      }),
      'POST /open': route({ auth: 'tenant', guests: true, body: z.strictObject({ name: z.string() }) }, async (request) => {
        calls.push(`open handler for ${'kind' in request.caller ? 'a guest' : 'a user'}`);
        return { status: 204 };
      }),
    },
  );
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${guestToken}` };

  it('refuses a guest token with 403 before any authenticator or validation, on every route that does not declare guests', async () => {
    calls.length = 0;
    const res = await group(event('POST /members', { headers, body: '{"unknown":1}' }), context);
    expect(res.statusCode).toBe(403);
    expect(json(res.body)).not.toHaveProperty('errors');
    expect(calls).toEqual([]);
  });

  it('hands a guest token to the guest authenticator where the route lets guests in', async () => {
    calls.length = 0;
    expect((await group(event('POST /open', { headers, body: '{"name":"x"}' }), context)).statusCode).toBe(204);
    expect(calls).toEqual(['guest authenticator', 'open handler for a guest']);
  });

  it('refuses to build a group with a guest route but no guest authenticator, or guests on a route that is not a tenant route', () => {
    const user = () => ({ tenant, subject: 'u', roles: new Set<never>(), claims: {} });
    expect(() =>
      routeGroup({ tenant: user }, { 'GET /t': route({ auth: 'tenant', guests: true }, async () => ({ status: 204 })) }),
    ).toThrow(/lets guests in/);
    expect(() =>
      routeGroup(
        { guest: async () => ({}) as never },
        { 'GET /t': route({ auth: 'public', guests: true }, async () => ({ status: 204 })) },
      ),
    ).toThrow(/lets guests in/);
  });
});
