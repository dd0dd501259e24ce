import { OPERATIONS } from '../../lambdas/api/operations.js';
import { generateDeviceIdentity, type DeviceIdentity } from '../../media/e2ee/index.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Generated from the contract: every operation marked `handsOutMedia` is
 * asked by someone invited but not admitted (a passcode not given, a waiting
 * room not passed, a lock that came first) and by someone removed, in a
 * standard and an end-to-end meeting; none of them gets a token, a key or an
 * envelope. A positive control shows the same person does get media once a
 * host lets them in, so the refusals are the rule's and not an accident.
 */
type RouteKey = keyof typeof OPERATIONS;
const MEDIA_ROUTES = (Object.keys(OPERATIONS) as RouteKey[]).filter(
  (key) => (OPERATIONS[key] as { handsOutMedia?: true }).handsOutMedia,
);

type Scenario = 'passcode' | 'waiting room' | 'locked' | 'removed';
const SCENARIOS: Scenario[] = ['passcode', 'waiting room', 'locked', 'removed'];
type Mode = 'standard' | 'e2ee';

interface Setup {
  readonly meetingId: string;
  readonly ticket?: string;
}

let acme: TestTenant;
let host: string;
let pia: string;
let piaDevice: DeviceIdentity;
let hostDevice: DeviceIdentity;

const call = (path: string, token: string, init: RequestInit & { json?: unknown } = {}) => acme.call(path, token, init);

/** Anything in an answer that would let its holder into the media: a token, a key, an envelope. */
function carriesMedia(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(carriesMedia);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([name, inner]) => ['token', 'key', 'ciphertext', 'media', 'join'].includes(name) || carriesMedia(inner),
  );
}

async function meeting(mode: Mode, extra: Record<string, unknown>): Promise<string> {
  const res = await call('/v1/meetings', host, {
    method: 'POST',
    json: {
      title: 'Admission check',
      startsAt: '2026-12-01T12:00:00Z',
      durationMinutes: 60,
      timeZone: 'Europe/Amsterdam',
      encryption: mode,
      invitees: ['pia@example.test'],
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

const joinBody = (mode: Mode, extra: Record<string, unknown> = {}) => ({
  ...(mode === 'e2ee' && { deviceId: piaDevice.deviceId }),
  ...extra,
});

async function hostJoins(meetingId: string, mode: Mode) {
  const res = await call(`/v1/meetings/${meetingId}/join`, host, {
    method: 'POST',
    json: mode === 'e2ee' ? { deviceId: hostDevice.deviceId } : {},
  });
  expect(res.status).toBe(200);
}

async function arrange(scenario: Scenario, mode: Mode): Promise<Setup> {
  switch (scenario) {
    case 'passcode': {
      const meetingId = await meeting(mode, { passcode: 'open-sesame-42' });
      await hostJoins(meetingId, mode);
      expect((await call(`/v1/meetings/${meetingId}/join`, pia, { method: 'POST', json: joinBody(mode) })).status).toBe(403);
      return { meetingId };
    }
    case 'waiting room': {
      const meetingId = await meeting(mode, { waitingRoom: true });
      await hostJoins(meetingId, mode);
      const waiting = await call(`/v1/meetings/${meetingId}/join`, pia, { method: 'POST', json: joinBody(mode) });
      expect(waiting.body).toMatchObject({ status: 'waiting' });
      return { meetingId, ticket: (waiting.body as { ticket: string }).ticket };
    }
    case 'locked': {
      const meetingId = await meeting(mode, {});
      await hostJoins(meetingId, mode);
      expect((await call(`/v1/meetings/${meetingId}/lock`, host, { method: 'POST' })).status).toBe(200);
      return { meetingId };
    }
    case 'removed': {
      const meetingId = await meeting(mode, {});
      await hostJoins(meetingId, mode);
      const joined = await call(`/v1/meetings/${meetingId}/join`, pia, { method: 'POST', json: joinBody(mode) });
      expect(joined.body).toMatchObject({ status: 'admitted' });
      const { participantId } = joined.body as { participantId: string };
      const removed = await call(`/v1/meetings/${meetingId}/participants/${participantId}/remove`, host, { method: 'POST' });
      expect(removed.status).toBe(200);
      return { meetingId };
    }
  }
}

function request(key: RouteKey, mode: Mode, setup: Setup): { path: string; init: RequestInit & { json?: unknown } } {
  const [method, template] = key.split(' ') as [string, string];
  const path = template
    .replace('{meetingId}', setup.meetingId)
    .replace('{ticket}', setup.ticket ?? `lt_${'0'.repeat(24)}`)
    .replace('{breakoutId}', `br_${'0'.repeat(12)}`)
    .replace('{epoch}', '0');
  const query = key.includes('/key') ? '?epoch=0' : key.endsWith('/envelope') ? `?deviceId=${piaDevice.deviceId}` : '';
  const json = key.endsWith('/join') ? joinBody(mode) : key.endsWith('/choose') ? { to: `br_${'0'.repeat(12)}` } : undefined;
  return { path: path + query, init: { method, ...(json !== undefined && { json }) } };
}

beforeAll(async () => {
  acme = await testTenant('fra');
  host = await acme.token('hana', ['host']);
  pia = await acme.token('pia');
  piaDevice = await generateDeviceIdentity();
  hostDevice = await generateDeviceIdentity();
  for (const [token, device] of [
    [pia, piaDevice],
    [host, hostDevice],
  ] as const) {
    const registered = await call('/v1/devices', token, { method: 'POST', json: device.registration });
    if (registered.status !== 201) throw new Error(`device not registered: ${registered.status}`);
  }
});

afterAll(() => acme.stop());

describe('nobody unadmitted or removed gets media from any route that hands it out', () => {
  it('knows the routes that hand out media', () => {
    expect(MEDIA_ROUTES).toEqual(
      expect.arrayContaining([
        'POST /v1/meetings/{meetingId}/join',
        'GET /v1/meetings/{meetingId}/key',
        'GET /v1/meetings/{meetingId}/lobby/{ticket}',
        'GET /v1/meetings/{meetingId}/breakouts/mine',
        'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope',
      ]),
    );
  });

  for (const mode of ['standard', 'e2ee'] as const) {
    for (const scenario of SCENARIOS) {
      it(`${mode} meeting, ${scenario}: every media route refuses or answers without media`, async () => {
        const setup = await arrange(scenario, mode);
        const outcomes: string[] = [];
        for (const key of MEDIA_ROUTES) {
          const { path, init } = request(key, mode, setup);
          const res = await call(path, pia, init);
          // 409: the route does not apply to this meeting (an envelope of a standard meeting); nothing handed out.
          const refused = [403, 404, 409].includes(res.status) && !carriesMedia(res.body);
          const emptyAnswer = res.status === 200 && !carriesMedia(res.body);
          if (!refused && !emptyAnswer) outcomes.push(`${key}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
        expect(outcomes).toEqual([]);
      });
    }
  }

  it('hands the same person media once a host admits them (the control that shows the refusals are the rule)', async () => {
    const setup = await arrange('waiting room', 'standard');
    const lobby = (await call(`/v1/meetings/${setup.meetingId}/lobby`, host)).body as { items: { ticket: string }[] };
    expect(lobby.items.map((i) => i.ticket)).toContain(setup.ticket);
    expect((await call(`/v1/meetings/${setup.meetingId}/lobby/${setup.ticket}/admit`, host, { method: 'POST' })).status).toBe(
      204,
    );
    const polled = await call(`/v1/meetings/${setup.meetingId}/lobby/${setup.ticket}`, pia);
    expect(polled.body).toMatchObject({ status: 'admitted', media: { token: expect.any(String) } });
    const key = await call(`/v1/meetings/${setup.meetingId}/key?epoch=0`, pia);
    expect(key.status).toBe(200);
    expect(carriesMedia(key.body)).toBe(true);
    // Admitted once, she comes back without the waiting room, even after a lock.
    expect((await call(`/v1/meetings/${setup.meetingId}/lock`, host, { method: 'POST' })).status).toBe(200);
    const again = await call(`/v1/meetings/${setup.meetingId}/join`, pia, { method: 'POST', json: {} });
    expect(again.body).toMatchObject({ status: 'admitted' });
  });

  it('admits nobody from the waiting room while the meeting is locked', async () => {
    const setup = await arrange('waiting room', 'standard');
    expect((await call(`/v1/meetings/${setup.meetingId}/lock`, host, { method: 'POST' })).status).toBe(200);
    expect((await call(`/v1/meetings/${setup.meetingId}/lobby/${setup.ticket}/admit`, host, { method: 'POST' })).status).toBe(
      409,
    );
    expect((await call(`/v1/meetings/${setup.meetingId}/lobby/${setup.ticket}`, pia)).body).toEqual({ status: 'waiting' });
  });
});

describe('passcode attempts', () => {
  it('evaluates at most 5 of 50 concurrent wrong passcodes', async () => {
    const meetingId = await meeting('standard', { passcode: 'open-sesame-42' });
    const guesser = await acme.token('pia');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(`/v1/meetings/${meetingId}/join`, guesser, { method: 'POST', json: { passcode: `wrong-${1000 + i}` } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 403).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45);
    expect(statuses.every((s) => s === 403 || s === 429)).toBe(true);
    // Even the right passcode waits for the window now.
    const right = await call(`/v1/meetings/${meetingId}/join`, guesser, { method: 'POST', json: { passcode: 'open-sesame-42' } });
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
