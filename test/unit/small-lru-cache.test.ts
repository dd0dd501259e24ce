import LRUCache from '../../cdk/substitutes/small-lru-cache.js';

describe("the LRU cache standing in for mnemonist's in bundles", () => {
  it('evicts the least recently used entry at capacity', () => {
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1).set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it('peeks without making an entry recent', () => {
    const cache = new LRUCache<string, number>(2);
    cache.set('a', 1).set('b', 2);
    expect(cache.peek('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.has('a')).toBe(false);
  });

  it('replaces a value without growing, and clears', () => {
    const cache = new LRUCache<string, number[]>(2);
    cache.set('a', [1]).set('a', []);
    expect(cache.peek('a')).toEqual([]);
    expect(cache.size).toBe(1);
    expect(cache.get('missing')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
