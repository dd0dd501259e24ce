import { openApiDocument } from '../../lambdas/api/openapi.js';
import { OPERATIONS } from '../../lambdas/api/operations.js';
import { stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await testTenant('fra');
});
afterAll(async () => {
  await tenant?.stop();
});

describe('the API reference of the local stack', () => {
  it.each(['fra', 'ams'] as const)('GET /docs on %s is the HTML reference, rendered from the OpenAPI document', async (site) => {
    const response = await fetch(`${stack().sites[site].apiUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    // Checked with includes, so that a failure names what is missing instead of printing 2.7 MB of page.
    const has = (text: string) => ({ text, found: html.includes(text) });
    expect(html.trimStart().slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(has('<div id="redoc">')).toEqual({ text: '<div id="redoc">', found: true });
    for (const key of ['POST /v1/meetings', 'POST /v1/meetings/{meetingId}/join', 'GET /v1/audit'] as const) {
      const { operationId, summary } = OPERATIONS[key];
      expect(has(`"operationId":"${operationId}"`)).toEqual({ text: `"operationId":"${operationId}"`, found: true });
      expect(has(summary)).toEqual({ text: summary, found: true });
    }
    // The site's own address is among the servers the page offers.
    expect(has(`"url":"${stack().sites[site].apiUrl}"`)).toEqual({ text: `"url":"${stack().sites[site].apiUrl}"`, found: true });
    // Redoc's scripts are in the page: it loads no script from elsewhere.
    expect(/<script[^>]+src="https?:/.test(html)).toBe(false);
    // …and the browser is told to fetch nothing from anywhere else either.
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/default-src 'none'/);
    expect(policy).not.toMatch(/https?:/);
  });

  it('serves the document itself unchanged at GET /v1/openapi.json', async () => {
    const { apiUrl } = stack().sites.fra;
    const response = await fetch(`${apiUrl}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(openApiDocument(apiUrl));
  });
});

describe('the response headers the document declares', () => {
  it('are sent: ETag, Location and X-Request-Id on a creation, ETag on a read', async () => {
    const { apiUrl } = stack().sites.fra;
    const token = await tenant.token('alice', ['host']);
    const idempotencyKey = `headers-${Date.now()}`;
    const create = () =>
      fetch(`${apiUrl}/v1/meetings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({
          title: 'Weekly sync',
          startsAt: '2026-12-07T09:00:00+01:00',
          durationMinutes: 30,
          timeZone: 'Europe/Berlin',
        }),
      });
    const created = await create();
    expect(created.status).toBe(201);
    const meeting = (await created.json()) as { id: string; etag: string };
    expect(created.headers.get('etag')).toBe(meeting.etag);
    expect(created.headers.get('location')).toBe(`/v1/meetings/${meeting.id}`);
    expect(created.headers.get('x-request-id')).toBeTruthy();
    // A replay of the same request answers the same, Location included, and says it is a replay.
    const replayed = await create();
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.headers.get('location')).toBe(`/v1/meetings/${meeting.id}`);
    const read = await fetch(`${apiUrl}/v1/meetings/${meeting.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.headers.get('etag')).toBe(meeting.etag);
    expect(read.headers.get('x-request-id')).toBeTruthy();
  });
});
