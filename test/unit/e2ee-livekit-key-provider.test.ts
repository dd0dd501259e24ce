import { KeyDerivationFunction } from '@livekit/rtc-ffi-bindings/proto/e2ee_pb.js';
import {
  DEFAULT_KEY_RING_SIZE,
  HKDF_KEY_DERIVATION,
  installEpochKey,
  keyIndexForEpoch,
  keyProviderOfRoom,
  sendWithEpochKey,
  type SharedKeyProvider,
} from '../../media/e2ee/livekit-key-provider.js';
import { generateMediaKey, isNewerEpoch, nextEpoch } from '../../media/e2ee/media-key.js';

/** Records calls the way rtc-node's KeyProvider would receive them; no LiveKit involved. */
class FakeKeyProvider implements SharedKeyProvider {
  calls: { key: Uint8Array; keyIndex: number }[] = [];
  setSharedKey(key: Uint8Array, keyIndex: number): void {
    this.calls.push({ key, keyIndex });
  }
}

class FakeCryptor {
  constructor(
    readonly participantIdentity: string,
    public keyIndex = 0,
  ) {}
  setKeyIndex(i: number): void {
    this.keyIndex = i;
  }
}

describe('key index per epoch', () => {
  it.each([
    [0, 0],
    [1, 1],
    [15, 15],
    [16, 0],
    [17, 1],
    [33, 1],
  ])('epoch %i uses index %i of the default 16-slot ring', (epoch, index) => {
    expect(DEFAULT_KEY_RING_SIZE).toBe(16);
    expect(keyIndexForEpoch(epoch)).toBe(index);
  });

  it('follows the configured ring size', () => {
    expect(keyIndexForEpoch(300, 256)).toBe(44);
    expect(keyIndexForEpoch(5, 1)).toBe(0);
  });

  it.each([0, 257, 2.5])('refuses a ring size of %p', (size) => {
    expect(() => keyIndexForEpoch(1, size)).toThrow(RangeError);
  });

  it.each([-1, 0.5, Number.NaN])('refuses the epoch %p', (epoch) => {
    expect(() => keyIndexForEpoch(epoch)).toThrow(RangeError);
  });
});

describe('installEpochKey', () => {
  it('sets the epoch key at its index and returns matching connect options', () => {
    const provider = new FakeKeyProvider();
    const key = generateMediaKey();
    const { keyIndex, encryption } = installEpochKey(provider, 17, key);
    expect(keyIndex).toBe(1);
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]).toEqual({ key, keyIndex: 1 });
    expect(encryption.keyProviderOptions).toEqual({
      sharedKey: key,
      keyRingSize: 16,
      keyDerivationFunction: HKDF_KEY_DERIVATION,
    });
  });

  it('uses the ring size it is told, for the index and for the options', () => {
    const provider = new FakeKeyProvider();
    const { keyIndex, encryption } = installEpochKey(provider, 40, generateMediaKey(), { keyRingSize: 32 });
    expect(keyIndex).toBe(8);
    expect(provider.calls[0]?.keyIndex).toBe(8);
    expect(encryption.keyProviderOptions.keyRingSize).toBe(32);
  });

  it('hands LiveKit copies, so wiping the caller buffer later does not change the installed key', () => {
    const provider = new FakeKeyProvider();
    const key = generateMediaKey();
    const snapshot = Uint8Array.from(key);
    const { encryption } = installEpochKey(provider, 2, key);
    key.fill(0);
    expect(provider.calls[0]?.key).toEqual(snapshot);
    expect(encryption.keyProviderOptions.sharedKey).toEqual(snapshot);
  });

  it('only builds connect options when the room is not connected yet', () => {
    expect(installEpochKey(undefined, 3, generateMediaKey()).keyIndex).toBe(3);
  });

  it('refuses a key that is not 32 bytes', () => {
    const provider = new FakeKeyProvider();
    expect(() => installEpochKey(provider, 1, new Uint8Array(16))).toThrow(RangeError);
    expect(provider.calls).toHaveLength(0);
  });

  it('selects HKDF, the derivation livekit-client uses for raw keys', () => {
    expect(HKDF_KEY_DERIVATION).toBe(KeyDerivationFunction.HKDF);
  });
});

describe('sendWithEpochKey', () => {
  it('moves only the local participant senders to the epoch index', () => {
    const mine = [new FakeCryptor('me'), new FakeCryptor('me')];
    const theirs = new FakeCryptor('them', 5);
    const index = sendWithEpochKey({ frameCryptors: () => [...mine, theirs] }, 'me', 18);
    expect(index).toBe(2);
    expect(mine.map((c) => c.keyIndex)).toEqual([2, 2]);
    expect(theirs.keyIndex).toBe(5);
  });
});

describe('keyProviderOfRoom', () => {
  it('finds the key provider of a connected encrypted room', () => {
    const provider = new FakeKeyProvider();
    const room = { e2eeManager: { keyProvider: provider } } as unknown as Parameters<typeof keyProviderOfRoom>[0];
    expect(keyProviderOfRoom(room)).toBe(provider);
  });

  it('returns undefined for a room without encryption or with an unexpected shape', () => {
    expect(keyProviderOfRoom({ e2eeManager: undefined })).toBeUndefined();
    const odd = { e2eeManager: { keyProvider: {} } } as unknown as Parameters<typeof keyProviderOfRoom>[0];
    expect(keyProviderOfRoom(odd)).toBeUndefined();
  });
});

describe('media keys and epochs', () => {
  it('generates independent 32-byte keys', () => {
    const a = generateMediaKey();
    const b = generateMediaKey();
    expect(a).toHaveLength(32);
    expect(b).not.toEqual(a);
  });

  it('counts epochs forward and only accepts newer ones', () => {
    expect(nextEpoch(0)).toBe(1);
    expect(() => nextEpoch(2 ** 31 - 1)).toThrow(RangeError);
    expect(isNewerEpoch(3, undefined)).toBe(true);
    expect(isNewerEpoch(4, 3)).toBe(true);
    expect(isNewerEpoch(3, 3)).toBe(false);
    expect(isNewerEpoch(2, 3)).toBe(false);
  });
});
