/**
 * Plaintext data keys held briefly in memory, so a busy container does not
 * ask KMS for every record it seals or opens. An entry ends at its age limit
 * or its use limit, whichever comes first; the oldest entry makes room when
 * the cache is full. Concurrent requests for the same entry share one KMS
 * call. Each caller gets its own copy of the plaintext key to zero when done,
 * and keys leaving the cache are zeroed at once (best effort: copies the
 * runtime makes are beyond reach).
 */
export interface CachedDataKey {
  readonly plaintext: Uint8Array;
  readonly wrappedKey: Uint8Array;
}

export interface DataKeyCacheLimits {
  readonly maxAgeMs: number;
  /** How many times an entry may be handed out before a fresh one is fetched. */
  readonly maxUses: number;
  readonly maxEntries: number;
}

interface Entry {
  readonly key: Promise<CachedDataKey>;
  readonly expiresAt: number;
  uses: number;
}

export class DataKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: DataKeyCacheLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string, fetch: () => Promise<CachedDataKey>): Promise<CachedDataKey> {
    const current = this.entries.get(id);
    if (current && current.expiresAt > this.now() && current.uses < this.limits.maxUses) {
      current.uses++;
      return copyOf(await current.key);
    }
    if (current) this.evict(id, current);
    const key = fetch();
    const entry: Entry = { key, expiresAt: this.now() + this.limits.maxAgeMs, uses: 1 };
    this.entries.set(id, entry);
    // A failed fetch is not remembered: the next caller asks KMS again.
    key.catch(() => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    });
    while (this.entries.size > this.limits.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.evict(oldestId, oldest);
    }
    return copyOf(await key);
  }

  private evict(id: string, entry: Entry): void {
    this.entries.delete(id);
    entry.key.then(
      (key) => key.plaintext.fill(0),
      () => undefined,
    );
  }
}

const copyOf = (key: CachedDataKey): CachedDataKey => ({ plaintext: key.plaintext.slice(), wrappedKey: key.wrappedKey });
