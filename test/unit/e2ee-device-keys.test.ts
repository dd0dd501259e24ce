import {
  E2eeError,
  deviceFingerprint,
  exportDeviceIdentity,
  generateDeviceIdentity,
  importDeviceIdentity,
  openMediaKey,
  sealMediaKey,
  verifyDeviceRegistration,
  type DeviceIdentity,
} from '../../media/e2ee/index.js';
import { fromBase64Url, toBase64Url } from '../../media/e2ee/encoding.js';
import { generateMediaKey } from '../../media/e2ee/media-key.js';

const MEETING = 'mt_0123456789abcdef01234567';

/** Flips one bit of a base64url field and re-encodes it canonically, so the change survives the schema. */
function flipBit(b64: string, byte = 0): string {
  const bytes = fromBase64Url(b64);
  bytes[byte] = bytes[byte]! ^ 0x01;
  return toBase64Url(bytes);
}

let alice: DeviceIdentity;
let bob: DeviceIdentity;

beforeAll(async () => {
  alice = await generateDeviceIdentity({ extractable: true });
  bob = await generateDeviceIdentity();
});

describe('device registration', () => {
  it('publishes only public keys, each 32 raw bytes, under a signed device id', async () => {
    expect(Object.keys(alice.registration).sort()).toEqual(['deviceId', 'hpkePublicKey', 'signature', 'signingPublicKey']);
    expect(alice.deviceId).toMatch(/^dv_[0-9a-f]{24}$/);
    expect(Buffer.from(alice.registration.hpkePublicKey, 'base64url')).toHaveLength(32);
    expect(Buffer.from(alice.registration.signingPublicKey, 'base64url')).toHaveLength(32);
    const verified = await verifyDeviceRegistration(JSON.parse(JSON.stringify(alice.registration)));
    expect(verified.registration).toEqual(alice.registration);
  });

  it('gives each device its own id and keys', () => {
    expect(bob.deviceId).not.toBe(alice.deviceId);
    expect(bob.registration.hpkePublicKey).not.toBe(alice.registration.hpkePublicKey);
  });

  it('accepts a chosen device id and refuses an invalid one', async () => {
    await expect(generateDeviceIdentity({ deviceId: 'dv_chosen' })).resolves.toMatchObject({ deviceId: 'dv_chosen' });
    await expect(generateDeviceIdentity({ deviceId: 'has space' })).rejects.toMatchObject({ code: 'malformed' });
  });

  it('fails verification when a server swaps in another HPKE key', async () => {
    const swapped = { ...alice.registration, hpkePublicKey: bob.registration.hpkePublicKey };
    await expect(verifyDeviceRegistration(swapped)).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it.each([
    ['device id', (r: DeviceIdentity['registration']) => ({ ...r, deviceId: 'dv_renamed' })],
    ['signing key', (r: DeviceIdentity['registration']) => ({ ...r, signingPublicKey: bob.registration.signingPublicKey })],
    ['signature', (r: DeviceIdentity['registration']) => ({ ...r, signature: flipBit(r.signature, 5) })],
    ['HPKE key by one bit', (r: DeviceIdentity['registration']) => ({ ...r, hpkePublicKey: flipBit(r.hpkePublicKey) })],
  ])('fails verification when the %s is altered', async (_, alter) => {
    await expect(verifyDeviceRegistration(alter(alice.registration))).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it.each([
    ['nothing', undefined],
    ['an extra field', { ...{ deviceId: 'dv_x' }, extra: 1 }],
    ['a short key', { deviceId: 'dv_x', hpkePublicKey: 'AAAA', signingPublicKey: 'AAAA', signature: 'AAAA' }],
  ])('refuses %s as malformed', async (_, input) => {
    await expect(verifyDeviceRegistration(input)).rejects.toBeInstanceOf(E2eeError);
    await expect(verifyDeviceRegistration(input)).rejects.toMatchObject({ code: 'malformed' });
  });

  it('refuses registrations whose signature is by another device', async () => {
    const forged = { ...bob.registration, signature: alice.registration.signature };
    await expect(verifyDeviceRegistration(forged)).rejects.toMatchObject({ code: 'bad-signature' });
  });
});

describe('persisting the private keys', () => {
  it('round-trips through JSON and still opens what was sealed to the original', async () => {
    const stored = JSON.parse(JSON.stringify(await exportDeviceIdentity(alice)));
    const restored = await importDeviceIdentity(stored);
    expect(restored.registration).toEqual(alice.registration);
    const mediaKey = generateMediaKey();
    const envelope = await sealMediaKey({ meetingId: MEETING, epoch: 1, recipient: alice.registration, mediaKey, sender: bob });
    const opened = await openMediaKey(envelope, {
      meetingId: MEETING,
      epoch: 1,
      recipient: restored,
      senderRegistration: bob.registration,
    });
    expect(opened).toEqual(mediaKey);
  });

  it('signs with the restored key so others still recognise the sender', async () => {
    const restored = await importDeviceIdentity(await exportDeviceIdentity(alice));
    const mediaKey = generateMediaKey();
    const envelope = await sealMediaKey({
      meetingId: MEETING,
      epoch: 2,
      recipient: bob.registration,
      mediaKey,
      sender: restored,
    });
    await expect(
      openMediaKey(envelope, { meetingId: MEETING, epoch: 2, recipient: bob, senderRegistration: alice.registration }),
    ).resolves.toEqual(mediaKey);
  });

  it('refuses a store whose HPKE private key belongs to another device', async () => {
    const other = await exportDeviceIdentity(await generateDeviceIdentity({ extractable: true }));
    const stored = { ...(await exportDeviceIdentity(alice)), hpkePrivateKey: other.hpkePrivateKey };
    await expect(importDeviceIdentity(stored)).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('refuses a store whose signing private key belongs to another device', async () => {
    const other = await exportDeviceIdentity(await generateDeviceIdentity({ extractable: true }));
    const stored = { ...(await exportDeviceIdentity(alice)), signingPrivateKey: other.signingPrivateKey };
    await expect(importDeviceIdentity(stored)).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('refuses a store whose device id was changed', async () => {
    const stored = { ...(await exportDeviceIdentity(alice)), deviceId: 'dv_other' };
    await expect(importDeviceIdentity(stored)).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('will not export a non-extractable identity', async () => {
    await expect(exportDeviceIdentity(bob)).rejects.toThrow(/extractable/);
  });
});

describe('device fingerprint', () => {
  it('is stable per signing key and differs between devices', async () => {
    const a = await deviceFingerprint(alice.registration);
    expect(a).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    await expect(deviceFingerprint({ ...alice.registration })).resolves.toBe(a);
    await expect(deviceFingerprint(bob.registration)).resolves.not.toBe(a);
  });
});
