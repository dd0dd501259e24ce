import { EpochKeyProvider } from '../../web/src/meeting/key-provider.js';
import { KeyProviderEvent, type KeyInfo } from 'livekit-client';

/** What the browser's key provider hands LiveKit's worker for each key it is given. */
function recorder(provider: EpochKeyProvider): { slot: number | undefined; material: KeyInfo['key'] }[] {
  const set: { slot: number | undefined; material: KeyInfo['key'] }[] = [];
  provider.on(KeyProviderEvent.SetKey, (info: KeyInfo) => set.push({ slot: info.keyIndex, material: info.key }));
  return set;
}

const key = (fill: number) => new Uint8Array(32).fill(fill).buffer;

describe("the browser's epoch key ring", () => {
  it("puts an epoch's key at its slot, raw for HKDF, and last, so that it is the one sent with", async () => {
    const provider = new EpochKeyProvider();
    const set = recorder(provider);
    await provider.setEpochKey(3, key(7));
    expect(set.map((s) => s.slot)).toEqual([0, 3]);
    expect(set.every((s) => s.material.algorithm.name === 'HKDF')).toBe(true);
    expect(provider.getLatestManuallySetKeyIndex()).toBe(3);
  });

  it('also puts the newest key in slot 0, where rtc-node 1.1 clients send, and only once when that is its slot', async () => {
    const provider = new EpochKeyProvider();
    const set = recorder(provider);
    await provider.setEpochKey(0, key(1));
    await provider.setEpochKey(16, key(2)); // the ring wraps: epoch 16 is slot 0 again
    expect(set.map((s) => s.slot)).toEqual([0, 0]);
  });

  it('refuses a key that is not 32 bytes', async () => {
    await expect(new EpochKeyProvider().setEpochKey(1, new Uint8Array(16).buffer)).rejects.toThrow(RangeError);
  });
});
