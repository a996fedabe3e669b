import { describe, expect, it } from 'vitest';
import { splitPasses } from '../../web/src/ui/charts.js';

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
