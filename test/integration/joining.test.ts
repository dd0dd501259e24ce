import { DisconnectReason, dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { createHash, randomBytes } from 'node:crypto';
import { siteTableName } from '../../config/tables.js';
import { scanRegion } from '../support/scan.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { startGateway, untilListening } from '../support/gateway-process.js';
import { api, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';
import { eventually } from '../support/eventually.js';

interface Admitted {
  status: 'admitted';
  participantId: string;
  role: string;
  media: { url: string; token: string };
  encryption: { mode: string; epoch: number };
}

const fraUrls = () => stack().sites.fra.clusters.flatMap((c) => c.nodes.map((n) => n.url));
const amsUrls = () => stack().sites.ams.clusters.flatMap((c) => c.nodes.map((n) => n.url));

let acme: TestTenant;
let host: string;
const rooms: Room[] = [];

beforeAll(async () => {
  acme = await testTenant('fra', { allowedSites: ['ams'] });
  host = await acme.token('hilde', ['host']);
});
afterAll(async () => {
  await Promise.all(rooms.map((r) => r.disconnect().catch(() => undefined)));
  await acme.stop();
  await dispose();
});

async function schedule(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await acme.call('/v1/meetings', host, {
    method: 'POST',
    json: {
      title: 'Seminar on Residency',
      startsAt: '2026-12-01T09:00:00+01:00',
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

const join = (meetingId: string, token: string, body: Record<string, unknown> = {}) =>
  acme.call(`/v1/meetings/${meetingId}/join`, token, { method: 'POST', json: body });

async function connect(admitted: Admitted): Promise<Room> {
  const room = new Room();
  rooms.push(room);
  await room.connect(admitted.media.url, admitted.media.token, { autoSubscribe: true, dynacast: false });
  return room;
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('joining through the API', () => {
  it('admits two participants who hear each other, under pseudonyms in an opaque room, and records attendance', async () => {
    const meetingId = await schedule();
    const alice = host;
    const bob = await acme.token('bob', [], { email: 'bob@acme.example' });
    const a = (await join(meetingId, alice)).body as Admitted;
    const b = (await join(meetingId, bob)).body as Admitted;
    expect(a).toMatchObject({ status: 'admitted', role: 'host', encryption: { mode: 'standard', epoch: 0 } });
    expect(b).toMatchObject({ status: 'admitted', role: 'participant' });
    expect(fraUrls()).toContain(a.media.url);

    const claims = claimsOf(b.media.token);
    const grant = claims.video as Record<string, unknown>;
    expect(grant).toMatchObject({ roomJoin: true, canPublish: true, canSubscribe: true });
    for (const forbidden of ['roomCreate', 'roomAdmin', 'roomList', 'roomRecord', 'hidden', 'recorder'])
      expect(grant[forbidden]).not.toBe(true);
    expect(Number(claims.exp) - Number(claims.nbf ?? claims.iat ?? 0)).toBeLessThanOrEqual(600);

    const alicesRoom = await connect(a);
    const bobsRoom = await connect(b);
    const personal = [acme.tenant.id, acme.tenant.slug, meetingId, 'alice', 'bob', 'acme.example', 'Seminar', 'hilde'];
    const visible = JSON.stringify({
      room: alicesRoom.name,
      identities: [alicesRoom.localParticipant!.identity, bobsRoom.localParticipant!.identity],
      names: [alicesRoom.localParticipant!.name, bobsRoom.localParticipant!.name],
      metadata: [alicesRoom.metadata, alicesRoom.localParticipant!.metadata],
    });
    for (const datum of personal) expect(visible).not.toContain(datum);
    expect(alicesRoom.name).toMatch(/^rm_[0-9a-f]{32}$/);
    expect(alicesRoom.name).toBe(grant.room);

    const toneA = await publishTone(alicesRoom, 440);
    const toneB = await publishTone(bobsRoom, 660);
    try {
      const [bobHears, aliceHears] = await Promise.all([
        listenForTone(bobsRoom, 440, 2500, a.participantId),
        listenForTone(alicesRoom, 660, 2500, b.participantId),
      ]);
      expect(bobHears.toneWindows).toBeGreaterThan(bobHears.windows / 2);
      expect(aliceHears.toneWindows).toBeGreaterThan(aliceHears.windows / 2);
    } finally {
      await toneA.stop();
      await toneB.stop();
    }
    await bobsRoom.disconnect();
    await alicesRoom.disconnect();

    const attendance = await eventually(
      async () =>
        (await acme.call(`/v1/meetings/${meetingId}/attendance`, host)).body as {
          items: { participantId: string; joinedAt?: string; leftAt?: string }[];
        },
      (body) => body.items.filter((i) => i.joinedAt && i.leftAt).length >= 2,
    );
    const byId = new Map(attendance.items.map((i) => [i.participantId, i]));
    for (const participant of [a.participantId, b.participantId]) {
      const record = byId.get(participant);
      expect(record?.joinedAt).toBeDefined();
      expect(record?.leftAt).toBeDefined();
      expect(Date.parse(record!.leftAt!)).toBeGreaterThanOrEqual(Date.parse(record!.joinedAt!));
    }
  });

  it('keeps waiting participants out of the media until a host admits them', async () => {
    const meetingId = await schedule({ waitingRoom: true });
    const carol = await acme.token('carol');
    const waiting = (await join(meetingId, carol, { displayName: 'Carol' })).body as { status: string; ticket: string };
    expect(waiting.status).toBe('waiting');
    expect(JSON.stringify(waiting)).not.toMatch(/token/);
    const poll = () => acme.call(`/v1/meetings/${meetingId}/lobby/${waiting.ticket}`, carol);
    expect((await poll()).body).toEqual({ status: 'waiting' });
    // Someone else cannot poll (or learn of) the ticket.
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/${waiting.ticket}`, await acme.token('mallory'))).status).toBe(404);

    const lobby = await acme.call(`/v1/meetings/${meetingId}/lobby`, host);
    expect((lobby.body as { items: { ticket: string }[] }).items.map((i) => i.ticket)).toEqual([waiting.ticket]);
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/${waiting.ticket}/admit`, carol, { method: 'POST' })).status).toBe(
      403,
    );
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/${waiting.ticket}/admit`, host, { method: 'POST' })).status).toBe(
      204,
    );

    const admitted = (await poll()).body as Admitted;
    expect(admitted.status).toBe('admitted');
    const room = await connect(admitted);
    expect(room.isConnected).toBe(true);
    await room.disconnect();
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/lt_000000000000000000000000`, carol)).status).toBe(404);
  });

  it('disconnects a removed participant within seconds, refuses their rejoin, and starts a new epoch', async () => {
    const meetingId = await schedule();
    const dave = await acme.token('dave');
    const admitted = (await join(meetingId, dave)).body as Admitted;
    const room = await connect(admitted);
    const disconnected = new Promise<number>((done) => {
      const began = Date.now();
      room.once(RoomEvent.Disconnected, () => done(Date.now() - began));
    });
    const removed = await acme.call(`/v1/meetings/${meetingId}/participants/${admitted.participantId}/remove`, host, {
      method: 'POST',
    });
    expect(removed.body).toMatchObject({ epoch: 1, removed: 1 });
    expect(
      await Promise.race([disconnected, new Promise<number>((done) => setTimeout(() => done(-1), 10_000))]),
    ).toBeGreaterThanOrEqual(0);
    // The token he had is still good for connecting (LiveKit cannot revoke one): back in, he is put out again.
    const back = new Room();
    rooms.push(back);
    const putOut = new Promise<DisconnectReason>((done) => back.once(RoomEvent.Disconnected, done));
    const outcome = await back.connect(admitted.media.url, admitted.media.token, { autoSubscribe: false, dynacast: false }).then(
      () => Promise.race([putOut, new Promise<'connected'>((done) => setTimeout(() => done('connected'), 5_000))]),
      () => 'refused' as const,
    );
    expect(['refused', DisconnectReason.PARTICIPANT_REMOVED]).toContain(outcome);
    const again = await join(meetingId, dave);
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ detail: 'you were removed from this meeting' });
    const erin = (await join(meetingId, await acme.token('erin'))).body as Admitted;
    expect(erin.encryption.epoch).toBe(1);
  });

  it('admits no one new to a locked meeting but its hosts, and nobody once it has ended', async () => {
    const meetingId = await schedule();
    expect((await acme.call(`/v1/meetings/${meetingId}/lock`, host, { method: 'POST' })).body).toMatchObject({ locked: true });
    expect((await join(meetingId, await acme.token('frank'))).status).toBe(403);
    expect((await join(meetingId, host)).status).toBe(200);
    await acme.call(`/v1/meetings/${meetingId}/unlock`, host, { method: 'POST' });
    expect((await join(meetingId, await acme.token('frank'))).status).toBe(200);
    expect((await acme.call(`/v1/meetings/${meetingId}/end`, host, { method: 'POST' })).body).toMatchObject({ ended: true });
    expect((await join(meetingId, host)).status).toBe(409);
  });

  it('checks the passcode and limits wrong guesses per user', async () => {
    const meetingId = await schedule({ passcode: 'open-sesame' });
    const gina = await acme.token('gina');
    expect((await join(meetingId, gina)).status).toBe(403);
    expect((await join(meetingId, gina, { passcode: 'wrong-guess' })).status).toBe(403);
    expect((await join(meetingId, gina, { passcode: 'open-sesame' })).status).toBe(200);
    const henry = await acme.token('henry');
    for (let i = 0; i < 5; i++) await join(meetingId, henry, { passcode: `guess-${i}00` });
    const limited = await join(meetingId, henry, { passcode: 'open-sesame' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('refuses a cancelled meeting and a meeting of another tenant', async () => {
    const meetingId = await schedule();
    await acme.call(`/v1/meetings/${meetingId}`, host, { method: 'DELETE' });
    expect((await join(meetingId, host)).status).toBe(409);
    const other = await testTenant('fra');
    try {
      expect(
        (await other.call(`/v1/meetings/${meetingId}/join`, await other.token('ivan', ['admin']), { method: 'POST', json: {} }))
          .status,
      ).toBe(404);
    } finally {
      await other.stop();
    }
  });
});

describe('placement and failover', () => {
  it("fails over to ams when fra's LiveKit is down, for a tenant that allows ams; 503 for one that does not", async () => {
    // The fra site's own environment, with its LiveKit cluster pointed at a port where nothing answers.
    const gateway = await startGateway({ ...stack().sites.fra.env, MEETPLANE_LIVEKIT_URL: 'ws://127.0.0.1:9' });
    try {
      await untilListening(gateway);
      const via = (tenant: TestTenant, token: string, meetingId: string) =>
        fetch(`${gateway.url}/v1/meetings/${meetingId}/join`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
      const meetingId = await schedule();
      const res = await via(acme, host, meetingId);
      expect(res.status).toBe(200);
      const admitted = (await res.json()) as Admitted;
      expect(amsUrls()).toContain(admitted.media.url);
      const room = await connect(admitted);
      expect(room.isConnected).toBe(true);
      await room.disconnect();

      const homebound = await testTenant('fra');
      try {
        const hostToken = await homebound.token('jana', ['host']);
        const created = await homebound.call('/v1/meetings', hostToken, {
          method: 'POST',
          json: { title: 'Stay home', startsAt: '2026-12-01T09:00:00+01:00', durationMinutes: 30, timeZone: 'Europe/Berlin' },
        });
        const refused = await via(homebound, hostToken, (created.body as { id: string }).id);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBeTruthy();
      } finally {
        await homebound.stop();
      }
    } finally {
      await gateway.stop();
    }
  });

  it('places no new meeting on a draining cluster', async () => {
    const operator = { authorization: `Bearer ${stack().operatorToken}` };
    const drained = await api('fra', '/v1/media/clusters/fra-a/drain', { method: 'POST', headers: operator });
    expect((drained.body as { items: { id: string; status: string; endpoints: { url: string }[] }[] }).items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: 'fra-a',
          status: 'draining',
          endpoints: fraUrls().map((url) => expect.objectContaining({ url })),
        }),
      ]),
    );
    try {
      const admitted = (await join(await schedule(), host)).body as Admitted;
      expect(amsUrls()).toContain(admitted.media.url);
    } finally {
      await api('fra', '/v1/media/clusters/fra-a/undrain', { method: 'POST', headers: operator });
    }
    const admitted = (await join(await schedule(), host)).body as Admitted;
    expect(fraUrls()).toContain(admitted.media.url);
  });
});

describe('LiveKit webhooks', () => {
  const url = () => `${stack().sites.fra.apiUrl}/v1/media/livekit/webhook`;
  async function signed(body: string, secret = stack().sites.fra.livekit.apiSecret): Promise<string> {
    const token = new AccessToken(stack().sites.fra.livekit.apiKey, secret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    return token.toJwt();
  }
  const event = (room: string) =>
    JSON.stringify({ id: `EV_${Date.now()}${Math.random()}`, event: 'room_started', room: { name: room }, createdAt: '1' });

  it('refuses a bad signature and a body that does not match its hash with 401', async () => {
    const body = event('rm_00000000000000000000000000000000');
    const forged = await fetch(url(), {
      method: 'POST',
      headers: { authorization: await signed(body, 'x'.repeat(48)), 'content-type': 'application/webhook+json' },
      body,
    });
    expect(forged.status).toBe(401);
    const swapped = await fetch(url(), {
      method: 'POST',
      headers: { authorization: await signed(body), 'content-type': 'application/webhook+json' },
      body: body.replace('room_started', 'room_finished'),
    });
    expect(swapped.status).toBe(401);
    expect((await fetch(url(), { method: 'POST', body })).status).toBe(401);
  });

  it('ignores an event about a room it did not place, and stores nothing of it', async () => {
    const room = `rm_${randomBytes(16).toString('hex')}`;
    const body = event(room);
    const before = JSON.stringify((await scanRegion('fra'))[siteTableName('fra')]);
    const res = await fetch(url(), {
      method: 'POST',
      headers: { authorization: await signed(body), 'content-type': 'application/webhook+json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, ignored: true });
    const eventId = (JSON.parse(body) as { id: string }).id;
    const after = JSON.stringify((await scanRegion('fra'))[siteTableName('fra')]);
    expect(before).not.toContain(room);
    expect(after).not.toContain(room);
    expect(after).not.toContain(eventId);
  });
});
