import { DataKeyCache, type CachedDataKey } from '../../lambdas/keys/data-key-cache.js';

function keyMaker() {
  const made: CachedDataKey[] = [];
  const fetch = async () => {
    const key = { plaintext: new Uint8Array(32).fill(made.length + 1), wrappedKey: new Uint8Array([made.length + 1]) };
    made.push(key);
    return key;
  };
  return { made, fetch };
}

describe('the data key cache', () => {
  it('shares one fetch between concurrent requests for the same key', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100, maxEntries: 10 });
    const { made, fetch } = keyMaker();
    const keys = await Promise.all([cache.get('a', fetch), cache.get('a', fetch), cache.get('a', fetch)]);
    expect(made).toHaveLength(1);
    expect(keys.map((key) => key.wrappedKey[0])).toEqual([1, 1, 1]);
  });

  it('hands out copies, so a caller zeroing its key leaves the cached one intact', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100, maxEntries: 10 });
    const { fetch } = keyMaker();
    (await cache.get('a', fetch)).plaintext.fill(0);
    expect((await cache.get('a', fetch)).plaintext[0]).toBe(1);
  });

  it('fetches a fresh key after the use limit', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 2, maxEntries: 10 });
    const { made, fetch } = keyMaker();
    for (let i = 0; i < 5; i++) await cache.get('a', fetch);
    expect(made).toHaveLength(3);
  });

  it('fetches a fresh key after the age limit and zeroes the old one', async () => {
    let now = 0;
    const cache = new DataKeyCache({ maxAgeMs: 1000, maxUses: 100, maxEntries: 10 }, () => now);
    const { made, fetch } = keyMaker();
    await cache.get('a', fetch);
    now = 999;
    await cache.get('a', fetch);
    expect(made).toHaveLength(1);
    now = 1000;
    expect((await cache.get('a', fetch)).plaintext[0]).toBe(2);
    expect(made[0]!.plaintext.every((byte) => byte === 0)).toBe(true);
  });

  it('keeps at most its entry limit, evicting the oldest', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100, maxEntries: 2 });
    const { made, fetch } = keyMaker();
    await cache.get('a', fetch);
    await cache.get('b', fetch);
    await cache.get('c', fetch);
    expect(made[0]!.plaintext.every((byte) => byte === 0)).toBe(true);
    await cache.get('b', fetch);
    expect(made).toHaveLength(3);
    await cache.get('a', fetch);
    expect(made).toHaveLength(4);
  });

  it('does not remember a failed fetch', async () => {
    const cache = new DataKeyCache({ maxAgeMs: 60_000, maxUses: 100, maxEntries: 10 });
    const { made, fetch } = keyMaker();
    await expect(cache.get('a', () => Promise.reject(new Error('KMS is down')))).rejects.toThrow('KMS is down');
    expect((await cache.get('a', fetch)).wrappedKey[0]).toBe(1);
    expect(made).toHaveLength(1);
  });
});
