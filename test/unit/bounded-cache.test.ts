import { BoundedCache } from '../../lambdas/bounded-cache.js';

describe('the bounded cache', () => {
  it('holds at most its number of entries, dropping the least recently used first', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
    for (let i = 0; i < 10_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
  });

  it('forgets an entry after its time to live, the cache default or its own', () => {
    let now = 1000;
    const cache = new BoundedCache<string, string>({ maxEntries: 10, ttlMs: 100, now: () => now });
    cache.set('default', 'x');
    cache.set('short', 'y', 10);
    now += 10;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('default')).toBe('x');
    now += 90;
    expect(cache.get('default')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('makes a missing value once, and drops entries by their value', () => {
    const cache = new BoundedCache<string, { tenant: string }>({ maxEntries: 10 });
    let made = 0;
    const make = () => ({ tenant: `t${++made}` });
    expect(cache.getOrSet('a', make)).toEqual({ tenant: 't1' });
    expect(cache.getOrSet('a', make)).toEqual({ tenant: 't1' });
    cache.set('b', { tenant: 't1' });
    cache.set('c', { tenant: 't2' });
    cache.deleteWhere((value) => value.tenant === 't1');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, { tenant: 't2' }]);
  });
});
