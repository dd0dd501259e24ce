import { randomUUID } from 'node:crypto';
import { OPERATIONS } from '../../lambdas/api/operations.js';
import { etagOf } from '../../lambdas/domain/tenant.js';
import { ROUTE_GROUPS, type RouteAuth } from '../../lambdas/routes.js';
import { writableSnapshot } from '../support/scan.js';
import { api, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Generated from the route table: every route that is not public is called
 * as every kind of caller it must refuse, and each must be refused with 401,
 * 403 or 404 — with nothing written. A route added to the table is in this
 * test without anyone writing a line for it.
 */
type RouteKey = keyof typeof OPERATIONS;
interface GuardedRoute {
  readonly key: RouteKey;
  readonly auth: Exclude<RouteAuth, 'public'>;
  /** Guests may call it (for their own meeting). */
  readonly guests: boolean;
}

const ROUTES: GuardedRoute[] = ROUTE_GROUPS.flatMap((group) =>
  group.auth === 'public'
    ? []
    : group.routes.map((key) => ({
        key: key as RouteKey,
        auth: group.auth as GuardedRoute['auth'],
        guests: (OPERATIONS[key as RouteKey] as { guests?: true }).guests === true,
      })),
);

const zeros = (chars: number) => 'A'.repeat(chars);
const hex = (n: number) => '0'.repeat(n);

/** A syntactically valid key envelope: the refusal must come from who is asking, not from the body's shape. */
const envelope = (meetingId: string) => ({
  v: 1,
  meetingId,
  epoch: 0,
  recipientDeviceId: 'dv_authz_recipient',
  senderDeviceId: 'dv_authz_sender',
  enc: zeros(43),
  ciphertext: zeros(64),
  signature: zeros(86),
});

/** A valid body for each route that takes one, so that an authenticated stranger is refused by the rules, not by validation. */
function validBody(key: RouteKey, meetingId: string): unknown {
  const bodies: Partial<Record<RouteKey, unknown>> = {
    'POST /v1/meetings/{meetingId}/join': {},
    'PATCH /v1/meetings/{meetingId}': { title: 'Renamed by a stranger' },
    'POST /v1/meetings/{meetingId}/participants/{participantId}/mute': { trackSid: 'TR_authz', muted: true },
    'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': { envelopes: [envelope(meetingId)] },
    'PUT /v1/meetings/{meetingId}/breakouts': { split: { count: 1, mode: 'even' } },
    'POST /v1/meetings/{meetingId}/breakouts/move': { participantId: `p_${zeros(32)}`, to: `br_${hex(12)}` },
    'POST /v1/meetings/{meetingId}/breakouts/choose': { to: `br_${hex(12)}` },
    'POST /v1/meetings/{meetingId}/breakouts/broadcast': { message: 'hello' },
    'POST /v1/meetings/{meetingId}/breakouts/close': {},
    'PUT /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes': {
      envelopes: [envelope(`${meetingId}-br_${hex(12)}`)],
    },
    'POST /v1/meetings/{meetingId}/reports': { reason: 'spam' },
    'POST /v1/reports/{reportId}/resolve': { outcome: 'no-action' },
  };
  return bodies[key];
}

interface Resources {
  readonly meetingId: string;
  readonly tenantId: string;
}

/** A concrete path for a route key, naming the victim tenant's own resources where there are any. */
function pathOf(key: RouteKey, r: Resources): string {
  const values: Record<string, string> = {
    meetingId: r.meetingId,
    tenantId: r.tenantId,
    participantId: `p_${zeros(32)}`,
    ticket: `lt_${hex(24)}`,
    clusterId: 'fra-1',
    epoch: '0',
    breakoutId: `br_${hex(12)}`,
    deviceId: 'dv_authz_device',
    grantId: `sg_${hex(24)}`,
    reportId: `ar_${hex(24)}`,
  };
  const path = key.split(' ')[1]!.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no sample value for path parameter ${name} of ${key}`);
    return values[name]!;
  });
  const query: Partial<Record<RouteKey, string>> = {
    'GET /v1/meetings': 'from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z',
    'GET /v1/meetings/{meetingId}/key': 'epoch=0',
    'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': 'deviceId=dv_authz_device',
    'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope': 'deviceId=dv_authz_device',
    'GET /v1/support/tenants/{tenantId}/settings': 'ticket=T-1&location=eu',
    'GET /v1/support/tenants/{tenantId}/meetings/{meetingId}': 'ticket=T-1&location=eu',
  };
  return query[key] ? `${path}?${query[key]}` : path;
}

const methodOf = (key: RouteKey) => key.split(' ')[0]!;
const hasPathResource = (key: RouteKey) => /\{(meetingId|reportId|grantId)\}/.test(key);

let victim: TestTenant;
let stranger: TestTenant;
let resources: Resources;
let victimHost: string;
let expired: string;
let strangerAdmin: string;
/** A real guest token of the victim tenant, for another meeting than the one the routes name. */
let guestOfOtherMeeting: string;

beforeAll(async () => {
  victim = await testTenant('fra');
  stranger = await testTenant('fra');
  victimHost = await victim.token('vera', ['host', 'admin']);
  expired = await victim.token('vera', ['host', 'admin'], { exp: Math.floor(Date.now() / 1000) - 3600 });
  strangerAdmin = await stranger.token('sam', ['host', 'admin']);
  const created = await victim.call('/v1/meetings', victimHost, {
    method: 'POST',
    json: { title: 'Board meeting', startsAt: '2026-12-02T09:00:00Z', durationMinutes: 30, timeZone: 'Europe/Berlin' },
  });
  if (created.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(created.body)}`);
  resources = { meetingId: (created.body as { id: string }).id, tenantId: victim.tenant.id };
  guestOfOtherMeeting = await guestToken(victim, victimHost);
});

/** Turns guests on, sends an invitation through the SES emulator and redeems the guest link it carries. */
async function guestToken(tenant: TestTenant, host: string): Promise<string> {
  const tag = randomUUID().slice(0, 8);
  const address = `guest-${tag}@guest.example`;
  const ok = async (res: Promise<{ status: number; body: unknown }>, status: number) => {
    const answer = await res;
    if (answer.status !== status) throw new Error(`guest set-up failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await ok(tenant.call('/v1/settings/guests', host, { method: 'PUT', json: { enabled: true } }), 200);
  await ok(
    tenant.call('/v1/settings/mail', host, { method: 'PUT', json: { transport: 'ses', from: 'meetings@victim.example' } }),
    200,
  );
  const other = (await ok(
    tenant.call('/v1/meetings', host, {
      method: 'POST',
      json: {
        title: 'Guest meeting',
        startsAt: '2026-12-03T09:00:00Z',
        durationMinutes: 30,
        timeZone: 'Europe/Berlin',
        invitees: [address],
      },
    }),
    201,
  )) as { id: string };
  await ok(tenant.call(`/v1/meetings/${other.id}/invitations`, host, { method: 'POST' }), 200);
  const store = (await (await fetch(`${stack().sesEndpoint}/store`)).json()) as {
    emails: { destination: { to: string[] }; body: { text?: string } }[];
  };
  const mail = store.emails.find((m) => m.destination.to.includes(address));
  // The guest link opens the tenant's web app: `{webUrl}/{slug}/guest#{code}`.
  const code = /\/guest#(\S+)/.exec(mail?.body.text ?? '')?.[1];
  if (!code) throw new Error('no guest link in the invitation');
  const redeemed = (await ok(
    api('fra', '/v1/guest-links/redeem', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, displayName: 'Guest' }),
    }),
    201,
  )) as { token: string };
  return redeemed.token;
}

afterAll(async () => {
  await victim.stop();
  await stranger.stop();
});

async function send(route: GuardedRoute, authorization: string | undefined, anyBody: unknown, extraQuery = '') {
  const path = pathOf(route.key, resources);
  // fetch cannot send a body with GET or HEAD; those routes get the junk query only.
  const sent = ['GET', 'HEAD'].includes(methodOf(route.key)) ? undefined : anyBody;
  const headers: Record<string, string> = {
    ...(authorization !== undefined && { authorization }),
    ...(sent !== undefined && { 'content-type': 'application/json' }),
    ...(methodOf(route.key) === 'PATCH' && { 'if-match': etagOf(1) }),
  };
  const separator = path.includes('?') ? '&' : '?';
  return api('fra', `${path}${extraQuery && separator + extraQuery}`, {
    method: methodOf(route.key),
    headers,
    ...(sent !== undefined && { body: JSON.stringify(sent) }),
  });
}

describe('every route is refused to every caller it does not declare', () => {
  it('covers every non-public route of the table, each with a sample path', () => {
    expect(ROUTES.length).toBeGreaterThan(60);
    for (const route of ROUTES) expect(() => pathOf(route.key, resources)).not.toThrow();
  });

  it('answers 401 to no credentials, a malformed token, an expired token and the wrong kind of caller, and writes nothing', async () => {
    const before = await writableSnapshot('fra');
    const operator = `Bearer ${stack().operatorToken}`;
    const outcomes: string[] = [];
    for (const route of ROUTES) {
      // A body and query that are wrong too: authentication must come first and say nothing about them.
      const junk = { notAField: true };
      const callers: [string, string | undefined][] = [
        ['no credentials', undefined],
        ['malformed token', 'Bearer not.a.jwt'],
        ['not a bearer token', 'Basic dXNlcjpwYXNz'],
        ['expired token', `Bearer ${expired}`],
        ...(route.auth === 'tenant' ? [['operator token', operator] as [string, string]] : []),
        ...(route.auth === 'operator' ? [['tenant token', `Bearer ${victimHost}`] as [string, string]] : []),
        ...(route.auth === 'livekit'
          ? ([
              ['operator token', operator],
              ['tenant token', `Bearer ${victimHost}`],
            ] as [string, string][])
          : []),
      ];
      for (const [who, authorization] of callers) {
        const res = await send(route, authorization, junk, 'bogus=1');
        outcomes.push(
          `${route.key} as ${who}: ${res.status}${(res.body as { errors?: unknown })?.errors ? ' with field errors' : ''}`,
        );
      }
    }
    expect(outcomes.filter((o) => !/: 401$/.test(o))).toEqual([]);
    expect(await writableSnapshot('fra')).toBe(before);
  });

  it('refuses a guest token on every route that does not let guests in (403, before parsing), and on guest routes answers about no other meeting than its own (404), and writes nothing', async () => {
    const before = await writableSnapshot('fra');
    const outcomes: string[] = [];
    const withMeeting = ROUTES.filter((r) => !r.guests || /\{meetingId\}/.test(r.key));
    for (const route of withMeeting) {
      // A non-guest route gets a junk body: the refusal must come before validation.
      const body = route.guests ? validBody(route.key, resources.meetingId) : { notAField: true };
      const res = await send(route, `Bearer ${guestOfOtherMeeting}`, body);
      const expected = route.guests ? [404] : [403];
      // Operator and LiveKit routes may say 401 (not their kind of credentials) as well.
      if (!route.guests && route.auth !== 'tenant') expected.push(401);
      if (!expected.includes(res.status)) outcomes.push(`${route.key} as guest token on a non-guest route: ${res.status}`);
      if (!route.guests && (res.body as { errors?: unknown })?.errors) outcomes.push(`${route.key}: field errors for a guest`);
    }
    expect(withMeeting.filter((r) => r.guests).length).toBeGreaterThanOrEqual(4);
    expect(outcomes).toEqual([]);
    expect(await writableSnapshot('fra')).toBe(before);
  });

  it("refuses another tenant's admin every route that names this tenant's resources, with 403 or 404, and writes nothing", async () => {
    const before = await writableSnapshot('fra');
    const outcomes: string[] = [];
    for (const route of ROUTES.filter((r) => r.auth === 'tenant' && hasPathResource(r.key))) {
      const res = await send(route, `Bearer ${strangerAdmin}`, validBody(route.key, resources.meetingId));
      outcomes.push(`${route.key}: ${res.status}`);
    }
    expect(outcomes.length).toBeGreaterThan(30);
    expect(outcomes.filter((o) => !/: (403|404)$/.test(o))).toEqual([]);
    // The victim's meeting is untouched and still theirs.
    const meeting = await victim.call(`/v1/meetings/${resources.meetingId}`, victimHost);
    expect(meeting.status).toBe(200);
    expect((meeting.body as { title: string }).title).toBe('Board meeting');
    expect(await writableSnapshot('fra')).toBe(before);
  });
});
