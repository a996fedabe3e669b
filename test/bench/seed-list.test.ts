import { describe, expect, it } from 'vitest';
import { FlagError } from '../../bench/flags.js';
import { seedList } from '../../bench/quality/seed-list.js';

describe('--seeds of bench:quality and bench/quality-seeds.ts (seedList)', () => {
  it('takes a count (42, then 1 .. N-1) or a list (in order, repeats dropped)', () => {
    expect(seedList('1')).toEqual([42]);
    expect(seedList('5')).toEqual([42, 1, 2, 3, 4]);
    expect(seedList('42,7, 3,7')).toEqual([42, 7, 3]);
    expect(seedList('3,')).toEqual([3]);
    expect(seedList('')).toBeNull();
  });

  it('refuses what is not a count of at least 1 or a list of whole numbers', () => {
    for (const text of ['0', 'x', '2.5', '1,x', ',', '-1,2']) expect(() => seedList(text), text).toThrow(FlagError);
  });
});
