import { DisconnectReason, Room, RoomEvent } from '@livekit/rtc-node';
import { decodeJwt } from 'jose';
import { RoomServiceClient } from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import {
  generateDeviceIdentity,
  encryptionOptionsForKey,
  keyProviderOfRoom,
  openMediaKey,
  sealMediaKey,
  type DeviceIdentity,
} from '../../media/e2ee/index.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { stack } from '../support/stack.js';
import { liveRoomsFixture } from '../support/live-rooms.js';
import type { TestTenant } from '../support/users.js';

interface Grant {
  media: { url: string; token: string };
  encryption: { mode: string; epoch: number; keyIndex: number; key?: string };
}
interface Mine {
  state: string;
  breakout?: { id: string; name: string; scope: string };
  join: Grant;
}
interface Plan {
  state: string;
  rooms: { id: string; name: string; members: string[]; scope: string }[];
}

const live = liveRoomsFixture();
let acme: TestTenant;
let host: string;
beforeAll(() => {
  acme = live.tenant();
  host = live.host();
});

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function meetingWith(people: string[], extra: Record<string, unknown> = {}) {
  const created = await acme.call('/v1/meetings', host, {
    method: 'POST',
    json: {
      title: 'Class with breakouts',
      startsAt: '2026-12-01T09:00:00+01:00',
      durationMinutes: 90,
      timeZone: 'Europe/Berlin',
      ...extra,
    },
  });
  const meetingId = (created.body as { id: string }).id;
  const tokens = await Promise.all(people.map((p) => acme.token(p)));
  return { meetingId, tokens };
}

const seen = async (meetingId: string) =>
  new Set(
    ((await acme.call(`/v1/meetings/${meetingId}/attendance`, host)).body as { items: { participantId: string }[] }).items.map(
      (i) => i.participantId,
    ),
  );

describe('breakout rooms', () => {
  it('isolates audio per breakout, follows a move, and brings everyone back on close', async () => {
    const { meetingId, tokens } = await meetingWith(['ana', 'ben', 'cai', 'dee']);
    const hostJoin = (await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} })).body as Grant & {
      participantId: string;
    };
    const hostRoom = await live.connect(hostJoin);
    const joins = await Promise.all(
      tokens.map(
        async (t) =>
          (await acme.call(`/v1/meetings/${meetingId}/join`, t, { method: 'POST', json: {} })).body as Grant & {
            participantId: string;
          },
      ),
    );
    const [ana, ben, cai, dee] = joins.map((j) => j.participantId) as [string, string, string, string];
    const mainRooms = await Promise.all(joins.map((j) => live.connect(j)));
    await until(async () => (await seen(meetingId)).size >= 5);

    const define = (json: unknown, token = host) =>
      acme.call(`/v1/meetings/${meetingId}/breakouts`, token, { method: 'PUT', json });
    // Bad plans: each a clear 4xx and no change.
    expect(
      (
        await define({
          rooms: [
            { name: 'Red', participants: [ana] },
            { name: 'red', participants: [ben] },
          ],
        })
      ).status,
    ).toBe(409);
    expect((await define({ rooms: [{ name: 'Red', participants: [`p_${'x'.repeat(32)}`] }] })).status).toBe(400);
    expect((await define({ split: { count: 5, mode: 'even' } })).status).toBe(400);
    expect((await define({ split: { count: 2, mode: 'even' } }, tokens[0])).status).toBe(403);
    expect(((await acme.call(`/v1/meetings/${meetingId}/breakouts`, host)).body as Plan).state).toBe('none');

    const drafted = await define({
      rooms: [
        { name: 'Red', participants: [ana, ben] },
        { name: 'Blue', participants: [cai, dee] },
      ],
    });
    expect(drafted.status).toBe(200);
    const [red, blue] = (drafted.body as Plan).rooms as [Plan['rooms'][number], Plan['rooms'][number]];
    expect(
      (
        await acme.call(`/v1/meetings/${meetingId}/breakouts/move`, host, {
          method: 'POST',
          json: { participantId: cai, to: red.id },
        })
      ).status,
    ).toBe(409);
    expect((await acme.call(`/v1/meetings/${meetingId}/breakouts/open`, host, { method: 'POST' })).body).toMatchObject({
      state: 'open',
    });

    const mine = async (t: string) => (await acme.call(`/v1/meetings/${meetingId}/breakouts/mine`, t)).body as Mine;
    const placements = await Promise.all(tokens.map(mine));
    expect(placements.map((p) => p.breakout?.name)).toEqual(['Red', 'Red', 'Blue', 'Blue']);
    // A separate key chain per breakout, none of them the main room's.
    expect(placements[0]!.join.encryption.key).toBe(placements[1]!.join.encryption.key);
    expect(placements[0]!.join.encryption.key).not.toBe(placements[2]!.join.encryption.key);
    expect(placements[0]!.join.encryption.key).not.toBe(hostJoin.encryption.key);

    await Promise.all(mainRooms.map((r) => r.disconnect()));
    const [anaRoom, benRoom, caiRoom, deeRoom] = await Promise.all(placements.map((p) => live.connect(p.join)));
    expect(anaRoom!.name).not.toBe(hostRoom.name);
    expect(anaRoom!.name).toMatch(/^rm_[0-9a-f]{32}$/);

    const tone = await publishTone(anaRoom!, 440);
    try {
      const benHears = await listenForTone(benRoom!, 440, 2000, ana);
      expect(benHears.toneWindows).toBeGreaterThan(benHears.windows / 2);
      // Neither the other breakout nor the main room has Ana in it at all.
      for (const other of [caiRoom!, deeRoom!, hostRoom]) expect([...other.remoteParticipants.keys()]).not.toContain(ana);

      // Cai moves to Red: once there, Cai hears Red only.
      expect(
        (
          await acme.call(`/v1/meetings/${meetingId}/breakouts/move`, host, {
            method: 'POST',
            json: { participantId: cai, to: red.id },
          })
        ).status,
      ).toBe(200);
      const moved = await mine(tokens[2]!);
      expect(moved.breakout?.id).toBe(red.id);
      await caiRoom!.disconnect();
      const caiInRed = await live.connect(moved.join);
      const caiHears = await listenForTone(caiInRed, 440, 2000, ana);
      expect(caiHears.toneWindows).toBeGreaterThan(caiHears.windows / 2);
      expect([...deeRoom!.remoteParticipants.keys()]).not.toContain(ana);
    } finally {
      await tone.stop();
    }

    // The host visits Blue, visibly: Dee sees the host there.
    const visit = (await acme.call(`/v1/meetings/${meetingId}/breakouts/${blue.id}/visit`, host)).body as Grant;
    const hostInBlue = await live.connect(visit);
    await until(async () => [...deeRoom!.remoteParticipants.keys()].includes(hostJoin.participantId), 5000);
    await hostInBlue.disconnect();

    expect(
      (
        await acme.call(`/v1/meetings/${meetingId}/breakouts/broadcast`, host, {
          method: 'POST',
          json: { message: 'Five minutes left', countdownSeconds: 300 },
        })
      ).status,
    ).toBe(204);
    expect((await acme.call(`/v1/meetings/${meetingId}/breakouts/close`, host, { method: 'POST', json: {} })).body).toMatchObject(
      { state: 'closed' },
    );
    expect(
      (
        await acme.call(`/v1/meetings/${meetingId}/breakouts/move`, host, {
          method: 'POST',
          json: { participantId: dee, to: red.id },
        })
      ).status,
    ).toBe(409);

    // Back in the main room, everyone hears everyone.
    const back = await Promise.all(tokens.map(mine));
    expect(back.every((b) => b.breakout === undefined)).toBe(true);
    await Promise.all(
      live
        .rooms()
        .filter((r) => r !== hostRoom)
        .map((r) => r.disconnect().catch(() => undefined)),
    );
    const reunited = await Promise.all(back.map((b) => live.connect(b.join)));
    expect(new Set(reunited.map((r) => r.name))).toEqual(new Set([hostRoom.name]));
    const again = await publishTone(reunited[0]!, 660);
    try {
      const heard = await Promise.all(reunited.slice(1).map((r) => listenForTone(r, 660, 2000, ana)));
      for (const h of heard) expect(h.toneWindows).toBeGreaterThan(h.windows / 2);
    } finally {
      await again.stop();
    }
    const { url, apiKey, apiSecret } = stack().sites.fra.livekit;
    const livekit = new RoomServiceClient(url, apiKey, apiSecret);
    expect(await livekit.listRooms([anaRoom!.name!, deeRoom!.name!])).toEqual([]);

    // Attendance shows the breakout rooms too.
    const attendance = (await acme.call(`/v1/meetings/${meetingId}/attendance`, host)).body as { items: { room: string }[] };
    expect(new Set(attendance.items.map((a) => a.room))).toEqual(expect.objectContaining({ size: 3 }));
  });

  it("in an end-to-end meeting, sends breakout keys only as envelopes, each unlike the main room's", async () => {
    const { meetingId, tokens } = await meetingWith(['eli', 'fay'], { encryption: 'e2ee' });
    const register = async (token: string): Promise<DeviceIdentity> => {
      const device = await generateDeviceIdentity();
      await acme.call('/v1/devices', token, { method: 'POST', json: device.registration });
      return device;
    };
    const hostDevice = await register(host);
    const devices = await Promise.all(tokens.map(register));
    const hostJoin = (
      await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: { deviceId: hostDevice.deviceId } })
    ).body as Grant;
    const joins = await Promise.all(
      tokens.map(
        async (t, i) =>
          (await acme.call(`/v1/meetings/${meetingId}/join`, t, { method: 'POST', json: { deviceId: devices[i]!.deviceId } }))
            .body as Grant & { participantId: string },
      ),
    );
    await live.connect(hostJoin).catch(() => undefined);
    const connected = await Promise.all(joins.map((j) => live.connect(j).catch(() => undefined)));
    void connected;
    await until(async () => (await seen(meetingId)).size >= 3);

    const plan = (
      await acme.call(`/v1/meetings/${meetingId}/breakouts`, host, { method: 'PUT', json: { split: { count: 2, mode: 'even' } } })
    ).body as Plan;
    await acme.call(`/v1/meetings/${meetingId}/breakouts/open`, host, { method: 'POST' });
    const epoch = hostJoin.encryption.epoch;
    const mainKey = new Uint8Array(randomBytes(32));
    const listed = (await acme.call(`/v1/meetings/${meetingId}/devices`, host)).body as {
      epoch: number;
      items: { participantId: string; registration: DeviceIdentity['registration'] }[];
    };
    const breakoutKeys = new Map<string, Uint8Array>();
    for (const room of plan.rooms) {
      const key = new Uint8Array(randomBytes(32));
      breakoutKeys.set(room.id, key);
      const envelopes = await Promise.all(
        listed.items.map((d) =>
          sealMediaKey({
            meetingId: room.scope,
            epoch: listed.epoch,
            recipient: d.registration,
            mediaKey: key,
            sender: hostDevice,
          }),
        ),
      );
      const res = await acme.call(`/v1/meetings/${meetingId}/breakouts/${room.id}/epochs/${listed.epoch}/envelopes`, host, {
        method: 'PUT',
        json: { envelopes },
      });
      expect(res.status).toBe(204);
    }
    // A placement in an end-to-end meeting is for a device the host's client seals to: the caller's own, named.
    const mineWithout = await acme.call(`/v1/meetings/${meetingId}/breakouts/mine`, tokens[0]!);
    expect(mineWithout.status).toBe(400);
    expect(JSON.stringify(mineWithout.body)).toContain('deviceId');
    const mineWithOthers = await acme.call(
      `/v1/meetings/${meetingId}/breakouts/mine?deviceId=${devices[1]!.deviceId}`,
      tokens[0]!,
    );
    expect(mineWithOthers.status).toBe(400);
    expect(JSON.stringify(mineWithOthers.body)).toContain('deviceId');
    for (const [i, token] of tokens.entries()) {
      const mine = (await acme.call(`/v1/meetings/${meetingId}/breakouts/mine?deviceId=${devices[i]!.deviceId}`, token))
        .body as Mine;
      expect(mine.join.encryption.key).toBeUndefined();
      const res = await acme.call(
        `/v1/meetings/${meetingId}/breakouts/${mine.breakout!.id}/epochs/${listed.epoch}/envelope?deviceId=${devices[i]!.deviceId}`,
        token,
      );
      expect(res.status).toBe(200);
      const key = await openMediaKey(res.body, {
        meetingId: mine.breakout!.scope,
        epoch: listed.epoch,
        recipient: devices[i]!,
        senderRegistration: hostDevice.registration,
      });
      expect(Buffer.from(key).equals(Buffer.from(breakoutKeys.get(mine.breakout!.id)!))).toBe(true);
      expect(Buffer.from(key).equals(Buffer.from(mainKey))).toBe(false);
      // An envelope of the other breakout is not theirs to fetch.
      const other = plan.rooms.find((r) => r.id !== mine.breakout!.id)!;
      expect(
        (
          await acme.call(
            `/v1/meetings/${meetingId}/breakouts/${other.id}/epochs/${listed.epoch}/envelope?deviceId=${devices[i]!.deviceId}`,
            token,
          )
        ).status,
      ).toBe(404);
    }
    expect(epoch).toBeGreaterThanOrEqual(0);
    // A plaintext broadcast is refused in an end-to-end meeting; the host client's ciphertext goes through.
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/breakouts/broadcast`, host, { method: 'POST', json: { message: 'hello' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await acme.call(`/v1/meetings/${meetingId}/breakouts/broadcast`, host, {
          method: 'POST',
          json: { ciphertext: 'c2VhbGVkLWJ5LXRoZS1ob3N0' },
        })
      ).status,
    ).toBe(204);
  });
});

/** How long LiveKit may take to act on a host's removal, move or end: a few seconds at most. */
const WITHIN_MS = 5_000;

/** What a client sees of a room: whether (and why) it was disconnected, and the key epochs announced in it. */
function observe(room: Room) {
  let reason: DisconnectReason | undefined;
  const epochs: number[] = [];
  const gone = new Promise<DisconnectReason>((done) =>
    room.once(RoomEvent.Disconnected, (why: DisconnectReason) => {
      reason = why;
      done(why);
    }),
  );
  const announcements: Record<string, unknown>[] = [];
  room.on(RoomEvent.DataReceived, (payload: Uint8Array, _from?: unknown, _kind?: unknown, topic?: string) => {
    if (topic !== 'meetplane.epoch') return;
    const message = JSON.parse(new TextDecoder().decode(payload)) as { epoch: number };
    announcements.push(message);
    epochs.push(message.epoch);
  });
  return {
    epochs,
    announcements,
    /** Why the room was disconnected within `ms`, or 'connected' if it was not. */
    disconnected: (ms = WITHIN_MS) =>
      Promise.race([gone, new Promise<'connected'>((done) => setTimeout(() => done('connected'), ms).unref())]),
    connected: () => reason === undefined && room.isConnected,
  };
}

/**
 * Connects with a grant handed out before, as a client that was put out might
 * try: 'refused' if LiveKit refuses it, else why it was disconnected within
 * a few seconds, or 'connected'.
 */
async function comeBack(grant: Grant): Promise<DisconnectReason | 'refused' | 'connected'> {
  const room = new Room();
  const seen = observe(room);
  try {
    await room.connect(grant.media.url, grant.media.token, {
      autoSubscribe: false,
      dynacast: false,
      ...(grant.encryption.key && { encryption: encryptionOptionsForKey(Buffer.from(grant.encryption.key, 'base64')) }),
    });
  } catch {
    return 'refused';
  }
  try {
    return await seen.disconnected();
  } finally {
    await room.disconnect().catch(() => undefined);
  }
}

/** The room a grant's token is for (its `video.room` claim). */
const roomOfGrant = (grant: Grant) => (decodeJwt(grant.media.token) as { video: { room: string } }).video.room;

const present = (room: Room, identity: string) => [...room.remoteParticipants.keys()].includes(identity);

/**
 * A live meeting whose people are in the main room, seen there by LiveKit's
 * webhooks (the plan may name only those), with the host connected too.
 */
async function liveMeeting(people: string[]) {
  const { meetingId, tokens } = await meetingWith(people);
  const joinAs = async (token: string) =>
    (await acme.call(`/v1/meetings/${meetingId}/join`, token, { method: 'POST', json: {} })).body as Grant & {
      participantId: string;
    };
  const hostJoin = await joinAs(host);
  const hostRoom = await live.connect(hostJoin);
  const joins = await Promise.all(tokens.map(joinAs));
  const mainRooms = await Promise.all(joins.map((j) => live.connect(j)));
  await until(async () => (await seen(meetingId)).size >= people.length + 1);
  const call = (path: string, token = host, init?: Parameters<TestTenant['call']>[2]) =>
    acme.call(`/v1/meetings/${meetingId}${path}`, token, init);
  const post = (path: string, json?: unknown, token = host) => call(path, token, { method: 'POST', json: json ?? {} });
  const mine = (token: string) => call('/breakouts/mine', token);
  return { meetingId, tokens, ids: joins.map((j) => j.participantId), hostJoin, hostRoom, mainRooms, call, post, mine };
}

async function openRooms(meeting: Awaited<ReturnType<typeof liveMeeting>>, rooms: { name: string; participants: string[] }[]) {
  const drafted = await meeting.call('/breakouts', host, { method: 'PUT', json: { rooms } });
  expect(drafted.status).toBe(200);
  expect((await meeting.post('/breakouts/open')).status).toBe(200);
  return (drafted.body as Plan).rooms;
}

describe('a meeting is all its rooms', () => {
  it('disconnects someone removed in a breakout from it, rekeys every room, and the rest of the breakout still hear each other', async () => {
    const meeting = await liveMeeting(['gil', 'hal', 'ivy', 'jo']);
    const [gil, hal, ivy] = meeting.ids as [string, string, string, string];
    const [gilToken, halToken, ivyToken, joToken] = meeting.tokens as [string, string, string, string];
    await openRooms(meeting, [
      { name: 'Red', participants: [gil, hal, ivy] },
      { name: 'Blue', participants: [meeting.ids[3]!] },
    ]);
    const placements = (await Promise.all(meeting.tokens.map(meeting.mine))).map((r) => r.body as Mine);
    expect(placements.map((p) => p.breakout?.name)).toEqual(['Red', 'Red', 'Red', 'Blue']);
    await Promise.all(meeting.mainRooms.map((r) => r.disconnect()));
    const [gilRoom, halRoom, ivyRoom, joRoom] = (await Promise.all(placements.map((p) => live.connect(p.join)))) as [
      Room,
      Room,
      Room,
      Room,
    ];
    const [atGil, atHal, atIvy, atJo, atHost] = [gilRoom, halRoom, ivyRoom, joRoom, meeting.hostRoom].map(observe) as [
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
    ];
    await until(async () => present(halRoom, ivy) && present(gilRoom, ivy), WITHIN_MS);

    const tone = await publishTone(gilRoom, 440);
    try {
      const before = await listenForTone(halRoom, 440, 1500, gil);
      expect(before.toneWindows).toBeGreaterThan(before.windows / 2);

      const removed = await meeting.post(`/participants/${ivy}/remove`);
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ epoch: 1, removed: 1 });
      // LiveKit put Ivy out of the breakout she was in, and the others there see her go.
      expect(await atIvy.disconnected()).toBe(DisconnectReason.PARTICIPANT_REMOVED);
      await until(async () => !present(halRoom, ivy) && !present(gilRoom, ivy), WITHIN_MS);
      expect(atGil.connected() && atHal.connected() && atJo.connected() && atHost.connected()).toBe(true);

      // No next key for her, in the breakout's scope or the main room's, and no place in the plan.
      const refused = await meeting.mine(ivyToken);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).not.toMatch(/token|key/i);
      expect((await meeting.call('/key?epoch=1', ivyToken)).status).toBe(403);
      // Her token for Red is still good for connecting (LiveKit cannot revoke one): back in, she is put out again.
      expect(['refused', DisconnectReason.PARTICIPANT_REMOVED]).toContain(await comeBack(placements[2]!.join));
      expect(present(halRoom, ivy)).toBe(false);
      const plan = (await meeting.call('/breakouts')).body as Plan;
      expect(plan.rooms.flatMap((r) => r.members)).not.toContain(ivy);

      // Every room of the meeting — her breakout, the other one and the main room — heard of the new epoch.
      await until(async () => [atGil, atHal, atJo, atHost].every((o) => o.epochs.includes(1)), WITHIN_MS);
      expect(atJo.epochs).toEqual([1]);
      // The epoch only: a key never travels over the media plane.
      for (const o of [atGil, atHal, atJo, atHost]) expect(o.announcements).toEqual([{ epoch: 1, rekey: true }]);

      // Those left in Red fetch the breakout's new key, unlike the old one, switch to it and still hear each other.
      const [gilNext, halNext, joNext] = await Promise.all(
        [gilToken, halToken, joToken].map(async (t) => (await meeting.mine(t)).body as Mine),
      );
      expect(gilNext!.breakout?.name).toBe('Red');
      expect(gilNext!.join.encryption).toMatchObject({ epoch: 1, keyIndex: 1 });
      expect(halNext!.join.encryption.key).toBe(gilNext!.join.encryption.key);
      expect(gilNext!.join.encryption.key).not.toBe(placements[0]!.join.encryption.key);
      expect(joNext!.join.encryption.key).not.toBe(gilNext!.join.encryption.key);
      const nextKey = new Uint8Array(Buffer.from(gilNext!.join.encryption.key!, 'base64'));
      // rtc-node 1.1 cannot move a sender to another key index (its FrameCryptor.setKeyIndex sends no track sid, which
      // the FFI requires; docs/e2ee.md), so these clients put the new key in the slot they send and receive with. Hal first: with
      // only the new key he no longer decodes what Gil still sends under the old one.
      keyProviderOfRoom(halRoom)!.setSharedKey(nextKey, 0);
      await new Promise((done) => setTimeout(done, 700)); // what was decoded before is played out
      const between = await listenForTone(halRoom, 440, 1000, gil);
      expect(between.windows).toBeGreaterThan(0);
      expect(between.toneWindows).toBe(0);
      keyProviderOfRoom(gilRoom)!.setSharedKey(nextKey, 0);
      // Again, for a receiving cryptor that gave up after the frames it could not decode.
      keyProviderOfRoom(halRoom)!.setSharedKey(nextKey, 0);
      const after = await listenForTone(halRoom, 440, 2000, gil);
      expect(after.toneWindows).toBeGreaterThan(after.windows / 2);
    } finally {
      await tone.stop();
    }
  });

  it('disconnects a moved participant from the room they were in, and sends them to the new one', async () => {
    const meeting = await liveMeeting(['kim', 'lea', 'max', 'ned', 'oli']);
    const [kim, lea, max, ned, oli] = meeting.ids as [string, string, string, string, string];
    const [, leaToken, maxToken, nedToken, oliToken] = meeting.tokens as [string, string, string, string, string];
    const [red, blue] = (await openRooms(meeting, [
      { name: 'Red', participants: [kim, lea] },
      { name: 'Blue', participants: [max, oli] },
    ])) as [Plan['rooms'][number], Plan['rooms'][number]];
    // Kim, Lea and Max go to their breakouts; Ned, in none, stays in the main room, and so does Oli, not gone yet.
    const placements = (await Promise.all(meeting.tokens.slice(0, 3).map(meeting.mine))).map((r) => r.body as Mine);
    await Promise.all(meeting.mainRooms.slice(0, 3).map((r) => r.disconnect()));
    const [kimRoom, leaRoom, maxRoom] = (await Promise.all(placements.map((p) => live.connect(p.join)))) as [Room, Room, Room];
    const [nedMain, oliMain] = meeting.mainRooms.slice(3) as [Room, Room];
    const [atKim, atLea, atMax, atNed, atOli] = [kimRoom, leaRoom, maxRoom, nedMain, oliMain].map(observe) as [
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
    ];
    await until(async () => present(kimRoom, lea), WITHIN_MS);

    const tone = await publishTone(maxRoom, 660);
    try {
      // Lea, from Red to Blue: out of Red at once; Kim sees her go; she finds Blue and hears Max there.
      expect((await meeting.post('/breakouts/move', { participantId: lea, to: blue.id })).status).toBe(200);
      expect(await atLea.disconnected()).toBe(DisconnectReason.PARTICIPANT_REMOVED);
      await until(async () => !present(kimRoom, lea), WITHIN_MS);
      const leaNext = (await meeting.mine(leaToken)).body as Mine;
      expect(leaNext.breakout?.id).toBe(blue.id);
      const leaInBlue = await live.connect(leaNext.join);
      expect(leaInBlue.name).toBe(maxRoom.name);
      const heard = await listenForTone(leaInBlue, 660, 2000, max);
      expect(heard.toneWindows).toBeGreaterThan(heard.windows / 2);
      expect(present(kimRoom, lea)).toBe(false);
      // Her token for Red still lets her connect there (LiveKit cannot revoke one): Red is not hers now, so she is put out.
      expect(await comeBack(placements[1]!.join)).toBe(DisconnectReason.PARTICIPANT_REMOVED);
      // Kim saw her come back for a moment; she is gone again once LiveKit tells Kim's client.
      await until(async () => !present(kimRoom, lea), WITHIN_MS);
      expect(leaInBlue.isConnected && atKim.connected()).toBe(true);

      // Ned, from the main room to Red: out of the main room, and Red is his now.
      expect((await meeting.post('/breakouts/move', { participantId: ned, to: red.id })).status).toBe(200);
      expect(await atNed.disconnected()).toBe(DisconnectReason.PARTICIPANT_REMOVED);
      const nedNext = (await meeting.mine(nedToken)).body as Mine;
      expect(nedNext.breakout?.id).toBe(red.id);
      const nedInRed = await live.connect(nedNext.join);
      expect(nedInRed.name).toBe(kimRoom.name);
      await until(async () => present(kimRoom, ned), WITHIN_MS);

      // Oli, placed in Blue but still in the main room, moved to Red: out of the main room too, so his client asks again.
      expect((await meeting.post('/breakouts/move', { participantId: oli, to: red.id })).status).toBe(200);
      expect(await atOli.disconnected()).toBe(DisconnectReason.PARTICIPANT_REMOVED);
      expect(((await meeting.mine(oliToken)).body as Mine).breakout?.id).toBe(red.id);

      // Nobody else was disturbed.
      expect(atKim.connected() && atMax.connected()).toBe(true);
      expect(((await meeting.mine(maxToken)).body as Mine).breakout?.id).toBe(blue.id);
    } finally {
      await tone.stop();
    }
  });

  it('closes every breakout room with the main room when the meeting ends', async () => {
    const meeting = await liveMeeting(['olga', 'pia', 'quinn']);
    const [olga, pia] = meeting.ids as [string, string, string];
    await openRooms(meeting, [
      { name: 'Red', participants: [olga] },
      { name: 'Blue', participants: [pia] },
    ]);
    const placements = (await Promise.all(meeting.tokens.slice(0, 2).map(meeting.mine))).map((r) => r.body as Mine);
    await Promise.all(meeting.mainRooms.slice(0, 2).map((r) => r.disconnect()));
    const breakoutRooms = await Promise.all(placements.map((p) => live.connect(p.join)));
    // Quinn stays in the main room with the host.
    const everyone = [...breakoutRooms, meeting.mainRooms[2]!, meeting.hostRoom];
    const observed = everyone.map(observe);
    const names = [...new Set(everyone.map((r) => r.name!))];
    expect(names).toHaveLength(3);
    const { url, apiKey, apiSecret } = stack().sites.fra.livekit;
    const livekit = new RoomServiceClient(url, apiKey, apiSecret);
    expect((await livekit.listRooms(names)).map((r) => r.name).sort()).toEqual([...names].sort());

    expect((await meeting.post('/end')).body).toMatchObject({ ended: true });
    const reasons = await Promise.all(observed.map((o) => o.disconnected()));
    expect(reasons).toEqual(everyone.map(() => DisconnectReason.ROOM_DELETED));
    expect(await livekit.listRooms(names)).toEqual([]);
    // Nobody gets back in, to a breakout or the main room.
    for (const token of meeting.tokens) expect((await meeting.mine(token)).status).toBe(409);
    expect(((await meeting.call('/breakouts')).body as Plan).state).toBe('closed');
  });

  it('creates a breakout room again when LiveKit closed it after everyone left, for a return, a move and a visit', async () => {
    const meeting = await liveMeeting(['uma', 'vic', 'wes']);
    const [uma, vic, wes] = meeting.ids as [string, string, string];
    const [umaToken, vicToken, wesToken] = meeting.tokens as [string, string, string];
    const [red, blue] = (await openRooms(meeting, [
      { name: 'Red', participants: [uma] },
      { name: 'Blue', participants: [vic] },
    ])) as [Plan['rooms'][number], Plan['rooms'][number]];
    const first = (await meeting.mine(umaToken)).body as Mine;
    await meeting.mainRooms[0]!.disconnect();
    const umaRoom = await live.connect(first.join);
    const redRoom = umaRoom.name!;
    await umaRoom.disconnect();
    // LiveKit closes a room its last participant left once the departure timeout passes; here it is closed at once,
    // and Blue, which nobody entered, too (as its empty timeout would).
    const { url, apiKey, apiSecret } = stack().sites.fra.livekit;
    const livekit = new RoomServiceClient(url, apiKey, apiSecret);
    const blueRoom = roomOfGrant(((await meeting.mine(vicToken)).body as Mine).join);
    await Promise.all([redRoom, blueRoom].map((name) => livekit.deleteRoom(name)));
    expect(await livekit.listRooms([redRoom, blueRoom])).toEqual([]);

    // A message to the breakouts, or a removal's new epoch, finds nobody in the closed rooms, and that is no error.
    expect((await meeting.post('/breakouts/broadcast', { message: 'Anyone there?' })).status).toBe(204);
    expect((await meeting.post(`/participants/${vic}/remove`)).status).toBe(200);

    // Uma returns to Red: the room is there again, the same one, and her new token connects.
    const again = (await meeting.mine(umaToken)).body as Mine;
    expect(again.breakout?.id).toBe(red.id);
    expect((await livekit.listRooms([redRoom])).map((r) => r.name)).toEqual([redRoom]);
    const umaBack = await live.connect(again.join);
    expect(umaBack.name).toBe(redRoom);
    const atUma = observe(umaBack);

    // Wes, moved in from the main room, joins her there.
    expect((await meeting.post('/breakouts/move', { participantId: wes, to: red.id })).status).toBe(200);
    const wesNext = (await meeting.mine(wesToken)).body as Mine;
    const wesInRed = await live.connect(wesNext.join);
    expect(wesInRed.name).toBe(redRoom);
    await until(async () => present(umaBack, wes), WITHIN_MS);

    // The host visits Blue, closed too: it is created again, and the visit (not an assignment) keeps them in.
    const visit = await meeting.call(`/breakouts/${blue.id}/visit`);
    expect(visit.status).toBe(200);
    const hostInBlue = await live.connect(visit.body as Grant);
    expect(hostInBlue.name).toBe(blueRoom);
    expect(await observe(hostInBlue).disconnected(3_000)).toBe('connected');
    expect(atUma.connected()).toBe(true);
  });

  it('in an end-to-end meeting, starts a new epoch when someone leaves a breakout, told there and to the host alone', async () => {
    const { meetingId, tokens } = await meetingWith(['xia', 'yan', 'zoe', 'abe'], { encryption: 'e2ee' });
    const call = (path: string, token = host, init?: Parameters<TestTenant['call']>[2]) =>
      acme.call(`/v1/meetings/${meetingId}${path}`, token, init);
    const joinWithDevice = async (token: string) => {
      const device = await generateDeviceIdentity();
      expect((await acme.call('/v1/devices', token, { method: 'POST', json: device.registration })).status).toBe(201);
      const joined = (await call('/join', token, { method: 'POST', json: { deviceId: device.deviceId } })).body as Grant & {
        participantId: string;
      };
      return { ...joined, deviceId: device.deviceId };
    };
    const hostJoin = await joinWithDevice(host);
    const hostRoom = await live.connect(hostJoin);
    const joins = await Promise.all(tokens.map(joinWithDevice));
    const [xia, yan, zoe] = joins.map((j) => j.participantId) as [string, string, string, string];
    const mainRooms = await Promise.all(joins.map((j) => live.connect(j)));
    await until(async () => (await seen(meetingId)).size >= 5);
    const drafted = await call('/breakouts', host, {
      method: 'PUT',
      json: {
        rooms: [
          { name: 'Red', participants: [xia, yan] },
          { name: 'Blue', participants: [zoe] },
        ],
      },
    });
    const [red, blue] = (drafted.body as Plan).rooms as [Plan['rooms'][number], Plan['rooms'][number]];
    expect((await call('/breakouts/open', host, { method: 'POST' })).status).toBe(200);
    const atHost = observe(hostRoom);
    const atAbe = observe(mainRooms[3]!);

    // Xia, Yan and Zoe go to their breakouts (connected there before they leave the main room, as clients should).
    const placements = await Promise.all(
      tokens
        .slice(0, 3)
        .map(async (t, i) => ((await call(`/breakouts/mine?deviceId=${joins[i]!.deviceId}`, t)).body as Mine).join),
    );
    const [xiaRoom, yanRoom, zoeRoom] = (await Promise.all(placements.map((g) => live.connect(g)))) as [Room, Room, Room];
    const [atYan, atZoe] = [yanRoom, zoeRoom].map(observe) as [ReturnType<typeof observe>, ReturnType<typeof observe>];
    await Promise.all(mainRooms.slice(0, 3).map((r) => r.disconnect()));
    // Each leave of the main room starts an epoch there, as ever: three of them.
    await until(async () => atHost.epochs.includes(3), WITHIN_MS * 2);
    expect(atHost.announcements.every((a) => !('breakoutId' in a))).toBe(true);

    // The host visits Blue, visibly (Zoe sees the host marked as such), and leaves: a visit is no member's leave.
    const visit = (await call(`/breakouts/${blue.id}/visit`)).body as Grant;
    const hostInBlue = await live.connect(visit);
    await until(async () => present(zoeRoom, hostJoin.participantId), WITHIN_MS);
    expect(zoeRoom.remoteParticipants.get(hostJoin.participantId)!.attributes).toMatchObject({ 'meetplane.role': 'host' });
    await hostInBlue.disconnect();
    await until(async () => !present(zoeRoom, hostJoin.participantId), WITHIN_MS);
    await new Promise((done) => setTimeout(done, 1_500));

    // Xia leaves Red: a new epoch, announced in Red to whoever is left, and in the main room to the host only, naming Red.
    await xiaRoom.disconnect();
    await until(async () => atYan.epochs.includes(4) && atHost.epochs.includes(4), WITHIN_MS);
    expect(atYan.announcements).toEqual([{ epoch: 4, rekey: true }]);
    expect(atHost.announcements.at(-1)).toEqual({ epoch: 4, rekey: true, breakoutId: red.id });
    expect(((await call('/devices')).body as { epoch: number }).epoch).toBe(4);
    // Nobody else in the main room hears of it, nor anyone in Blue.
    expect(atAbe.epochs).not.toContain(4);
    expect(atZoe.epochs).toEqual([]);

    // The host's client, sealing Red's new key, is given Yan's device and no longer Xia's (she left every room).
    const hostDevices = (await call('/devices')).body as {
      items: { participantId: string; registration: DeviceIdentity['registration'] }[];
    };
    expect(hostDevices.items.map((d) => d.participantId)).not.toContain(xia);
    expect(hostDevices.items.map((d) => d.participantId)).toContain(yan);

    // Xia asks where to be, naming her device: Red again, and her device is bound again, so the host's client seals
    // Red's key to it.
    const back = await call(`/breakouts/mine?deviceId=${joins[0]!.deviceId}`, tokens[0]!);
    expect(back.status).toBe(200);
    expect((back.body as Mine).breakout?.id).toBe(red.id);
    const relisted = (await call('/devices')).body as { items: { participantId: string; registration: { deviceId: string } }[] };
    expect(relisted.items.find((d) => d.participantId === xia)?.registration.deviceId).toBe(joins[0]!.deviceId);
  });

  it('keeps every breakout within reach when LiveKit closes the main room everyone left', async () => {
    const meeting = await liveMeeting(['rex', 'sue', 'tom']);
    const [rex, sue, tom] = meeting.ids as [string, string, string];
    const [, sueToken, tomToken] = meeting.tokens as [string, string, string];
    const [, blue] = (await openRooms(meeting, [
      { name: 'Red', participants: [rex, sue] },
      { name: 'Blue', participants: [tom] },
    ])) as [Plan['rooms'][number], Plan['rooms'][number]];
    const placements = (await Promise.all(meeting.tokens.map(meeting.mine))).map((r) => r.body as Mine);
    await Promise.all([...meeting.mainRooms, meeting.hostRoom].map((r) => r.disconnect()));
    const [rexRoom, sueRoom, tomRoom] = (await Promise.all(placements.map((p) => live.connect(p.join)))) as [Room, Room, Room];
    const [atRex, atSue, atTom] = [rexRoom, sueRoom, tomRoom].map(observe) as [
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
      ReturnType<typeof observe>,
    ];
    await until(async () => present(rexRoom, sue), WITHIN_MS);
    // LiveKit closes a room its last participant left once the departure timeout passes; here it is closed at once.
    const { url, apiKey, apiSecret } = stack().sites.fra.livekit;
    const livekit = new RoomServiceClient(url, apiKey, apiSecret);
    await livekit.deleteRoom(meeting.hostRoom.name!);
    // Its webhook unpins the main room (unlocking, a no-op here, answers the live state: no site without a room).
    await until(async () => ((await meeting.post('/unlock')).body as { site?: string }).site === undefined, WITHIN_MS);

    // The breakouts go on: grants for them, a removal and the end still reach them.
    expect(((await meeting.mine(tomToken)).body as Mine).breakout?.id).toBe(blue.id);
    expect((await meeting.post(`/participants/${sue}/remove`)).status).toBe(200);
    expect(await atSue.disconnected()).toBe(DisconnectReason.PARTICIPANT_REMOVED);
    await until(async () => !present(rexRoom, sue), WITHIN_MS);
    expect((await meeting.mine(sueToken)).status).toBe(403);
    expect((await meeting.post('/end')).status).toBe(200);
    expect(await Promise.all([atRex, atTom].map((o) => o.disconnected()))).toEqual([
      DisconnectReason.ROOM_DELETED,
      DisconnectReason.ROOM_DELETED,
    ]);
    expect(await livekit.listRooms([rexRoom.name!, tomRoom.name!])).toEqual([]);
  });
});

describe("breakouts by participants' choice", () => {
  it('offers the rooms to each participant, takes them where they choose, and refuses a choice where the host assigns', async () => {
    const { meetingId, tokens } = await meetingWith(['fay', 'gus']);
    const join = async (t: string) =>
      (await acme.call(`/v1/meetings/${meetingId}/join`, t, { method: 'POST', json: {} })).body as Grant & {
        participantId: string;
      };
    const joins = [await join(host), ...(await Promise.all(tokens.map(join)))];
    const fay = joins[1];
    // In the meeting once LiveKit says so: the split counts who is there.
    const rooms0 = await Promise.all(joins.map((j) => live.connect(j)));
    await until(async () => (await seen(meetingId)).size >= 3);
    const mine = async (t: string) =>
      (await acme.call(`/v1/meetings/${meetingId}/breakouts/mine`, t)).body as Mine & {
        choices?: { id: string; name: string }[];
      };
    const choose = (t: string, to: string) =>
      acme.call(`/v1/meetings/${meetingId}/breakouts/choose`, t, { method: 'POST', json: { to } });

    const drafted = await acme.call(`/v1/meetings/${meetingId}/breakouts`, host, {
      method: 'PUT',
      json: { split: { count: 2, mode: 'choice' } },
    });
    expect(drafted.status).toBe(200);
    const rooms = (drafted.body as Plan).rooms;
    expect(rooms.every((r) => r.members.length === 0)).toBe(true);
    // A draft offers nothing yet.
    expect((await mine(tokens[0]!)).choices).toBeUndefined();
    await acme.call(`/v1/meetings/${meetingId}/breakouts/open`, host, { method: 'POST' });

    const offered = await mine(tokens[0]!);
    expect(offered.breakout).toBeUndefined();
    expect(offered.choices).toEqual(rooms.map(({ id, name }) => ({ id, name })));
    expect((await choose(tokens[0]!, rooms[1]!.id)).status).toBe(204);
    const placed = await mine(tokens[0]!);
    expect(placed.breakout?.id).toBe(rooms[1]!.id);
    expect(placed.join.media.token).toBeTruthy();
    // Changing one's mind is a choice too; the other participant stays unplaced.
    expect((await choose(tokens[0]!, rooms[0]!.id)).status).toBe(204);
    expect((await mine(tokens[0]!)).breakout?.id).toBe(rooms[0]!.id);
    expect((await mine(tokens[1]!)).breakout).toBeUndefined();
    expect(
      ((await acme.call(`/v1/meetings/${meetingId}/breakouts`, host)).body as Plan).rooms.find((r) => r.id === rooms[0]!.id)!
        .members,
    ).toEqual([fay!.participantId]);
    const unknown = await choose(tokens[1]!, 'br_000000000000');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('to');

    // Where the host assigns the rooms, nobody is offered a choice and a choice is a conflict.
    await acme.call(`/v1/meetings/${meetingId}/breakouts/close`, host, { method: 'POST', json: {} });
    await until(async () => (await mine(tokens[0]!)).breakout === undefined);
    const assigned = await acme.call(`/v1/meetings/${meetingId}/breakouts`, host, {
      method: 'PUT',
      json: { split: { count: 2, mode: 'even' } },
    });
    expect(assigned.status).toBe(200);
    await acme.call(`/v1/meetings/${meetingId}/breakouts/open`, host, { method: 'POST' });
    expect((await mine(tokens[1]!)).choices).toBeUndefined();
    expect((await choose(tokens[1]!, (assigned.body as Plan).rooms[0]!.id)).status).toBe(409);
    await Promise.all(rooms0.map((r) => r.disconnect()));
  });
});
