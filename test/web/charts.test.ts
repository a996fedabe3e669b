import { describe, expect, it } from 'vitest';
import { splitPasses, xTicks } from '../../web/src/ui/charts.js';

describe('splitPasses (the new-run dialog\'s t-SNE KL chart)', () => {
  it('cuts a per-iteration series where the iteration goes back, so no line joins one pass to the next', () => {
    const kl: [number, number][] = [[50, 3.1], [100, 2.5], [3000, 1.2], [50, 3.4], [100, 2.9], [1050, 1.6]];
    expect(splitPasses(kl)).toEqual([
      [[50, 3.1], [100, 2.5], [3000, 1.2]],
      [[50, 3.4], [100, 2.9], [1050, 1.6]],
    ]);
  });

  it('keeps one pass whole (repeated iterations included) and gives nothing for nothing', () => {
    expect(splitPasses([[0, 5], [10, 4], [10, 3.9], [20, 3]])).toEqual([[[0, 5], [10, 4], [10, 3.9], [20, 3]]]);
    expect(splitPasses([])).toEqual([]);
  });
});

describe('xTicks (the progress charts\' epoch and iteration axis)', () => {
  it('writes iterations as whole grouped numbers, never with a shared SI prefix ("0.2k")', () => {
    const t = xTicks([0, 1000], true);
    expect(t.values.map(t.format)).toEqual(['0', '200', '400', '600', '800', '1,000']);
  });

  it('gives an epoch axis whole numbers only, and a wide one stays readable', () => {
    const t = xTicks([1, 3], true);
    expect(t.values.map(t.format)).toEqual(['1', '2', '3']);
    const w = xTicks([0, 100000], true);
    expect(w.values.map(w.format)).toEqual(['0', '20,000', '40,000', '60,000', '80,000', '100,000']);
  });
});
