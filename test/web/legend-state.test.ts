import { describe, expect, it } from 'vitest';
import { clickCategory, countVisible, toggleCategory, visibilityMask } from '../../web/src/legend-state.js';

describe('legend clicks', () => {
  it('hides on the first click, isolates on the second, shows all on the third', () => {
    const h1 = clickCategory(new Set(), 2, 5);
    expect([...h1]).toEqual([2]);
    const h2 = clickCategory(h1, 2, 5);
    expect([...h2].sort()).toEqual([0, 1, 3, 4]);
    const h3 = clickCategory(h2, 2, 5);
    expect(h3.size).toBe(0);
  });

  it('hides classes one after another, and a click on a hidden class isolates it', () => {
    let h = clickCategory(new Set(), 0, 4);
    h = clickCategory(h, 1, 4);
    expect([...h].sort()).toEqual([0, 1]);
    h = clickCategory(h, 0, 4);
    expect([...h].sort()).toEqual([1, 2, 3]);
  });

  it('shift-click toggles one class without isolating', () => {
    const h = toggleCategory(new Set([1]), 1);
    expect(h.size).toBe(0);
    expect([...toggleCategory(h, 3)]).toEqual([3]);
  });

  it('never hides the last class of a single-class legend by isolation logic', () => {
    expect([...clickCategory(new Set(), 0, 1)]).toEqual([0]);
    expect(clickCategory(new Set([0]), 0, 1).size).toBe(0);
  });
});

describe('visibilityMask', () => {
  it('is null when nothing is hidden, and marks hidden categories 0', () => {
    const codes = Int32Array.from([0, 1, 2, -1, 1]);
    expect(visibilityMask(codes, new Set())).toBeNull();
    const m = visibilityMask(codes, new Set([1]))!;
    expect(Array.from(m)).toEqual([1, 0, 1, 1, 0]);
    expect(countVisible(m, 5)).toBe(3);
    expect(Array.from(visibilityMask(codes, new Set(), true)!)).toEqual([1, 1, 1, 0, 1]);
    expect(countVisible(null, 5)).toBe(5);
  });
});
