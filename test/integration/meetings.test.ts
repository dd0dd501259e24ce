import ICAL from 'ical.js';
import { SignJWT, generateKeyPair } from 'jose';
import { scanRegion, searchableText, writableSnapshot } from '../support/scan.js';
import { startGateway, untilListening } from '../support/gateway-process.js';
import { stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

interface MeetingBody {
  id: string;
  etag: string;
  title: string;
  status: string;
  isHost: boolean;
  invitees?: string[];
  passcodeProtected: boolean;
}

let acme: TestTenant;
let other: TestTenant;
let free: TestTenant;
let host: string;
let bob: string;
let carol: string;
let admin: string;

beforeAll(async () => {
  [acme, other, free] = await Promise.all([testTenant('fra'), testTenant('fra'), testTenant('fra', { tier: 'free' })]);
  [host, bob, carol, admin] = await Promise.all([
    acme.token('alice', ['host']),
    acme.token('bob'),
    acme.token('carol'),
    acme.token('dana', ['admin']),
  ]);
});
afterAll(async () => {
  await Promise.all([acme, other, free].map((t) => t?.stop()));
});

const weekly = {
  title: 'Physics 101, weekly',
  description: 'Bring your lab notes',
  startsAt: '2026-10-19T09:00:00+02:00',
  durationMinutes: 50,
  timeZone: 'Europe/Berlin',
  recurrence: 'FREQ=WEEKLY;COUNT=4',
  invitees: ['bob@example.test'],
  passcode: 'lab-4711',
};

async function schedule(body: Record<string, unknown> = weekly, token = host): Promise<MeetingBody> {
  const res = await acme.call('/v1/meetings', token, { method: 'POST', json: body });
  if (res.status !== 201) throw new Error(`not scheduled: ${JSON.stringify(res.body)}`);
  return res.body as MeetingBody;
}

describe('scheduling', () => {
  it('creates a meeting and stores its personal fields only sealed', async () => {
    const meeting = await schedule();
    expect(meeting).toMatchObject({
      title: weekly.title,
      status: 'scheduled',
      isHost: true,
      passcodeProtected: true,
      etag: '"v1"',
    });
    expect(meeting.invitees).toEqual(['bob@example.test']);
    const stored = searchableText(await scanRegion('fra'));
    expect(stored).toContain(meeting.id);
    for (const secret of [weekly.title, weekly.description, 'bob@example.test', weekly.passcode])
      expect(stored).not.toContain(secret);
  });

  it('lists the occurrences of a weekly meeting across the October clock change at the same local time', async () => {
    const meeting = await schedule();
    const res = await acme.call(`/v1/meetings?from=2026-10-18T00:00:00Z&to=2026-11-20T00:00:00Z`, host);
    expect(res.status).toBe(200);
    const mine = (res.body as { items: { meetingId: string; startsAt: string }[] }).items.filter(
      (o) => o.meetingId === meeting.id,
    );
    expect(mine.map((o) => o.startsAt)).toEqual([
      '2026-10-19T07:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-09T08:00:00.000Z',
    ]);
  });

  it('pages the list with a cursor', async () => {
    const meeting = await schedule({
      ...weekly,
      title: 'Paged',
      recurrence: 'FREQ=DAILY;COUNT=5',
      startsAt: '2027-01-04T10:00:00+01:00',
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await acme.call(
        `/v1/meetings?from=2027-01-01T00:00:00Z&to=2027-01-31T00:00:00Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        host,
      );
      const page = res.body as { items: { meetingId: string; startsAt: string }[]; nextCursor?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.filter((i) => i.meetingId === meeting.id).map((i) => i.startsAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 5, 6, 7, 8].map((d) => `2027-01-0${d}T09:00:00.000Z`));
  });

  it('lets invitees read, hides the invitee list from them, and hides the meeting from everyone else', async () => {
    const meeting = await schedule();
    const asBob = await acme.call(`/v1/meetings/${meeting.id}`, bob);
    expect(asBob.status).toBe(200);
    expect(asBob.body).toMatchObject({ title: weekly.title, isHost: false });
    expect((asBob.body as MeetingBody).invitees).toBeUndefined();
    expect((await acme.call(`/v1/meetings/${meeting.id}`, carol)).status).toBe(404);
    expect((await acme.call(`/v1/meetings/${meeting.id}`, admin)).status).toBe(200);
    const otherTenant = await other.token('erin', ['admin']);
    expect((await other.call(`/v1/meetings/${meeting.id}`, otherTenant)).status).toBe(404);
    const invited = await acme.call(`/v1/meetings?from=2026-10-18T00:00:00Z&to=2026-10-20T00:00:00Z`, bob);
    expect((invited.body as { items: { meetingId: string }[] }).items.map((i) => i.meetingId)).toContain(meeting.id);
    const uninvited = await acme.call(`/v1/meetings?from=2026-10-18T00:00:00Z&to=2026-10-20T00:00:00Z`, carol);
    expect((uninvited.body as { items: { meetingId: string }[] }).items.map((i) => i.meetingId)).not.toContain(meeting.id);
  });

  it('updates only with a fresh ETag', async () => {
    const meeting = await schedule();
    const path = `/v1/meetings/${meeting.id}`;
    expect((await acme.call(path, host, { method: 'PATCH', json: { title: 'Renamed' } })).status).toBe(428);
    const fresh = await acme.call(path, host, {
      method: 'PATCH',
      json: { title: 'Renamed' },
      headers: { 'if-match': meeting.etag },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ title: 'Renamed', etag: '"v2"' });
    const stale = await acme.call(path, host, {
      method: 'PATCH',
      json: { title: 'Lost update' },
      headers: { 'if-match': meeting.etag },
    });
    expect(stale.status).toBe(412);
    expect((await acme.call(path, host)).body).toMatchObject({ title: 'Renamed' });
    expect((await acme.call(path, bob, { method: 'PATCH', json: { title: 'x' }, headers: { 'if-match': '"v2"' } })).status).toBe(
      403,
    );
  });

  it('returns the first result to a retry with the same Idempotency-Key, and 422 for a different body', async () => {
    const headers = { 'idempotency-key': `k-${Date.now()}` };
    const first = await acme.call('/v1/meetings', host, { method: 'POST', json: weekly, headers });
    const retry = await acme.call('/v1/meetings', host, { method: 'POST', json: weekly, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect((retry.body as MeetingBody).id).toBe((first.body as MeetingBody).id);
    const different = await acme.call('/v1/meetings', host, { method: 'POST', json: { ...weekly, title: 'Other' }, headers });
    expect(different.status).toBe(422);
  });

  it('cancels, and a cancelled meeting is no longer listed or changed', async () => {
    const meeting = await schedule({ ...weekly, startsAt: '2027-02-01T09:00:00+01:00', recurrence: 'FREQ=DAILY;COUNT=2' });
    const cancelled = await acme.call(`/v1/meetings/${meeting.id}`, host, { method: 'DELETE' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    const list = await acme.call('/v1/meetings?from=2027-02-01T00:00:00Z&to=2027-02-03T00:00:00Z', host);
    expect((list.body as { items: { meetingId: string }[] }).items.map((i) => i.meetingId)).not.toContain(meeting.id);
    const etag = (cancelled.body as MeetingBody).etag;
    expect(
      (
        await acme.call(`/v1/meetings/${meeting.id}`, host, {
          method: 'PATCH',
          json: { title: 'x' },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(409);
  });

  it('exports a valid iCalendar event with its recurrence and time zone', async () => {
    const meeting = await schedule();
    const res = await acme.call(`/v1/meetings/${meeting.id}/invite.ics`, bob);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(res.body as string));
    const vevent = calendar.getFirstSubcomponent('vevent')!;
    const event = new ICAL.Event(vevent);
    expect(event.uid).toBe(`${meeting.id}@meetplane`);
    expect(event.summary).toBe(weekly.title);
    // Its link is the meeting's page in the web app, not an API route.
    expect(vevent.getFirstPropertyValue('url')).toBe(
      `${stack().sites.fra.env.MEETPLANE_WEB_URL}/${acme.tenant.slug}/m/${meeting.id}`,
    );
    expect(vevent.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Berlin');
    expect(event.startDate.toString()).toBe('2026-10-19T09:00:00');
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
    const iterator = event.iterator();
    const starts: string[] = [];
    for (let next = iterator.next(); next; next = iterator.next()) starts.push(next.toJSDate().toISOString());
    expect(starts).toEqual([
      '2026-10-19T07:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
      '2026-11-09T08:00:00.000Z',
    ]);
    expect(vevent.getFirstPropertyValue('dtstamp')?.toString()).toMatch(/Z$/);
  });

  it.each([
    // Summer time in Berlin and Kyiv; Mexico City has kept standard time all year since 2022.
    ['Europe/Berlin', '2027-07-01T10:00:00+02:00', '2027-07-01T08:00:00.000Z', ['+0100', '+0200']],
    ['Europe/Kyiv', '2027-07-01T10:00:00+03:00', '2027-07-01T07:00:00.000Z', ['+0200', '+0300']],
    ['America/Mexico_City', '2027-07-01T10:00:00-06:00', '2027-07-01T16:00:00.000Z', ['-0600']],
  ])('carries a correct VTIMEZONE for %s, read back by a calendar parser', async (timeZone, startsAt, utc, offsets) => {
    const meeting = await schedule({ title: 'Zone check', startsAt, durationMinutes: 30, timeZone });
    const res = await acme.call(`/v1/meetings/${meeting.id}/invite.ics`, host);
    expect(res.status).toBe(200);
    const calendar = new ICAL.Component(ICAL.parse(res.body as string));
    const vtimezone = calendar.getFirstSubcomponent('vtimezone')!;
    expect(vtimezone.getFirstPropertyValue('tzid')).toBe(timeZone);
    const zoneOffsets = vtimezone
      .getAllSubcomponents()
      .map((c) => String(c.getFirstPropertyValue('tzoffsetto')).replace(':', ''));
    expect([...new Set(zoneOffsets)].sort()).toEqual([...offsets].sort());
    const zone = new ICAL.Timezone(vtimezone);
    const vevent = calendar.getFirstSubcomponent('vevent')!;
    const start = vevent.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(start.toString()).toBe(startsAt.slice(0, 19));
    // The local start less the offset the VTIMEZONE gives for it is the instant the meeting was scheduled for.
    const instant = Date.parse(`${startsAt.slice(0, 19)}Z`) - zone.utcOffset(start) * 1000;
    expect(new Date(instant).toISOString()).toBe(utc);
  });

  it('refuses end-to-end encryption on the free plan, saying why', async () => {
    const freeHost = await free.token('fay', ['host']);
    const res = await free.call('/v1/meetings', freeHost, { method: 'POST', json: { ...weekly, encryption: 'e2ee' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ detail: expect.stringMatching(/not part of the free plan/) });
    expect((await free.call('/v1/meetings', freeHost, { method: 'POST', json: weekly })).status).toBe(201);
  });

  it('lets only hosts and admins schedule', async () => {
    expect((await acme.call('/v1/meetings', bob, { method: 'POST', json: weekly })).status).toBe(403);
  });
});

describe('bad meeting input: a 4xx naming the field, and nothing written', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an impossible date', { startsAt: '2026-02-30T10:00:00Z' }, 'startsAt'],
    ['a date without an offset', { startsAt: '2026-12-01T10:00:00' }, 'startsAt'],
    ['a duration of 0', { durationMinutes: 0 }, 'durationMinutes'],
    ['a duration over 24 hours', { durationMinutes: 1441 }, 'durationMinutes'],
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' }, 'timeZone'],
    ['a rule that never ends', { recurrence: 'FREQ=WEEKLY;BYDAY=MO' }, 'recurrence'],
    ['a passcode that is too short', { passcode: '12' }, 'passcode'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['an invitee that is no address', { invitees: ['not-an-address'] }, 'invitees.0'],
  ];

  it.each(cases)('%s', async (_name, change, field) => {
    const before = await writableSnapshot('fra');
    const res = await acme.call('/v1/meetings', host, { method: 'POST', json: { ...weekly, ...change } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    expect(await writableSnapshot('fra')).toBe(before);
  });

  it('the same checks hold for PATCH', async () => {
    const meeting = await schedule();
    const res = await acme.call(`/v1/meetings/${meeting.id}`, host, {
      method: 'PATCH',
      json: { timeZone: 'Nowhere/Else' },
      headers: { 'if-match': meeting.etag },
    });
    expect(res.status).toBe(400);
    expect((res.body as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['timeZone']);
  });

  it('refuses a list range that is inverted or too long', async () => {
    expect((await acme.call('/v1/meetings?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z', host)).status).toBe(400);
    expect((await acme.call('/v1/meetings?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z', host)).status).toBe(400);
    expect((await acme.call('/v1/meetings?from=2026-01-01T00:00:00Z', host)).status).toBe(400);
  });
});

describe('authentication', () => {
  const tokens: [string, () => Promise<string>][] = [
    ['an expired token', () => acme.idp.token('alice', ['host'], { exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['a token for another audience', () => acme.idp.token('alice', ['host'], { aud: 'someone-else' })],
    [
      'an alg: none token',
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(
          JSON.stringify({
            iss: acme.idp.issuer,
            aud: acme.idp.audience,
            sub: 'alice',
            roles: ['host'],
            exp: Math.floor(Date.now() / 1000) + 600,
          }),
        ).toString('base64url');
        return `${header}.${payload}.`;
      },
    ],
    [
      "another tenant's IdP's signature on this tenant's issuer",
      async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT({ roles: ['host'] })
          .setProtectedHeader({ alg: 'ES256', kid: other.idp.kid })
          .setIssuer(acme.idp.issuer)
          .setAudience(acme.idp.audience)
          .setSubject('alice')
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    ],
    [
      'an HS256 token signed with the public JWKS',
      async () => {
        const jwks = await (await fetch(acme.idp.jwksUri)).text();
        return new SignJWT({ roles: ['host'] })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(acme.idp.issuer)
          .setAudience(acme.idp.audience)
          .setSubject('alice')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(jwks));
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(tokens)('%s is 401 with the same message as any other failure', async (_name, make) => {
    const res = await acme.call('/v1/meetings', await make(), { method: 'POST', json: weekly });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ detail: 'The request carries no valid credentials' });
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('with the key service down', () => {
  it('answers 503 with Retry-After and writes nothing, whether it was sealing or opening', async () => {
    const meeting = await schedule({ ...weekly, recurrence: undefined, title: 'Sealed before the outage' });
    // The fra site's own environment in a fresh process (nothing cached), with KMS where nothing answers.
    const gateway = await startGateway({ ...stack().sites.fra.env, MEETPLANE_KMS_ENDPOINT: 'http://127.0.0.1:9' });
    try {
      await untilListening(gateway);
      const before = await writableSnapshot('fra');
      const created = await fetch(`${gateway.url}/v1/meetings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${host}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...weekly, title: 'Never sealed' }),
      });
      const read = await fetch(`${gateway.url}/v1/meetings/${meeting.id}`, { headers: { authorization: `Bearer ${host}` } });
      for (const res of [created, read]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(await writableSnapshot('fra')).toBe(before);
    } finally {
      await gateway.stop();
    }
  });
});
