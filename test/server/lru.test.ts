// LruCache: bounded by size, least recently used out first, one load per key at a time, failures not cached.
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../server/lru.js';

describe('LruCache', () => {
  it('evicts the least recently used values once the size bound is passed', async () => {
    const c = new LruCache<string, string>({ maxSize: 10, sizeOf: (v) => v.length });
    await c.get('a', async () => 'aaaa');
    await c.get('b', async () => 'bbbb');
    expect(c.peek('a')).toBe('aaaa'); // a is now more recent than b
    await c.get('c', async () => 'cccc');
    expect(c.peek('b')).toBeUndefined();
    expect(c.peek('a')).toBe('aaaa');
    expect(c.peek('c')).toBe('cccc');
    expect(c.size).toBe(8);
  });

  it('serves but does not keep a value larger than the whole cache', async () => {
    const c = new LruCache<string, string>({ maxSize: 3, sizeOf: (v) => v.length });
    expect(await c.get('big', async () => 'xxxxx')).toBe('xxxxx');
    expect(c.count).toBe(0);
  });

  it('shares one load between concurrent gets and does not cache a failure', async () => {
    const c = new LruCache<string, number>({ maxSize: 100, sizeOf: () => 1 });
    let calls = 0;
    const load = async (): Promise<number> => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    expect(await Promise.all([c.get('k', load), c.get('k', load), c.get('k', load)])).toEqual([42, 42, 42]);
    expect(calls).toBe(1);
    await expect(c.get('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await c.get('bad', async () => 7)).toBe(7);
  });
});

describe('LruCache with memory held outside it', () => {
  it('gives up values while memory outside counts against the bound, keeping the value just stored', async () => {
    let outside = 0;
    const evicted: number[] = [];
    const c = new LruCache<string, string>({ maxSize: 10, sizeOf: (v) => v.length, outside: () => outside, onEvict: (n) => evicted.push(n) });
    await c.get('a', async () => 'aaa');
    await c.get('b', async () => 'bbb');
    await c.get('c', async () => 'ccc');
    expect(c.size).toBe(9);
    outside = 5; // the rest of the process now holds 5: 9 + 5 > 10
    c.set('d', 'dd');
    // a and b go (11 - 6 = 5 <= 10 - 5); c and d stay
    expect([c.peek('a'), c.peek('b'), c.peek('c'), c.peek('d')]).toEqual([undefined, undefined, 'ccc', 'dd']);
    expect(evicted).toEqual([3, 3]);
    outside = 50; // more than the whole bound outside: only the value being stored stays
    c.set('e', 'e');
    expect(c.count).toBe(1);
    expect(c.peek('e')).toBe('e');
    expect(evicted).toEqual([3, 3, 3, 2]);
  });

  it('keeps minSize whatever is held outside', async () => {
    const c = new LruCache<string, string>({ maxSize: 10, sizeOf: (v) => v.length, outside: () => 100, minSize: 6 });
    c.set('a', 'aaa');
    c.set('b', 'bbb');
    expect(c.size).toBe(6); // outside may claim at most 10 - 6
    c.set('c', 'ccc');
    expect([c.peek('a'), c.peek('b'), c.peek('c')]).toEqual([undefined, 'bbb', 'ccc']);
    // the cache's own bound still holds
    c.set('d', 'dddddddd');
    expect([c.peek('b'), c.peek('c'), c.peek('d')]).toEqual([undefined, undefined, 'dddddddd']);
  });
});
