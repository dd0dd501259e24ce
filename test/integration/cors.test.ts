import { api, stack } from '../support/stack.js';

/**
 * CORS at the local gateways, by the rules API Gateway applies deployed
 * (config/cors.ts): only the configured web origin is answered.
 */
const webOrigin = () => new URL(stack().sites.fra.env.MEETPLANE_WEB_URL!).origin;
const OTHER_ORIGIN = 'https://elsewhere.example';

const preflight = (site: 'fra' | 'ams', path: string, origin: string, method = 'POST') =>
  api(site, path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    },
  });

const listOf = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase());

describe('CORS', () => {
  it('the local stack configures the web origin', () => {
    for (const site of ['fra', 'ams'] as const) expect(stack().sites[site].env.MEETPLANE_WEB_ORIGINS).toBe(webOrigin());
  });

  it.each(['fra', 'ams'] as const)('answers a preflight from the web origin at %s with 204 and what it allows', async (site) => {
    const res = await preflight(site, '/v1/meetings', webOrigin());
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(webOrigin());
    expect(listOf(res.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['get', 'post', 'put', 'patch', 'delete']),
    );
    expect(listOf(res.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'if-match']),
    );
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(listOf(res.headers.get('vary'))).toContain('origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers a preflight from any other origin without allowing it', async () => {
    for (const origin of [OTHER_ORIGIN, 'http://127.0.0.1:9', 'null']) {
      const res = await preflight('fra', '/v1/meetings', origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
      expect(res.headers.get('access-control-allow-headers')).toBeNull();
    }
  });

  it('lets the web origin read a response and its headers, and no other origin', async () => {
    const allowed = await api('fra', '/v1/directory/demo', { headers: { origin: webOrigin() } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webOrigin());
    expect(listOf(allowed.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(['etag', 'location', 'retry-after', 'idempotent-replayed', 'content-disposition']),
    );
    expect(listOf(allowed.headers.get('vary'))).toContain('origin');

    const other = await api('fra', '/v1/directory/demo', { headers: { origin: OTHER_ORIGIN } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('lets the web origin read refusals too, so that a browser can show them', async () => {
    const refused = await api('fra', '/v1/meetings', { headers: { origin: webOrigin() } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(webOrigin());
    const unknown = await api('ams', '/v1/no-such-route', { headers: { origin: webOrigin() } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('access-control-allow-origin')).toBe(webOrigin());
  });

  it('is not a preflight without Access-Control-Request-Method: such an OPTIONS is routed as any request', async () => {
    const res = await api('fra', '/v1/meetings', { method: 'OPTIONS', headers: { origin: webOrigin() } });
    expect(res.status).toBe(404);
  });
});
