/**
 * Stands in for mnemonist/lru-cache in deployed bundles (cdk/bundling.ts).
 * The DynamoDB client's endpoint-discovery cache is its only user, and builds
 * one even though discovery stays off; mnemonist's typed-array LRU and its
 * helpers are about 9 KB of every bundle. This is the same cache — the
 * methods that cache calls, least recently used entry evicted at capacity —
 * on a Map, whose insertion order serves as recency.
 */
export default class LRUCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Reads without making the entry recent. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key)!;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  clear(): void {
    this.entries.clear();
  }
}
