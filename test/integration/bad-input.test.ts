import { AccessToken } from 'livekit-server-sdk';
import { createHash } from 'node:crypto';
import { OPERATIONS, type Operation } from '../../lambdas/api/operations.js';
import { writableSnapshot } from '../support/scan.js';
import { api, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Every route, each malformed request: the documented 4xx problem document,
 * naming what was wrong, and not a byte written anywhere.
 */
let tenant: TestTenant;
let userToken: string;

beforeAll(async () => {
  tenant = await testTenant('fra');
  userToken = await tenant.token('alice', ['host', 'admin']);
});
afterAll(async () => {
  await tenant.stop();
});

const EXAMPLE_PATH_VALUES: Record<string, string> = {
  tenantId: 'tn_0123456789abcdef01234567',
  meetingId: 'mt_0123456789abcdef01234567',
  slugOrDomain: 'demo',
};

const operations = Object.entries(OPERATIONS) as [string, Operation][];
const withBody = operations.filter(([, op]) => op.body !== undefined);

function target(routeKey: string, op: Operation): { method: string; path: string; headers: Record<string, string> } {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => EXAMPLE_PATH_VALUES[name]!);
  const token = op.auth === 'operator' ? stack().operatorToken : userToken;
  return { method, path, headers: { authorization: `Bearer ${token}` } };
}

/** LiveKit signs each webhook with a JWT carrying the body's hash: a request the route authenticates, whatever else is wrong. */
async function livekitSignature(body: string): Promise<string> {
  const token = new AccessToken(stack().sites.fra.livekit.apiKey, stack().sites.fra.livekit.apiSecret);
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return token.toJwt();
}

async function expectNothingWritten(run: () => Promise<void>): Promise<void> {
  const before = await writableSnapshot('fra');
  await run();
  expect(await writableSnapshot('fra')).toBe(before);
}

describe.each(withBody)('%s', (routeKey, op) => {
  const request = (body: string, contentType = 'application/json') => {
    const { method, path, headers } = target(routeKey, op);
    return api('fra', path, { method, headers: { ...headers, 'content-type': contentType }, body });
  };

  it('malformed JSON is 400', async () => {
    await expectNothingWritten(async () => {
      const res = await request('{"title": ');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'https://meetplane.eu/problems/malformed-json' });
    });
  });

  it('a body that is not JSON is 415', async () => {
    await expectNothingWritten(async () => {
      expect((await request('title=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    });
  });

  it('an oversized body is 413', async () => {
    await expectNothingWritten(async () => {
      const limit = op.maxBodyBytes ?? 64 * 1024;
      expect((await request(JSON.stringify({ title: 'x'.repeat(limit + 1024) }))).status).toBe(413);
    });
  });

  it('an unknown field is 400 naming it', async () => {
    await expectNothingWritten(async () => {
      const res = await request(JSON.stringify({ unknownField: 1 }));
      expect(res.status).toBe(400);
      expect((res.body as { errors: { field: string }[] }).errors).toEqual(
        expect.arrayContaining([{ in: 'body', field: 'unknownField', message: 'is not a known field' }]),
      );
    });
  });
});

describe.each(operations)('%s', (routeKey, op) => {
  it('an unknown query parameter is 400 naming it', async () => {
    const { method, path, headers } = target(routeKey, op);
    // Authentication comes first: the webhook route sees the query only once LiveKit's signature over its body holds.
    const body = op.auth === 'livekit' ? '{}' : undefined;
    if (body !== undefined) {
      headers.authorization = await livekitSignature(body);
      headers['content-type'] = 'application/webhook+json';
    }
    await expectNothingWritten(async () => {
      const res = await api('fra', `${path}?unexpected=1`, { method, headers, ...(body !== undefined && { body }) });
      expect(res.status).toBe(400);
      expect((res.body as { errors: { in: string; field: string }[] }).errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ in: 'query', field: 'unexpected' })]),
      );
    });
  });
});
