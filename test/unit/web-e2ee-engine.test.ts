import { ApiProblem, type ApiClient } from '../../web/src/api/client.js';
import { E2eeEngine } from '../../web/src/meeting/e2ee/engine.js';
import { envelopeUploadSchema, generateDeviceIdentity, type DeviceIdentity, type Envelope } from '../../media/e2ee/index.js';

const MEETING = 'mt_0123456789abcdef01234567';
const BREAKOUT = 'br_0123456789ab';
const SCOPE = `${MEETING}-${BREAKOUT}`;

/**
 * The routes the engine calls, as the server answers them, in memory: who is
 * bound with which device, the current epoch, envelopes as uploaded (shape and
 * recipients checked, as the server does), 404 until one is there, 409
 * naming the current epoch for one that is over.
 */
function fakeServer() {
  const devices = new Map<string, { participantId: string; device: DeviceIdentity }>();
  const envelopes = new Map<string, Envelope>();
  const state = { epoch: 1 };
  const key = (scope: string, epoch: number, deviceId: string) => `${scope}/${epoch}/${deviceId}`;
  const notFound = () => new ApiProblem(404, 'Not Found', undefined);
  const store = (body: unknown, scope: string, epoch: number) => {
    const parsed = envelopeUploadSchema.parse(body);
    if (epoch !== state.epoch) throw new ApiProblem(409, 'Conflict', 'not the current epoch');
    for (const e of parsed.envelopes) {
      if (e.meetingId !== scope) throw new ApiProblem(400, 'Bad Request', 'scope');
      if (![...devices.values()].some((d) => d.device.deviceId === e.recipientDeviceId))
        throw new ApiProblem(400, 'Bad Request', 'not bound');
      envelopes.set(key(scope, epoch, e.recipientDeviceId), e);
    }
  };
  const api = {
    GET: async (path: string, init: { params: { path: Record<string, string>; query?: Record<string, string> } }) => {
      const p = init.params.path;
      if (path === '/v1/meetings/{meetingId}/devices')
        return {
          data: {
            epoch: state.epoch,
            items: [...devices.values()].map((d) => ({ participantId: d.participantId, registration: d.device.registration })),
          },
        };
      if (path === '/v1/meetings/{meetingId}/epochs/{epoch}/envelope') {
        const e = envelopes.get(key(MEETING, Number(p.epoch), init.params.query!.deviceId!));
        // An earlier epoch is never sealed again: the server names the current one.
        if (!e && Number(p.epoch) < state.epoch)
          throw new ApiProblem(409, 'Conflict', 'epoch over', [], undefined, { currentEpoch: state.epoch });
        if (!e) throw notFound();
        return { data: e };
      }
      if (path === '/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope') {
        const e = envelopes.get(key(`${MEETING}-${p.breakoutId}`, Number(p.epoch), init.params.query!.deviceId!));
        if (!e) throw notFound();
        return { data: e };
      }
      if (path === '/v1/meetings/{meetingId}/devices/{deviceId}/registration') {
        const bound = [...devices.values()].find((d) => d.device.deviceId === p.deviceId);
        if (!bound) throw notFound();
        return { data: { participantId: bound.participantId, registration: bound.device.registration } };
      }
      throw notFound();
    },
    PUT: async (path: string, init: { params: { path: Record<string, string> }; body: unknown }) => {
      const p = init.params.path;
      if (path === '/v1/meetings/{meetingId}/epochs/{epoch}/envelopes') store(init.body, MEETING, Number(p.epoch));
      else if (path === '/v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes')
        store(init.body, `${MEETING}-${p.breakoutId}`, Number(p.epoch));
      else throw notFound();
      return { data: undefined };
    },
  };
  return { api: api as unknown as ApiClient, devices, envelopes, state };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe("the web client's end-to-end engine", () => {
  let server: ReturnType<typeof fakeServer>;
  let hostDevice: DeviceIdentity;
  let bobDevice: DeviceIdentity;
  let carolDevice: DeviceIdentity;
  const installed = new Map<string, { epoch: number; keyIndex: number; key: Uint8Array }[]>();
  const engines: E2eeEngine[] = [];
  const engine = (name: string, device: DeviceIdentity, isHost: boolean, scope?: E2eeEngine['scope']) => {
    installed.set(name, []);
    const e = new E2eeEngine({
      api: server.api,
      meetingId: MEETING,
      device,
      isHost,
      ...(scope && { scope }),
      retryMs: 20,
      setEpochKey: (epoch, keyIndex, key) => void installed.get(name)!.push({ epoch, keyIndex, key }),
    });
    engines.push(e);
    return e;
  };

  beforeEach(async () => {
    server = fakeServer();
    [hostDevice, bobDevice, carolDevice] = await Promise.all([
      generateDeviceIdentity(),
      generateDeviceIdentity(),
      generateDeviceIdentity(),
    ]);
    server.devices.set('host', { participantId: `p_${'h'.repeat(32)}`, device: hostDevice });
    server.devices.set('bob', { participantId: `p_${'b'.repeat(32)}`, device: bobDevice });
  });
  afterEach(() => engines.splice(0).forEach((e) => e.stop()));

  it('keys the meeting from the host device, gives every device the same code, and a new one at a new epoch', async () => {
    const host = engine('host', hostDevice, true);
    const bob = engine('bob', bobDevice, false);
    host.start(1);
    bob.start(1);
    await until(() => bob.getState().epoch === 1 && host.getState().epoch === 1);
    expect(bob.getState().securityCode).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(bob.getState().securityCode).toBe(host.getState().securityCode);
    expect(installed.get('bob')![0]!.keyIndex).toBe(1);
    expect(Buffer.from(installed.get('bob')![0]!.key).equals(Buffer.from(installed.get('host')![0]!.key))).toBe(true);
    // The host lists what it sealed to; envelopes are on the server, keys are not.
    expect(
      host
        .getState()
        .devices.map((d) => d.deviceId)
        .sort(),
    ).toEqual([hostDevice.deviceId, bobDevice.deviceId].sort());
    expect(JSON.stringify([...server.envelopes.values()])).not.toContain(
      Buffer.from(installed.get('host')![0]!.key).toString('base64url'),
    );

    // A device arrives: the same key is sealed to it.
    server.devices.set('carol', { participantId: `p_${'c'.repeat(32)}`, device: carolDevice });
    const carol = engine('carol', carolDevice, false);
    carol.start(1);
    host.refreshDevices();
    await until(() => carol.getState().epoch === 1);
    expect(carol.getState().securityCode).toBe(host.getState().securityCode);

    // Chat sealed by one device opens on another of the same epoch, and carries no text.
    const sealed = await bob.encrypt('hello, class');
    expect(sealed).not.toContain('hello');
    await expect(carol.decrypt(sealed)).resolves.toBe('hello, class');

    // Carol leaves: the server starts epoch 2 and announces it; a fresh key, a new code for those left.
    const before = host.getState().securityCode;
    server.devices.delete('carol');
    server.state.epoch = 2;
    for (const e of [host, bob]) e.announce({ epoch: 2, rekey: true });
    await until(() => bob.getState().epoch === 2 && host.getState().epoch === 2);
    expect(bob.getState().securityCode).toBe(host.getState().securityCode);
    expect(bob.getState().securityCode).not.toBe(before);
    expect(Buffer.from(installed.get('bob')![1]!.key).equals(Buffer.from(installed.get('bob')![0]!.key))).toBe(false);
    // Carol has no envelope of epoch 2, and cannot read what is sealed with it.
    expect(server.envelopes.has(`${MEETING}/2/${carolDevice.deviceId}`)).toBe(false);
    await expect(carol.decrypt(await bob.encrypt('after you left'))).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('catches up with an epoch whose announcement it missed: the server names the current one for an epoch that is over', async () => {
    // The whole room rejoined (an upgrade): Bob's join named epoch 1, but leaves moved the meeting to epoch 3
    // before his page listened, and the host's client sealed epoch 3 only.
    server.state.epoch = 3;
    const host = engine('host', hostDevice, true);
    host.start(3);
    await until(() => host.getState().epoch === 3 && server.envelopes.has(`${MEETING}/3/${bobDevice.deviceId}`));
    const bob = engine('bob', bobDevice, false);
    bob.start(1);
    await until(() => bob.getState().epoch === 3);
    expect(bob.getState().securityCode).toBe(host.getState().securityCode);
    expect(installed.get('bob')!.map((k) => k.epoch)).toEqual([3]);
  });

  it('never goes back to an older epoch, and refuses an envelope from a device that is not the one that sealed', async () => {
    const host = engine('host', hostDevice, true);
    const bob = engine('bob', bobDevice, false);
    host.start(1);
    bob.start(1);
    await until(() => bob.getState().epoch === 1);
    bob.announce({ epoch: 0, rekey: true });
    await new Promise((done) => setTimeout(done, 100));
    expect(bob.getState().epoch).toBe(1);

    // Another participant announcing an epoch is not heard; the host's participant is (it seals the keys).
    server.state.epoch = 2;
    host.announce({ epoch: 2, rekey: true });
    bob.announce({ epoch: 2, rekey: true }, `p_${'x'.repeat(32)}`);
    await new Promise((done) => setTimeout(done, 200));
    expect(bob.getState().epoch).toBe(1);
    bob.announce({ epoch: 2, rekey: true }, `p_${'h'.repeat(32)}`);
    await until(() => bob.getState().epoch === 2);

    // The server swaps in an envelope whose signature does not verify with the sender it names.
    const forged = { ...server.envelopes.get(`${MEETING}/2/${bobDevice.deviceId}`)!, epoch: 3 };
    server.envelopes.set(`${MEETING}/3/${bobDevice.deviceId}`, forged);
    bob.want(3);
    await until(() => bob.getState().refused !== undefined);
    expect(bob.getState().epoch).toBe(2);
    expect(installed.get('bob')).toHaveLength(2);
  });

  it("keys each open breakout for its members, and seals the host's broadcast per breakout", async () => {
    server.devices.set('carol', { participantId: `p_${'c'.repeat(32)}`, device: carolDevice });
    const host = engine('host', hostDevice, true);
    host.start(1);
    await until(() => host.getState().epoch === 1);
    host.setBreakouts([{ id: BREAKOUT, scope: SCOPE, members: [`p_${'b'.repeat(32)}`] }]);
    const bobInBreakout = engine('bob-breakout', bobDevice, false, { kind: 'breakout', breakoutId: BREAKOUT, scope: SCOPE });
    bobInBreakout.start(1);
    await until(() => bobInBreakout.getState().epoch === 1);
    const main = installed.get('host')![0]!.key;
    expect(Buffer.from(installed.get('bob-breakout')![0]!.key).equals(Buffer.from(main))).toBe(false);
    // Carol is not a member: nothing of this breakout was sealed to her. The host's own device was, to visit.
    expect(server.envelopes.has(`${SCOPE}/1/${carolDevice.deviceId}`)).toBe(false);
    expect(server.envelopes.has(`${SCOPE}/1/${hostDevice.deviceId}`)).toBe(true);

    const ciphertext = await host.sealForBreakouts('Five minutes left');
    expect(ciphertext).toMatch(/^[A-Za-z0-9_-]+$/);
    await expect(bobInBreakout.openBroadcast(ciphertext)).resolves.toBe('Five minutes left');
  });
});
