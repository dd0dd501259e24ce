import { RoomServiceClient } from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import { generateDeviceIdentity, openMediaKey, sealMediaKey, type DeviceIdentity } from '../../media/e2ee/index.js';
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
    for (const [i, token] of tokens.entries()) {
      const mine = (await acme.call(`/v1/meetings/${meetingId}/breakouts/mine`, token)).body as Mine;
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
