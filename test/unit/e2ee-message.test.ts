import {
  E2eeError,
  generateDeviceIdentity,
  generateMediaKey,
  openMediaKey,
  openMessage,
  sealMediaKey,
  sealMessage,
} from '../../media/e2ee/index.js';

const SCOPE = 'mt_0123456789abcdef01234567';
const BREAKOUT_SCOPE = `${SCOPE}-br_0123456789ab`;

describe('messages sealed with an epoch key', () => {
  it('opens with the same scope and epoch key, and carries only epoch, iv and ciphertext', async () => {
    const mediaKey = generateMediaKey();
    const sealed = await sealMessage({ scope: SCOPE, epoch: 3, mediaKey, text: 'Grüße, everyone' });
    expect(Object.keys(sealed).sort()).toEqual(['ct', 'epoch', 'iv']);
    expect(JSON.stringify(sealed)).not.toContain('Grüße');
    await expect(openMessage(sealed, { scope: SCOPE, keyOf: (e) => (e === 3 ? mediaKey : undefined) })).resolves.toBe(
      'Grüße, everyone',
    );
  });

  it('refuses another key, another scope, an epoch it has no key of, altered bytes and a malformed payload', async () => {
    const mediaKey = generateMediaKey();
    const sealed = await sealMessage({ scope: SCOPE, epoch: 3, mediaKey, text: 'hello' });
    const other = generateMediaKey();
    await expect(openMessage(sealed, { scope: SCOPE, keyOf: () => other })).rejects.toMatchObject({ code: 'open-failed' });
    await expect(openMessage(sealed, { scope: BREAKOUT_SCOPE, keyOf: () => mediaKey })).rejects.toMatchObject({
      code: 'open-failed',
    });
    // The epoch is bound too: the same key claimed for another epoch does not open it.
    await expect(openMessage({ ...sealed, epoch: 4 }, { scope: SCOPE, keyOf: () => mediaKey })).rejects.toMatchObject({
      code: 'open-failed',
    });
    await expect(openMessage(sealed, { scope: SCOPE, keyOf: () => undefined })).rejects.toMatchObject({ code: 'mismatch' });
    const flipped = sealed.ct.startsWith('A') ? `B${sealed.ct.slice(1)}` : `A${sealed.ct.slice(1)}`;
    await expect(openMessage({ ...sealed, ct: flipped }, { scope: SCOPE, keyOf: () => mediaKey })).rejects.toBeInstanceOf(
      E2eeError,
    );
    await expect(openMessage({ ...sealed, extra: 1 }, { scope: SCOPE, keyOf: () => mediaKey })).rejects.toMatchObject({
      code: 'malformed',
    });
  });
});

describe('non-extractable device identities', () => {
  it('keep both private keys unexportable and still open the envelopes sealed to them', async () => {
    const host = await generateDeviceIdentity();
    const guest = await generateDeviceIdentity();
    expect(guest.hpkePrivateKey.extractable).toBe(false);
    expect(guest.signingPrivateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', guest.hpkePrivateKey)).rejects.toThrow();
    const mediaKey = generateMediaKey();
    const envelope = await sealMediaKey({ meetingId: SCOPE, epoch: 1, recipient: guest.registration, mediaKey, sender: host });
    const opened = await openMediaKey(envelope, {
      meetingId: SCOPE,
      epoch: 1,
      recipient: guest,
      senderRegistration: host.registration,
    });
    expect(Buffer.from(opened).equals(Buffer.from(mediaKey))).toBe(true);
  });
});
