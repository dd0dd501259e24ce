import { DecryptCommand } from '@aws-sdk/client-kms';
import { RoomServiceClient } from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  generateDeviceIdentity,
  openMediaKey,
  sealMediaKey,
  verifyDeviceRegistration,
  type DeviceIdentity,
} from '../../media/e2ee/index.js';
import { RUN_DIR } from '../../scripts/local-stack/layout.js';
import { listenForTone, publishTone } from '../support/audio.js';
import { scanRegion, searchableText } from '../support/scan.js';
import { kmsOf, stack } from '../support/stack.js';
import { liveRoomsFixture } from '../support/live-rooms.js';
import { testTenant, type TestTenant } from '../support/users.js';

interface Admitted {
  status: 'admitted';
  participantId: string;
  media: { url: string; token: string };
  encryption: { mode: string; epoch: number; keyIndex: number; key?: string };
}

const live = liveRoomsFixture();
let acme: TestTenant;
let host: string;
beforeAll(() => {
  acme = live.tenant();
  host = live.host();
});

async function schedule(tenant: TestTenant, token: string, extra: Record<string, unknown> = {}) {
  return tenant.call('/v1/meetings', token, {
    method: 'POST',
    json: {
      title: 'Encrypted seminar',
      startsAt: '2026-12-01T09:00:00+01:00',
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      ...extra,
    },
  });
}

async function newMeeting(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await schedule(acme, host, extra);
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

const join = async (meetingId: string, token: string, body: Record<string, unknown> = {}) =>
  (await acme.call(`/v1/meetings/${meetingId}/join`, token, { method: 'POST', json: body })).body as Admitted;

describe('standard mode: KMS-made keys, frames the SFU cannot read', () => {
  it('lets participants with the key from their join hear each other, and not one with another key', async () => {
    const meetingId = await newMeeting();
    const a = await join(meetingId, host);
    const b = await join(meetingId, await acme.token('bob'));
    const c = await join(meetingId, await acme.token('carl'));
    expect(a.encryption).toMatchObject({ mode: 'standard', epoch: 0, keyIndex: 0 });
    const key = Buffer.from(a.encryption.key!, 'base64');
    expect(key).toHaveLength(32);
    expect(b.encryption.key).toBe(a.encryption.key);

    const publisher = await live.connect(a, key);
    const listener = await live.connect(b, Buffer.from(b.encryption.key!, 'base64'));
    const outsider = await live.connect(c, randomBytes(32));
    const tone = await publishTone(publisher, 440);
    try {
      const [heard, garbled] = await Promise.all([
        listenForTone(listener, 440, 3000, a.participantId),
        listenForTone(outsider, 440, 3000, a.participantId),
      ]);
      expect(heard.toneWindows).toBeGreaterThan(heard.windows / 2);
      // The SFU forwarded the frames to the outsider too; without the key they are noise or nothing.
      expect(garbled.toneWindows).toBe(0);
    } finally {
      await tone.stop();
    }

    // Only the wrapped key is stored, and KMS refuses it under another meeting's context.
    const site = await scanRegion('fra');
    const text = searchableText(site);
    expect(text).not.toContain(a.encryption.key);
    expect(text).not.toContain(key.toString('hex'));
    const wrappedItem = Object.values(site)
      .flat()
      .find((item) => item.sk === `MKEY#${meetingId}#000000`)!;
    const context = { tenantId: acme.tenant.id, meetingId, epoch: '0', purpose: 'media' };
    const kms = kmsOf('fra');
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: wrappedItem.wrapped as Uint8Array, EncryptionContext: context }),
    );
    expect(Buffer.from(opened.Plaintext!).equals(key)).toBe(true);
    await expect(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: wrappedItem.wrapped as Uint8Array,
          EncryptionContext: { ...context, meetingId: 'mt_000000000000000000000000' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('starts a new epoch on removal: the others fetch its key, the removed participant cannot', async () => {
    const meetingId = await newMeeting();
    const dora = await acme.token('dora');
    const eve = await acme.token('eve');
    const first = await join(meetingId, dora);
    await join(meetingId, eve);
    await acme.call(`/v1/meetings/${meetingId}/participants/${first.participantId}/remove`, host, { method: 'POST' });
    const forDora = await acme.call(`/v1/meetings/${meetingId}/key?epoch=1`, dora);
    expect(forDora.status).toBe(403);
    const forEve = await acme.call(`/v1/meetings/${meetingId}/key?epoch=1`, eve);
    expect(forEve.status).toBe(200);
    const epochOne = forEve.body as { epoch: number; keyIndex: number; key: string };
    expect(epochOne).toMatchObject({ epoch: 1, keyIndex: 1 });
    expect(epochOne.key).not.toBe(first.encryption.key);
    expect((await acme.call(`/v1/meetings/${meetingId}/key?epoch=2`, eve)).status).toBe(404);
  });
});

describe('end-to-end mode', () => {
  async function registered(token: string): Promise<DeviceIdentity> {
    const device = await generateDeviceIdentity();
    const res = await acme.call('/v1/devices', token, { method: 'POST', json: device.registration });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return device;
  }

  it('carries the key only in envelopes the host made; the control plane, its logs and LiveKit never see it', async () => {
    const meetingId = await newMeeting({ encryption: 'e2ee' });
    const bob = await acme.token('bob');
    const hostDevice = await registered(host);
    const bobDevice = await registered(bob);
    const a = await join(meetingId, host, { deviceId: hostDevice.deviceId });
    const b = await join(meetingId, bob, { deviceId: bobDevice.deviceId });
    expect(a.encryption).toEqual({ mode: 'e2ee', epoch: 0, keyIndex: 0 });
    expect(b.encryption.key).toBeUndefined();

    // The host's client lists the devices, makes the key and seals it to each.
    const devices = (await acme.call(`/v1/meetings/${meetingId}/devices`, host)).body as {
      epoch: number;
      items: { registration: DeviceIdentity['registration'] }[];
    };
    expect(devices.items.map((d) => d.registration.deviceId).sort()).toEqual([hostDevice.deviceId, bobDevice.deviceId].sort());
    const mediaKey = new Uint8Array(randomBytes(32));
    const envelopes = await Promise.all(
      devices.items.map((d) => sealMediaKey({ meetingId, epoch: 0, recipient: d.registration, mediaKey, sender: hostDevice })),
    );
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelopes`, bob, { method: 'PUT', json: { envelopes } })).status,
    ).toBe(403);
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelopes`, host, { method: 'PUT', json: { envelopes } })).status,
    ).toBe(204);

    // Bob fetches only his own envelope and opens it; he cannot fetch the host's.
    const own = await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${bobDevice.deviceId}`, bob);
    expect(own.status).toBe(200);
    const opened = await openMediaKey(own.body, {
      meetingId,
      epoch: 0,
      recipient: bobDevice,
      senderRegistration: hostDevice.registration,
    });
    expect(Buffer.from(opened).equals(Buffer.from(mediaKey))).toBe(true);
    expect((await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${hostDevice.deviceId}`, bob)).status).toBe(
      404,
    );
    // A standard-mode key is never handed out for it.
    expect((await acme.call(`/v1/meetings/${meetingId}/key?epoch=0`, bob)).status).toBe(409);

    const publisher = await live.connect(a, mediaKey);
    const listener = await live.connect(b, opened);
    const tone = await publishTone(publisher, 440);
    try {
      const heard = await listenForTone(listener, 440, 3000, a.participantId);
      expect(heard.toneWindows).toBeGreaterThan(heard.windows / 2);
    } finally {
      await tone.stop();
    }

    const needles = [
      Buffer.from(mediaKey).toString('base64'),
      Buffer.from(mediaKey).toString('base64url'),
      Buffer.from(mediaKey).toString('hex'),
    ];
    const stored = searchableText(await scanRegion('fra'));
    const logs = readFileSync(resolve(RUN_DIR, 'logs/gateway-fra.log'), 'utf8');
    const { url, apiKey, apiSecret } = stack().sites.fra.livekit;
    const livekit = new RoomServiceClient(url, apiKey, apiSecret);
    const liveRooms = await livekit.listRooms([publisher.name!]);
    const participants = await livekit.listParticipants(publisher.name!);
    const mediaPlane = JSON.stringify({
      rooms: liveRooms.map((r) => ({ name: r.name, metadata: r.metadata })),
      participants: participants.map((p) => ({
        identity: p.identity,
        name: p.name,
        metadata: p.metadata,
        attributes: p.attributes,
      })),
    });
    for (const needle of needles) {
      expect(stored).not.toContain(needle);
      expect(logs).not.toContain(needle);
      expect(mediaPlane).not.toContain(needle);
    }

    // Bob leaves: LiveKit's webhook starts a new epoch, so the host's client seals a new key to those who remain.
    await listener.disconnect();
    let epoch = 0;
    for (let tries = 0; tries < 60 && epoch === 0; tries++) {
      await new Promise((done) => setTimeout(done, 250));
      epoch = ((await acme.call(`/v1/meetings/${meetingId}/devices`, host)).body as { epoch: number }).epoch;
    }
    expect(epoch).toBe(1);
  });

  it('gives a removed participant no envelope of the new epoch, while the others get theirs', async () => {
    const meetingId = await newMeeting({ encryption: 'e2ee' });
    const [gus, hana] = await Promise.all([acme.token('gus'), acme.token('hana')]);
    const [hostDevice, gusDevice, hanaDevice] = await Promise.all([registered(host), registered(gus), registered(hana)]);
    await join(meetingId, host, { deviceId: hostDevice.deviceId });
    const removedOne = await join(meetingId, gus, { deviceId: gusDevice.deviceId });
    await join(meetingId, hana, { deviceId: hanaDevice.deviceId });
    const removal = await acme.call(`/v1/meetings/${meetingId}/participants/${removedOne.participantId}/remove`, host, {
      method: 'POST',
    });
    expect(removal.body).toMatchObject({ epoch: 1 });

    const devices = (await acme.call(`/v1/meetings/${meetingId}/devices`, host)).body as {
      epoch: number;
      items: { registration: DeviceIdentity['registration'] }[];
    };
    expect(devices.epoch).toBe(1);
    expect(devices.items.map((d) => d.registration.deviceId)).not.toContain(gusDevice.deviceId);
    const mediaKey = new Uint8Array(randomBytes(32));
    const envelopes = await Promise.all(
      devices.items.map((d) => sealMediaKey({ meetingId, epoch: 1, recipient: d.registration, mediaKey, sender: hostDevice })),
    );
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/epochs/1/envelopes`, host, { method: 'PUT', json: { envelopes } })).status,
    ).toBe(204);
    // Sealing to the removed device is refused too.
    const toRemoved = await sealMediaKey({
      meetingId,
      epoch: 1,
      recipient: gusDevice.registration,
      mediaKey,
      sender: hostDevice,
    });
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/epochs/1/envelopes`, host, { method: 'PUT', json: { envelopes: [toRemoved] } }))
        .status,
    ).toBe(400);

    expect((await acme.call(`/v1/meetings/${meetingId}/epochs/1/envelope?deviceId=${gusDevice.deviceId}`, gus)).status).toBe(403);
    const hanas = await acme.call(`/v1/meetings/${meetingId}/epochs/1/envelope?deviceId=${hanaDevice.deviceId}`, hana);
    expect(hanas.status).toBe(200);
    const opened = await openMediaKey(hanas.body, {
      meetingId,
      epoch: 1,
      recipient: hanaDevice,
      senderRegistration: hostDevice.registration,
    });
    expect(Buffer.from(opened).equals(Buffer.from(mediaKey))).toBe(true);
    // Epoch 0 was never sealed to Hana and never will be: the answer names the epoch to ask for instead.
    const over = await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${hanaDevice.deviceId}`, hana);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ currentEpoch: 1 });
  });

  interface DeviceList {
    epoch: number;
    items: { participantId: string; registration: DeviceIdentity['registration'] }[];
  }
  const deviceList = async (meetingId: string, token = host) =>
    (await acme.call(`/v1/meetings/${meetingId}/devices`, token)).body as DeviceList;
  const listedIds = (list: DeviceList) => list.items.map((d) => d.registration.deviceId).sort();

  it("unbinds a participant's device when they leave: not listed, no envelope of the next epoch, none accepted for them; a rejoin binds it again", async () => {
    const meetingId = await newMeeting({ encryption: 'e2ee' });
    const ivy = await acme.token('ivy');
    const [hostDevice, ivyDevice] = await Promise.all([registered(host), registered(ivy)]);
    const hostJoin = await join(meetingId, host, { deviceId: hostDevice.deviceId });
    const ivyJoin = await join(meetingId, ivy, { deviceId: ivyDevice.deviceId });
    expect(listedIds(await deviceList(meetingId))).toEqual([hostDevice.deviceId, ivyDevice.deviceId].sort());
    await live.connect(hostJoin);
    const ivyRoom = await live.connect(ivyJoin);

    // Ivy disconnects; LiveKit's participant_left webhook unbinds her device and starts a new epoch.
    await ivyRoom.disconnect();
    let list = await deviceList(meetingId);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      if (!listedIds(list).includes(ivyDevice.deviceId) && list.epoch > 0) break;
      await new Promise((done) => setTimeout(done, 250));
      list = await deviceList(meetingId);
    }
    expect(listedIds(list)).toEqual([hostDevice.deviceId]);
    expect(list.epoch).toBeGreaterThan(0);

    const mediaKey = new Uint8Array(randomBytes(32));
    const seal = (recipient: DeviceIdentity['registration']) =>
      sealMediaKey({ meetingId, epoch: list.epoch, recipient, mediaKey, sender: hostDevice });
    const upload = async (envelopes: unknown[]) =>
      acme.call(`/v1/meetings/${meetingId}/epochs/${list.epoch}/envelopes`, host, { method: 'PUT', json: { envelopes } });
    // The host's upload of an envelope for her device is refused, naming it; nothing of it is stored.
    const refused = await upload([await seal(hostDevice.registration), await seal(ivyDevice.registration)]);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errors: [expect.objectContaining({ field: 'envelopes.1.recipientDeviceId' })] });
    expect((await upload([await seal(hostDevice.registration)])).status).toBe(204);
    const fetchIvys = () =>
      acme.call(`/v1/meetings/${meetingId}/epochs/${list.epoch}/envelope?deviceId=${ivyDevice.deviceId}`, ivy);
    expect((await fetchIvys()).status).toBe(404);
    // Nor does anyone get her device's registration from the meeting any more.
    expect((await acme.call(`/v1/meetings/${meetingId}/devices/${ivyDevice.deviceId}/registration`, host)).status).toBe(404);

    // She comes back through join: bound again, and sealed to again.
    expect((await join(meetingId, ivy, { deviceId: ivyDevice.deviceId })).status).toBe('admitted');
    expect(listedIds(await deviceList(meetingId))).toContain(ivyDevice.deviceId);
    expect((await upload([await seal(ivyDevice.registration)])).status).toBe(204);
    expect((await fetchIvys()).status).toBe(200);
  });

  it('refuses a second registration of a device id that is taken, by anyone, and changes nothing', async () => {
    const [kim, leo] = await Promise.all([acme.token('kim'), acme.token('leo')]);
    const kimDevice = await registered(kim);
    const register = (token: string, registration: unknown) =>
      acme.call('/v1/devices', token, { method: 'POST', json: registration });
    // The same registration again by its owner refreshes it.
    expect((await register(kim, kimDevice.registration)).status).toBe(201);
    // Someone else presenting her registration, or their own keys under her id, is refused.
    const copied = await register(leo, kimDevice.registration);
    expect(copied.status).toBe(409);
    expect(copied.body).toMatchObject({ errors: [expect.objectContaining({ field: 'deviceId' })] });
    const leoUnderKimsId = await generateDeviceIdentity({ deviceId: kimDevice.deviceId });
    expect((await register(leo, leoUnderKimsId.registration)).status).toBe(409);
    // So is Kim swapping the keys under the same id.
    const kimNewKeys = await generateDeviceIdentity({ deviceId: kimDevice.deviceId });
    expect((await register(kim, kimNewKeys.registration)).status).toBe(409);

    // Nothing changed: the id is still Kim's, with her first keys.
    const meetingId = await newMeeting({ encryption: 'e2ee' });
    const leoJoin = await acme.call(`/v1/meetings/${meetingId}/join`, leo, {
      method: 'POST',
      json: { deviceId: kimDevice.deviceId },
    });
    expect(leoJoin.status).toBe(400);
    expect(leoJoin.body).toMatchObject({ errors: [expect.objectContaining({ field: 'deviceId' })] });
    await join(meetingId, kim, { deviceId: kimDevice.deviceId });
    expect((await deviceList(meetingId)).items.find((d) => d.registration.deviceId === kimDevice.deviceId)?.registration).toEqual(
      kimDevice.registration,
    );
  });

  it("refuses a tenant admin who is not the meeting's host listing devices and uploading envelopes; their moderation stays", async () => {
    const meetingId = await newMeeting({ encryption: 'e2ee' });
    const ada = await acme.token('ada', ['admin', 'host']);
    const [hostDevice, adaDevice] = await Promise.all([registered(host), registered(ada)]);
    await join(meetingId, host, { deviceId: hostDevice.deviceId });
    expect((await join(meetingId, ada, { deviceId: adaDevice.deviceId })).status).toBe('admitted');
    expect((await acme.call(`/v1/meetings/${meetingId}/devices`, ada)).status).toBe(403);
    const envelopes = await Promise.all(
      [hostDevice, adaDevice].map((d) =>
        sealMediaKey({ meetingId, epoch: 0, recipient: d.registration, mediaKey: new Uint8Array(32), sender: adaDevice }),
      ),
    );
    const upload = await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelopes`, ada, { method: 'PUT', json: { envelopes } });
    expect(upload.status).toBe(403);
    const breakoutUpload = await acme.call(`/v1/meetings/${meetingId}/breakouts/br_${'0'.repeat(12)}/epochs/0/envelopes`, ada, {
      method: 'PUT',
      json: { envelopes },
    });
    expect(breakoutUpload.status).toBe(403);
    // Nothing was stored for the host to open.
    expect((await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${hostDevice.deviceId}`, host)).status).toBe(
      404,
    );
    // An admin still moderates: locking is theirs as before.
    expect((await acme.call(`/v1/meetings/${meetingId}/lock`, ada, { method: 'POST' })).status).toBe(200);
  });

  it("lets a participant fetch the sending device's signed registration and verify the envelope with it", async () => {
    const meetingId = await newMeeting({ encryption: 'e2ee', invitees: ['mia@example.test'] });
    const [mia, ned] = await Promise.all([acme.token('mia'), acme.token('ned')]);
    const [hostDevice, miaDevice] = await Promise.all([registered(host), registered(mia)]);
    await join(meetingId, host, { deviceId: hostDevice.deviceId });
    await join(meetingId, mia, { deviceId: miaDevice.deviceId });
    const mediaKey = new Uint8Array(randomBytes(32));
    const envelopes = await Promise.all(
      [hostDevice, miaDevice].map((d) =>
        sealMediaKey({ meetingId, epoch: 0, recipient: d.registration, mediaKey, sender: hostDevice }),
      ),
    );
    expect(
      (await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelopes`, host, { method: 'PUT', json: { envelopes } })).status,
    ).toBe(204);

    const envelope = (await acme.call(`/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${miaDevice.deviceId}`, mia))
      .body as {
      senderDeviceId: string;
    };
    expect(envelope.senderDeviceId).toBe(hostDevice.deviceId);
    const fetched = await acme.call(`/v1/meetings/${meetingId}/devices/${envelope.senderDeviceId}/registration`, mia);
    expect(fetched.status).toBe(200);
    const { registration } = fetched.body as { participantId: string; registration: DeviceIdentity['registration'] };
    const verified = await verifyDeviceRegistration(registration);
    expect(verified.registration).toEqual(hostDevice.registration);
    const opened = await openMediaKey(envelope, { meetingId, epoch: 0, recipient: miaDevice, senderRegistration: registration });
    expect(Buffer.from(opened).equals(Buffer.from(mediaKey))).toBe(true);

    // Someone the meeting does not invite learns nothing; a device not bound to it is not there.
    expect((await acme.call(`/v1/meetings/${meetingId}/devices/${hostDevice.deviceId}/registration`, ned)).status).toBe(404);
    const stranger = await registered(ned);
    expect((await acme.call(`/v1/meetings/${meetingId}/devices/${stranger.deviceId}/registration`, mia)).status).toBe(404);
  });

  it('is upgraded to once, never back, and is not offered on the free plan', async () => {
    const meetingId = await newMeeting({ features: { cloudRecording: true } });
    const upgrade = () => acme.call(`/v1/meetings/${meetingId}/encryption/upgrade`, host, { method: 'POST' });
    expect((await upgrade()).status).toBe(409);
    const current = (await acme.call(`/v1/meetings/${meetingId}`, host)).body as { etag: string };
    const off = await acme.call(`/v1/meetings/${meetingId}`, host, {
      method: 'PATCH',
      json: { features: { cloudRecording: false } },
      headers: { 'if-match': current.etag },
    });
    expect(off.status).toBe(200);
    const upgraded = await upgrade();
    expect(upgraded.status).toBe(200);
    expect(upgraded.body).toMatchObject({ encryption: 'e2ee' });
    expect((await upgrade()).status).toBe(409);
    const etag = (upgraded.body as { etag: string }).etag;
    const back = await acme.call(`/v1/meetings/${meetingId}`, host, {
      method: 'PATCH',
      json: { encryption: 'standard' },
      headers: { 'if-match': etag },
    });
    expect(back.status).toBe(409);
    const recording = await acme.call(`/v1/meetings/${meetingId}`, host, {
      method: 'PATCH',
      json: { features: { transcription: true } },
      headers: { 'if-match': etag },
    });
    expect(recording.status).toBe(409);
    expect(recording.body).toMatchObject({ errors: [expect.objectContaining({ field: 'features.transcription' })] });
    const withoutDevice = await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} });
    expect(withoutDevice.status).toBe(400);
    expect(withoutDevice.body).toMatchObject({ errors: [expect.objectContaining({ field: 'deviceId' })] });
    const device = await registered(host);
    expect((await join(meetingId, host, { deviceId: device.deviceId })).encryption).toEqual({
      mode: 'e2ee',
      epoch: 1,
      keyIndex: 1,
    });

    const free = await testTenant('fra', { tier: 'free' });
    try {
      const freeHost = await free.token('fiona', ['host']);
      expect((await schedule(free, freeHost, { encryption: 'e2ee' })).status).toBe(403);
      const plain = (await schedule(free, freeHost)).body as { id: string };
      expect((await free.call(`/v1/meetings/${plain.id}/encryption/upgrade`, freeHost, { method: 'POST' })).status).toBe(403);
    } finally {
      await free.stop();
    }
  });
});
