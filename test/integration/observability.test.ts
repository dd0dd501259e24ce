import { dispose, Room } from '@livekit/rtc-node';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { RUN_DIR } from '../../scripts/local-stack/layout.js';
import { eventually } from '../support/eventually.js';
import { testTenant, type TestTenant } from '../support/users.js';

/*
 * The deployable bundles behind the local gateway write the same embedded
 * metric documents and log lines as in Lambda; the gateway's log holds them.
 * A real join (which creates the LiveKit room), a second join, and the
 * webhook the real livekit-server sends when a participant connects.
 */
const LOG = resolve(RUN_DIR, 'logs/gateway-fra.log');

interface Line {
  _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

let acme: TestTenant;
let host: string;
let from: number;
const rooms: Room[] = [];

beforeAll(async () => {
  from = statSync(LOG).size;
  acme = await testTenant('fra');
  host = await acme.token('olga', ['host']);
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.disconnect().catch(() => undefined)));
  await acme.stop();
  await dispose();
});

function written(): { text: string; lines: Line[] } {
  const read = readFileSync(LOG).subarray(from).toString('utf8');
  // The gateway may be writing a line as it is read: only whole lines count.
  const text = read.slice(0, read.lastIndexOf('\n') + 1);
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
  return { text, lines };
}
const metricDocuments = (lines: Line[], name: string) =>
  lines.filter((line) => line._aws?.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === name));

describe('metrics and log context from the deployable bundles', () => {
  it('counts joins, the first join, dependency calls and webhook lag, with nothing personal', async () => {
    const scheduled = await acme.call('/v1/meetings', host, {
      method: 'POST',
      json: { title: 'Quarterly review', startsAt: '2026-12-01T09:00:00+01:00', durationMinutes: 30, timeZone: 'Europe/Berlin' },
    });
    expect(scheduled.status).toBe(201);
    const meetingId = (scheduled.body as { id: string }).id;
    const first = await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} });
    expect(first.status).toBe(200);
    const again = await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} });
    expect(again.status).toBe(200);

    // Connecting makes livekit-server send participant_joined to the gateway.
    const media = (first.body as { media: { url: string; token: string } }).media;
    const room = new Room();
    rooms.push(room);
    await room.connect(media.url, media.token, { autoSubscribe: false, dynacast: false });
    const { text, lines } = await eventually(
      async () => written(),
      ({ lines }) => metricDocuments(lines, 'WebhookLag').length > 0,
      20_000,
    );

    const joins = metricDocuments(lines, 'Requests').filter((doc) => doc.route === 'POST /v1/meetings/{meetingId}/join');
    expect(joins).toEqual([
      expect.objectContaining({ site: 'fra', routeGroup: 'live', statusClass: '2xx', Requests: 1 }),
      expect.objectContaining({ site: 'fra', routeGroup: 'live', statusClass: '2xx', Requests: 1 }),
    ]);
    const events = metricDocuments(lines, 'Joins');
    expect(events.map((doc) => [doc.Joins, doc.FirstJoins])).toEqual([
      [1, 1],
      [1, undefined],
    ]);
    // The first join placed the meeting: LiveKit was called (the room created) and DynamoDB read and written.
    const dependencies = new Set(metricDocuments(lines, 'DependencyCalls').map((doc) => doc.dependency));
    expect([...dependencies]).toEqual(expect.arrayContaining(['dynamodb', 'livekit']));
    const lag = metricDocuments(lines, 'WebhookLag')[0]!.WebhookLag as number | number[];
    for (const value of ([] as number[]).concat(lag)) expect(value).toBeGreaterThanOrEqual(0);
    for (const value of ([] as number[]).concat(lag)) expect(value).toBeLessThan(60_000);

    // Every access line of the live group carries its Lambda context.
    const access = lines.filter((line) => line.message === 'request' && line.routeKey === 'POST /v1/meetings/{meetingId}/join');
    expect(access).toHaveLength(2);
    for (const line of access)
      expect(line).toEqual(
        expect.objectContaining({
          function_name: 'meetplane-fra-live',
          function_request_id: line.requestId,
          cold_start: expect.any(Boolean),
        }),
      );

    for (const secret of [meetingId, acme.tenant.id, host, 'olga@example.test', 'Quarterly review'])
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  }, 60_000);

  it("counts a meeting's first join at no more than 4 DynamoDB calls, 1 KMS and 1 LiveKit call, and a later participant's at 2 DynamoDB calls", async () => {
    const schedule = async () => {
      const res = await acme.call('/v1/meetings', host, {
        method: 'POST',
        json: { title: 'Stand-up', startsAt: '2026-12-01T09:00:00+01:00', durationMinutes: 15, timeZone: 'Europe/Berlin' },
      });
      expect(res.status).toBe(201);
      return (res.body as { id: string }).id;
    };
    const [warmUp, measured] = [await schedule(), await schedule()];
    const [pat, quinn] = [await acme.token('pat', []), await acme.token('quinn', [])];
    // The first joins of another meeting warm the function: its tenant, key and the nodes' health and load (kept seconds).
    const since = statSync(LOG).size;
    expect((await acme.call(`/v1/meetings/${warmUp}/join`, host, { method: 'POST', json: {} })).status).toBe(200);
    expect((await acme.call(`/v1/meetings/${measured}/join`, pat, { method: 'POST', json: {} })).status).toBe(200);
    expect((await acme.call(`/v1/meetings/${measured}/join`, quinn, { method: 'POST', json: {} })).status).toBe(200);

    const access = readFileSync(LOG)
      .subarray(since)
      .toString('utf8')
      .split('\n')
      .filter((line) => line.includes('"message":"request"') && line.includes('"routeKey":"POST /v1/meetings/{meetingId}/join"'))
      .map(
        (line) =>
          JSON.parse(line) as { calls: { dynamodb: number; kms: number; livekit: number; operations: Record<string, number> } },
      );
    expect(access).toHaveLength(3);
    const [, first, later] = access.map((line) => line.calls);
    // Read the meeting, its live state and the admission; read the nodes' statuses and the epoch's key; write the pin,
    // the room's index and the admission in one transaction; keep the key KMS generated. LiveKit creates the room.
    expect(first!.operations).toEqual(
      expect.objectContaining({ 'dynamodb.BatchGetItem': 2, 'dynamodb.TransactWriteItems': 1, 'kms.GenerateDataKey': 1 }),
    );
    expect(first!.dynamodb).toBeLessThanOrEqual(4);
    expect(first!.kms).toBe(1);
    expect(first!.livekit).toBe(1);
    // Read what the join needs, write the admission.
    expect(later).toEqual(expect.objectContaining({ dynamodb: 2, kms: 0, livekit: 0 }));
    expect(later!.operations).toEqual({ 'dynamodb.BatchGetItem': 1, 'dynamodb.PutItem': 1 });
  }, 60_000);
});
