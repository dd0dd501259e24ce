/**
 * The one in-memory cache of a function container: at most `maxEntries`
 * entries (the least recently used goes first), each for at most `ttlMs`
 * (forever when omitted). A container lives for hours and serves every
 * tenant of its site; nothing it remembers may grow without bound.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(private readonly options: { readonly maxEntries: number; readonly ttlMs?: number; readonly now?: () => number }) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new Error('a cache holds at least one entry');
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** The value, unless it is missing or expired (an expired entry is dropped). Marks it recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: moving the entry to the end makes the first one the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps a value for the cache's time to live, or `ttlMs` when given; the least recently used goes when full. */
  set(key: K, value: V, ttlMs = this.options.ttlMs): void {
    this.entries.delete(key);
    while (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, until: ttlMs === undefined ? Infinity : this.now() + ttlMs });
  }

  /** The cached value, or what `make` returns for it (kept). */
  getOrSet(key: K, make: () => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = make();
    this.set(key, value);
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value `matches`. */
  deleteWhere(matches: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value, key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
