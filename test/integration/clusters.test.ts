import { dispose, Room } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { SiteId } from '../../config/sites.js';
import { siteTableName } from '../../config/tables.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { eventually } from '../support/eventually.js';
import { roomNodes } from '../support/redis.js';
import { scanRegion } from '../support/scan.js';
import { stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Each local site runs one LiveKit cluster: two livekit-server nodes sharing a
 * Redis (LiveKit's distributed mode). The control plane places meetings on
 * clusters; LiveKit places rooms on nodes.
 */
interface Admitted {
  status: 'admitted';
  participantId: string;
  media: { url: string; token: string };
}

let acme: TestTenant; // home fra, allows ams
let homebound: TestTenant; // fra only
let acmeHost: string;
let homeHost: string;
const rooms: Room[] = [];
/** Processes this file stopped (SIGSTOP), resumed whatever happens. */
const paused = new Set<number>();

beforeAll(async () => {
  acme = await testTenant('fra', { allowedSites: ['ams'] });
  homebound = await testTenant('fra');
  acmeHost = await acme.token('hilde', ['host']);
  homeHost = await homebound.token('jana', ['host']);
});
afterAll(async () => {
  for (const pid of paused) signal(pid, 'SIGCONT');
  await Promise.all(rooms.map((r) => r.disconnect().catch(() => undefined)));
  await acme.stop();
  await homebound.stop();
  await dispose();
});

const cluster = (site: SiteId) => stack().sites[site].clusters[0]!;
const nodeUrls = (site: SiteId) => cluster(site).nodes.map((n) => n.url);
const pidOf = (name: string) => stack().processes![name]!.pid;

function signal(pid: number, sig: NodeJS.Signals): void {
  process.kill(-pid, sig);
  if (sig === 'SIGSTOP') paused.add(pid);
  if (sig === 'SIGCONT') paused.delete(pid);
}

async function schedule(tenant: TestTenant, token: string): Promise<string> {
  const res = await tenant.call('/v1/meetings', token, {
    method: 'POST',
    json: { title: 'Cluster review', startsAt: '2026-12-01T09:00:00+01:00', durationMinutes: 60, timeZone: 'Europe/Berlin' },
  });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

async function timedJoin(tenant: TestTenant, token: string, meetingId: string) {
  const began = performance.now();
  const res = await tenant.call(`/v1/meetings/${meetingId}/join`, token, { method: 'POST', json: {} });
  return { ...res, ms: performance.now() - began };
}

function roomOf(admitted: Admitted): string {
  const claims = JSON.parse(Buffer.from(admitted.media.token.split('.')[1]!, 'base64url').toString('utf8')) as {
    video: { room: string };
  };
  return claims.video.room;
}

async function connect(url: string, token: string): Promise<Room> {
  const room = new Room();
  rooms.push(room);
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  return room;
}

/** The node (LiveKit's id) that hosts a room, from the cluster's Redis. */
async function nodeOfRoom(site: SiteId, roomName: string): Promise<string | undefined> {
  return (await roomNodes(cluster(site).redis.port)).get(roomName);
}

describe("a site's LiveKit cluster", () => {
  it('spreads rooms over both nodes, and participants meet in one room whichever node they signal to', async () => {
    const nodeIds = cluster('fra').nodes.map((n) => n.nodeId);
    const placed = new Map<string, Admitted>();
    const hosting = new Set<string>();
    for (let i = 0; i < 12 && hosting.size < 2; i++) {
      const meetingId = await schedule(acme, acmeHost);
      const res = await timedJoin(acme, acmeHost, meetingId);
      expect(res.status).toBe(200);
      const admitted = res.body as Admitted;
      expect(nodeUrls('fra')).toContain(admitted.media.url);
      const node = await nodeOfRoom('fra', roomOf(admitted));
      expect(nodeIds).toContain(node);
      hosting.add(node!);
      placed.set(meetingId, admitted);
    }
    expect([...hosting].sort()).toEqual([...nodeIds].sort());

    // One meeting, two participants: one signals to each node; LiveKit relays the one whose node does not host the room.
    const [meetingId] = [...placed.keys()];
    const bobToken = await acme.token('bob', []);
    const bob = (await acme.call(`/v1/meetings/${meetingId}/join`, bobToken, { method: 'POST', json: {} })).body as Admitted;
    const [first, second] = nodeUrls('fra');
    const alicesRoom = await connect(first!, placed.get(meetingId!)!.media.token);
    const bobsRoom = await connect(second!, bob.media.token);
    expect(alicesRoom.name).toBe(bobsRoom.name);
    const toneA = await publishTone(alicesRoom, 440);
    const toneB = await publishTone(bobsRoom, 660);
    try {
      const [bobHears, aliceHears] = await Promise.all([
        listenForTone(bobsRoom, 440, 2500, placed.get(meetingId!)!.participantId),
        listenForTone(alicesRoom, 660, 2500, bob.participantId),
      ]);
      expect(bobHears.toneWindows).toBeGreaterThan(bobHears.windows / 2);
      expect(aliceHears.toneWindows).toBeGreaterThan(aliceHears.windows / 2);
    } finally {
      await toneA.stop();
      await toneB.stop();
      await alicesRoom.disconnect();
      await bobsRoom.disconnect();
    }
  });

  it('starts new meetings in fra on its other node while one fra node hangs, with no 5xx', async () => {
    const [up, hung] = cluster('fra').nodes;
    const pid = pidOf(hung!.name);
    signal(pid, 'SIGSTOP');
    try {
      // LiveKit stops choosing a node whose stats are more than 5 s old.
      await new Promise((done) => setTimeout(done, 6000));
      for (let i = 0; i < 4; i++) {
        const res = await timedJoin(homebound, homeHost, await schedule(homebound, homeHost));
        expect(res.status).toBe(200);
        const admitted = res.body as Admitted;
        expect(nodeUrls('fra')).toContain(admitted.media.url);
        expect(await nodeOfRoom('fra', roomOf(admitted))).toBe(up!.nodeId);
      }
    } finally {
      signal(pid, 'SIGCONT');
    }
  }, 60_000);
});

describe('failover when both fra nodes hang', () => {
  it('places an ams-allowing tenant in ams within 3 s, answers a fra-only tenant 503 within 3 s, and fra serves again after', async () => {
    const failingOver = await schedule(acme, acmeHost);
    const staying = await schedule(homebound, homeHost);
    const pids = cluster('fra').nodes.map((n) => pidOf(n.name));
    for (const pid of pids) signal(pid, 'SIGSTOP');
    let admitted: Admitted;
    try {
      const moved = await timedJoin(acme, acmeHost, failingOver);
      expect(moved.status).toBe(200);
      expect(moved.ms).toBeLessThan(3000);
      admitted = moved.body as Admitted;
      expect(nodeUrls('ams')).toContain(admitted.media.url);
      expect(cluster('ams').nodes.map((n) => n.nodeId)).toContain(await nodeOfRoom('ams', roomOf(admitted)));

      const refused = await timedJoin(homebound, homeHost, staying);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.ms).toBeLessThan(3000);
      // Nothing half-written: the meeting is pinned to no cluster and no room of it is indexed.
      const written = (await scanRegion('fra'))[siteTableName('fra')]!.filter((item) => JSON.stringify(item).includes(staying));
      expect(written.filter((item) => 'clusterId' in item || 'roomName' in item)).toEqual([]);
    } finally {
      for (const pid of pids) signal(pid, 'SIGCONT');
    }

    // The failed-over meeting's attendance is fra's, from the ams cluster's webhooks; ams keeps nothing of the tenant.
    const bobToken = await acme.token('bob', []);
    const bob = (await acme.call(`/v1/meetings/${failingOver}/join`, bobToken, { method: 'POST', json: {} })).body as Admitted;
    expect(nodeUrls('ams')).toContain(bob.media.url);
    const alicesRoom = await connect(admitted.media.url, admitted.media.token);
    const bobsRoom = await connect(bob.media.url, bob.media.token);
    await eventually(
      async () => alicesRoom.remoteParticipants.size,
      (n) => n === 1,
    );
    await bobsRoom.disconnect();
    await alicesRoom.disconnect();
    const attendance = await eventually(
      async () =>
        (await acme.call(`/v1/meetings/${failingOver}/attendance`, acmeHost)).body as {
          items: { participantId: string; joinedAt?: string; leftAt?: string }[];
        },
      (body) => body.items.filter((i) => i.joinedAt && i.leftAt).length >= 2,
    );
    expect(attendance.items.map((i) => i.participantId).sort()).toEqual([admitted.participantId, bob.participantId].sort());
    const amsTable = JSON.stringify((await scanRegion('ams'))[siteTableName('ams')]);
    for (const datum of [acme.tenant.id, failingOver, roomOf(admitted), admitted.participantId, bob.participantId])
      expect(amsTable).not.toContain(datum);

    // Resumed, fra takes new meetings again (its nodes answer LiveKit's registry and our probe within seconds).
    const back = await eventually(
      async () => timedJoin(homebound, homeHost, await schedule(homebound, homeHost)),
      (res) => res.status === 200,
      20_000,
    );
    expect(nodeUrls('fra')).toContain((back.body as Admitted).media.url);
  }, 90_000);
});

describe('draining a node', () => {
  it("keeps its live room running and places no new room on it (LiveKit's graceful shutdown)", async () => {
    const [other, drained] = cluster('fra').nodes;
    // A meeting whose room is on the node to drain, with two participants talking.
    let meetingId: string | undefined;
    let host: Admitted | undefined;
    for (let i = 0; i < 12 && !meetingId; i++) {
      const candidate = await schedule(acme, acmeHost);
      const admitted = (await timedJoin(acme, acmeHost, candidate)).body as Admitted;
      if ((await nodeOfRoom('fra', roomOf(admitted))) === drained!.nodeId) {
        meetingId = candidate;
        host = admitted;
      }
    }
    expect(meetingId).toBeDefined();
    const bobToken = await acme.token('bob', []);
    const bob = (await acme.call(`/v1/meetings/${meetingId}/join`, bobToken, { method: 'POST', json: {} })).body as Admitted;
    const alicesRoom = await connect(other!.url, host!.media.token);
    const bobsRoom = await connect(drained!.url, bob.media.token);

    const pid = pidOf(drained!.name);
    process.kill(-pid, 'SIGTERM');
    try {
      await new Promise((done) => setTimeout(done, 1000));
      for (let i = 0; i < 4; i++) {
        const res = await timedJoin(homebound, homeHost, await schedule(homebound, homeHost));
        expect(res.status).toBe(200);
        expect(await nodeOfRoom('fra', roomOf(res.body as Admitted))).toBe(other!.nodeId);
      }
      const tone = await publishTone(alicesRoom, 550);
      try {
        const heard = await listenForTone(bobsRoom, 550, 2000, host!.participantId);
        expect(heard.toneWindows).toBeGreaterThan(heard.windows / 2);
      } finally {
        await tone.stop();
      }
      const lk = new RoomServiceClient(other!.url, stack().sites.fra.livekit.apiKey, stack().sites.fra.livekit.apiSecret);
      expect((await lk.listRooms([roomOf(host!)])).map((r) => r.name)).toEqual([roomOf(host!)]);
    } finally {
      await alicesRoom.disconnect();
      await bobsRoom.disconnect();
    }
    // With its room empty the node finishes its shutdown; the stack starts a fresh one in its place.
    await eventually(
      async () => stack().processes![drained!.name]!.pid,
      (now) => now !== pid,
      30_000,
    );
    await eventually(
      async () => (await fetch(drained!.url.replace(/^ws/, 'http')).catch(() => undefined))?.ok === true,
      (ok) => ok,
      30_000,
    );
  }, 120_000);
});
