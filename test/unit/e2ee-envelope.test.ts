import { jest } from '@jest/globals';
import type { CipherSuite } from '@hpke/core';
import { fromBase64Url, toBase64Url } from '../../media/e2ee/encoding.js';
import { envelopeAad, envelopeInfo, envelopeSigningInput } from '../../media/e2ee/envelope.js';
import { hpkeSuite } from '../../media/e2ee/suite.js';
import {
  E2eeError,
  generateDeviceIdentity,
  generateMediaKey,
  openMediaKey,
  sealMediaKey,
  sealMediaKeyForDevices,
  type DeviceIdentity,
  type Envelope,
  type EnvelopeContext,
} from '../../media/e2ee/index.js';

const MEETING = 'mt_0123456789abcdef01234567';
const OTHER_MEETING = 'mt_fedcba9876543210fedcba98';
const EPOCH = 7;

function flipBit(b64: string, byte = 0): string {
  const bytes = fromBase64Url(b64);
  bytes[byte] = bytes[byte]! ^ 0x01;
  return toBase64Url(bytes);
}

/** Re-signs altered fields with the genuine sender key: isolates what HPKE itself refuses from what the signature refuses. */
async function resign(e: Envelope, signer: DeviceIdentity): Promise<Envelope> {
  const { signature: _old, ...unsigned } = e;
  const sig = await crypto.subtle.sign({ name: 'Ed25519' }, signer.signingPrivateKey, envelopeSigningInput(unsigned));
  return { ...unsigned, signature: toBase64Url(new Uint8Array(sig)) };
}

let host: DeviceIdentity;
let guest: DeviceIdentity;
let other: DeviceIdentity;
let mediaKey: Uint8Array;
let envelope: Envelope;

const openAsGuest = (e: unknown, overrides: Partial<Parameters<typeof openMediaKey>[1]> = {}) =>
  openMediaKey(e, { meetingId: MEETING, epoch: EPOCH, recipient: guest, senderRegistration: host.registration, ...overrides });

beforeAll(async () => {
  [host, guest, other] = await Promise.all([generateDeviceIdentity(), generateDeviceIdentity(), generateDeviceIdentity()]);
  mediaKey = generateMediaKey();
  envelope = await sealMediaKey({ meetingId: MEETING, epoch: EPOCH, recipient: guest.registration, mediaKey, sender: host });
});

describe('seal and open', () => {
  it('round-trips the media key through JSON', async () => {
    expect(envelope).toMatchObject({
      v: 1,
      meetingId: MEETING,
      epoch: EPOCH,
      recipientDeviceId: guest.deviceId,
      senderDeviceId: host.deviceId,
    });
    const opened = await openAsGuest(JSON.parse(JSON.stringify(envelope)));
    expect(opened).toEqual(mediaKey);
    expect(opened).toHaveLength(32);
  });

  it('never puts the key itself on the wire', () => {
    expect(JSON.stringify(envelope)).not.toContain(toBase64Url(mediaKey));
    expect(JSON.stringify(envelope)).not.toContain(Buffer.from(mediaKey).toString('base64'));
  });

  it('produces a fresh encapsulation each time', async () => {
    const again = await sealMediaKey({ meetingId: MEETING, epoch: EPOCH, recipient: guest.registration, mediaKey, sender: host });
    expect(again.enc).not.toBe(envelope.enc);
    expect(again.ciphertext).not.toBe(envelope.ciphertext);
  });

  it('does not log anything', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => undefined),
    );
    try {
      const e = await sealMediaKey({ meetingId: MEETING, epoch: EPOCH, recipient: guest.registration, mediaKey, sender: host });
      await openAsGuest(e);
      await expect(openAsGuest({ ...e, ciphertext: flipBit(e.ciphertext) })).rejects.toBeInstanceOf(E2eeError);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('refuses to seal anything but a 32-byte key', async () => {
    await expect(
      sealMediaKey({
        meetingId: MEETING,
        epoch: EPOCH,
        recipient: guest.registration,
        mediaKey: new Uint8Array(16),
        sender: host,
      }),
    ).rejects.toMatchObject({ code: 'bad-key' });
  });

  it('refuses to seal to a registration whose HPKE key was swapped', async () => {
    const swapped = { ...guest.registration, hpkePublicKey: other.registration.hpkePublicKey };
    await expect(
      sealMediaKey({ meetingId: MEETING, epoch: EPOCH, recipient: swapped, mediaKey, sender: host }),
    ).rejects.toMatchObject({
      code: 'bad-signature',
    });
  });

  it.each([
    ['meeting id', { meetingId: 'not a meeting id' }],
    ['epoch', { epoch: -1 }],
  ])('refuses to seal with an invalid %s', async (_, bad) => {
    await expect(
      sealMediaKey({ meetingId: MEETING, epoch: EPOCH, recipient: guest.registration, mediaKey, sender: host, ...bad }),
    ).rejects.toMatchObject({ code: 'malformed' });
  });
});

describe('wrong recipient', () => {
  it('cannot be opened with another device key, even under the right device id', async () => {
    // Same id, different keys: only HPKE stands between this device and the key.
    const impostor = await generateDeviceIdentity({ deviceId: guest.deviceId });
    await expect(openAsGuest(envelope, { recipient: impostor })).rejects.toMatchObject({ code: 'open-failed' });
  });

  it('is refused by a device it was not addressed to', async () => {
    await expect(openAsGuest(envelope, { recipient: other })).rejects.toMatchObject({ code: 'mismatch' });
  });
});

describe('replay into another context', () => {
  it('refuses an envelope of another meeting', async () => {
    await expect(openAsGuest(envelope, { meetingId: OTHER_MEETING })).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('refuses an envelope of another (older) epoch', async () => {
    await expect(openAsGuest(envelope, { epoch: EPOCH + 1 })).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('refuses an envelope relabelled by the server for another meeting, epoch or recipient', async () => {
    await expect(openAsGuest({ ...envelope, meetingId: OTHER_MEETING }, { meetingId: OTHER_MEETING })).rejects.toMatchObject({
      code: 'bad-signature',
    });
    await expect(openAsGuest({ ...envelope, epoch: EPOCH + 1 }, { epoch: EPOCH + 1 })).rejects.toMatchObject({
      code: 'bad-signature',
    });
    await expect(openAsGuest({ ...envelope, recipientDeviceId: other.deviceId }, { recipient: other })).rejects.toMatchObject({
      code: 'bad-signature',
    });
  });

  it('cannot open a relabelled envelope even when the sender re-signs it: the context is in HPKE info and AAD', async () => {
    const moved = await resign({ ...envelope, meetingId: OTHER_MEETING }, host);
    await expect(openAsGuest(moved, { meetingId: OTHER_MEETING })).rejects.toMatchObject({ code: 'open-failed' });
    const later = await resign({ ...envelope, epoch: EPOCH + 1 }, host);
    await expect(openAsGuest(later, { epoch: EPOCH + 1 })).rejects.toMatchObject({ code: 'open-failed' });
  });

  /** Seals the real key with chosen info and AAD contexts and signs it as the host: only HPKE can refuse it. */
  async function sealWith(info: EnvelopeContext, aad: EnvelopeContext): Promise<Envelope> {
    const suite: CipherSuite = hpkeSuite();
    const recipientPublicKey = await suite.kem.deserializePublicKey(fromBase64Url(guest.registration.hpkePublicKey));
    const { enc, ct } = await suite.seal(
      { recipientPublicKey, info: envelopeInfo(info) },
      Uint8Array.from(mediaKey),
      envelopeAad(aad),
    );
    const fields = { ...envelope, enc: toBase64Url(new Uint8Array(enc)), ciphertext: toBase64Url(new Uint8Array(ct)) };
    return resign(fields, host);
  }

  it('binds the context through HPKE info and AAD, each on its own', async () => {
    const ctx: EnvelopeContext = {
      meetingId: MEETING,
      epoch: EPOCH,
      senderDeviceId: host.deviceId,
      recipientDeviceId: guest.deviceId,
    };
    // The control: built this way with matching contexts, it opens.
    await expect(openAsGuest(await sealWith(ctx, ctx))).resolves.toEqual(mediaKey);
    for (const wrong of [
      { ...ctx, epoch: EPOCH + 1 },
      { ...ctx, meetingId: OTHER_MEETING },
      { ...ctx, senderDeviceId: other.deviceId },
      { ...ctx, recipientDeviceId: other.deviceId },
    ]) {
      await expect(openAsGuest(await sealWith(wrong, ctx))).rejects.toMatchObject({ code: 'open-failed' });
      await expect(openAsGuest(await sealWith(ctx, wrong))).rejects.toMatchObject({ code: 'open-failed' });
    }
  });
});

describe('tampering', () => {
  it.each(['ciphertext', 'enc', 'signature'] as const)('refuses an altered %s', async (field) => {
    await expect(openAsGuest({ ...envelope, [field]: flipBit(envelope[field], 3) })).rejects.toMatchObject({
      code: 'bad-signature',
    });
  });

  it('refuses an altered ciphertext even when re-signed (AEAD tag)', async () => {
    const altered = await resign({ ...envelope, ciphertext: flipBit(envelope.ciphertext, 3) }, host);
    await expect(openAsGuest(altered)).rejects.toMatchObject({ code: 'open-failed' });
  });

  it('refuses an altered enc even when re-signed', async () => {
    const altered = await resign({ ...envelope, enc: flipBit(envelope.enc, 3) }, host);
    await expect(openAsGuest(altered)).rejects.toMatchObject({ code: 'open-failed' });
  });
});

describe('sender authentication', () => {
  it('refuses a key sealed by a device other than the expected sender', async () => {
    const fromOther = await sealMediaKey({
      meetingId: MEETING,
      epoch: EPOCH,
      recipient: guest.registration,
      mediaKey,
      sender: other,
    });
    await expect(openAsGuest(fromOther)).rejects.toMatchObject({ code: 'mismatch' });
  });

  it('refuses a key that claims the host as sender but was signed by someone else (e.g. the server)', async () => {
    const forged = await resign(
      {
        ...(await sealMediaKey({
          meetingId: MEETING,
          epoch: EPOCH,
          recipient: guest.registration,
          mediaKey: generateMediaKey(),
          sender: other,
        })),
        senderDeviceId: host.deviceId,
      },
      other,
    );
    await expect(openAsGuest(forged)).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it('refuses when the sender registration handed out by the server was tampered with', async () => {
    const swapped = { ...host.registration, signingPublicKey: other.registration.signingPublicKey };
    await expect(openAsGuest(envelope, { senderRegistration: swapped })).rejects.toMatchObject({ code: 'bad-signature' });
  });

  it('refuses a malformed envelope before any cryptography', async () => {
    await expect(openAsGuest({ ...envelope, extra: true })).rejects.toMatchObject({ code: 'malformed' });
    await expect(openAsGuest('not an envelope')).rejects.toMatchObject({ code: 'malformed' });
  });
});

describe('sealing to every admitted device', () => {
  it('seals one envelope per valid registration and reports the ones it refused', async () => {
    const tampered = { ...other.registration, hpkePublicKey: guest.registration.hpkePublicKey };
    const { envelopes, refused } = await sealMediaKeyForDevices({
      meetingId: MEETING,
      epoch: EPOCH,
      recipients: [guest.registration, tampered, host.registration],
      mediaKey,
      sender: host,
    });
    expect(envelopes.map((e) => e.recipientDeviceId)).toEqual([guest.deviceId, host.deviceId]);
    expect(refused).toEqual([{ deviceId: other.deviceId, error: expect.objectContaining({ code: 'bad-signature' }) }]);
    await expect(
      openMediaKey(envelopes[1], { meetingId: MEETING, epoch: EPOCH, recipient: host, senderRegistration: host.registration }),
    ).resolves.toEqual(mediaKey);
  });
});
