import { describe, expect, it } from 'vitest';
import { tsneSchedule } from '../../../pipeline/tsne/schedule.js';
import { prepareTsne, TsneOptimizer, serialForces, exactRepulsion } from '../../../pipeline/tsne/index.js';
import type { TsneOptions } from '../../../pipeline/types.js';
import { resolveConfig } from '../../../pipeline/config.js';
import { tsneOptions } from '../../../pipeline/map.js';
import { blobs } from './fixtures.js';

const defaults = { iterations: 1000, earlyExaggeration: 12, exaggerationIterations: 250, exaggeration: 1, learningRate: null };

/** Standard deviation of a map's first coordinate (n x 2). */
function spread(y: ArrayLike<number>): number {
  const n = y.length / 2;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[2 * i]!;
  mean /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (y[2 * i]! - mean) ** 2;
  return Math.sqrt(s / n);
}

describe('the t-SNE schedule', () => {
  it('at every size: learning rate max(200, n / 12) in both phases, momentum 0.5 then 0.8, early exaggeration 12 for 250 of 1000 iterations', () => {
    const large = tsneSchedule(1_000_000, defaults);
    expect(large).toMatchObject({ iterations: 1000, exaggerationIterations: 250, earlyExaggeration: 12, exaggeration: 1, initialMomentum: 0.5, finalMomentum: 0.8 });
    expect(large.earlyLearningRate).toBeCloseTo(1_000_000 / 12, 9);
    expect(large.learningRate).toBeCloseTo(1_000_000 / 12, 9);
    expect(large.reason).toMatch(/^1,000,000 rows: learning rate max\(200, n \/ 12\) = 83333 in both phases, momentum 0.5 then 0.8, early exaggeration 12 for 250 of 1000 iterations \(bhtsne and FIt-SNE; at 250,000 rows none of the large-map schedules/);
    const small = tsneSchedule(1000, defaults);
    expect([small.earlyLearningRate, small.learningRate]).toEqual([200, 200]);
    expect(small.reason).toMatch(/^1,000 rows: learning rate max\(200, n \/ 12\) = 200 in both phases/);
  });

  it('early exaggeration auto: 12 from 600 rows, n / 50 below, at least 4, said in the reason; the run configuration asks for it by default', () => {
    const auto = { ...defaults, earlyExaggeration: 'auto' as const };
    expect(tsneSchedule(150, auto).earlyExaggeration).toBe(4);
    expect(tsneSchedule(200, auto).earlyExaggeration).toBe(4);
    expect(tsneSchedule(350, auto).earlyExaggeration).toBe(7);
    expect(tsneSchedule(600, auto).earlyExaggeration).toBe(12);
    expect(tsneSchedule(70_000, auto).earlyExaggeration).toBe(12);
    // the floor rate stays 200 below 2,400 rows; above, the rate follows the exaggeration actually used
    expect(tsneSchedule(350, auto).learningRate).toBe(200);
    expect(tsneSchedule(70_000, auto).learningRate).toBeCloseTo(70_000 / 12, 9);
    expect(tsneSchedule(214, auto).reason).toMatch(/early exaggeration 4\.28 \(auto: n \/ 50, at least 4, below 600 rows\) for 250 of 1000 iterations/);
    expect(tsneSchedule(70_000, auto).reason).toMatch(/, early exaggeration 12 for 250 of 1000 iterations \(/);
    expect(resolveConfig({ dataset: 'iris' }).earlyExaggeration).toBe('auto');
    expect(tsneOptions(resolveConfig({ dataset: 'iris' })).earlyExaggeration).toBe('auto');
    // an explicit 12 is obeyed on a small table
    expect(tsneSchedule(150, { ...defaults, earlyExaggeration: 12 }).earlyExaggeration).toBe(12);
  });

  it('obeys explicit options: a learning rate for both phases, iterations, early exaggeration, and an exaggeration after it', () => {
    const s = tsneSchedule(250_000, { iterations: 600, earlyExaggeration: 4, exaggerationIterations: 400, exaggeration: 2, learningRate: 1000 });
    expect(s).toMatchObject({ iterations: 600, earlyExaggeration: 4, exaggerationIterations: 400, exaggeration: 2, earlyLearningRate: 1000, learningRate: 1000 });
    expect(s.reason).toMatch(/^250,000 rows: learning rate 1000 \(as given\) in both phases, momentum 0.5 then 0.8, early exaggeration 4 for 400 of 600 iterations, exaggeration 2 after it \(/);
    // the automatic rate follows the early exaggeration; fewer iterations than the early phase cut it to fit
    expect(tsneSchedule(240_000, { ...defaults, earlyExaggeration: 4 }).learningRate).toBe(60_000);
    expect(tsneSchedule(5000, { ...defaults, iterations: 100 }).exaggerationIterations).toBe(100);
    // a run configuration's exaggeration and learning rate reach the engine (--exaggeration, --tsne-learning-rate)
    expect(tsneOptions(resolveConfig({ dataset: 'iris', exaggeration: 2, tsneLearningRate: 300 }))).toMatchObject({ exaggeration: 2, learningRate: 300 });
    expect(tsneOptions(resolveConfig({ dataset: 'iris' })).exaggeration).toBe(1);
    // options saved before the exaggeration setting existed: none after the early phase
    const { exaggeration: _e, ...old } = defaults;
    expect(tsneSchedule(5000, old).exaggeration).toBe(1);
  });

  it('is what the optimizer runs: an exaggeration after the early phase packs the same map tighter, and the early phase takes its own step size', () => {
    const { x } = blobs(300, 8, 4, 11);
    const options: TsneOptions = { engine: 'exact', perplexity: 20, iterations: 300, theta: 0.5, earlyExaggeration: 12, exaggerationIterations: 100, learningRate: null, seed: 5 };
    const prep = prepareTsne(x, options);
    const init = prep.optimizer.y.slice();
    const p = prep.optimizer.p;
    prep.dispose();
    const run = (over: { exaggeration?: number; earlyLearningRate?: number; iterations?: number }): Float64Array => {
      const o = new TsneOptimizer(p, init, { learningRate: 200, iterations: 300, earlyExaggeration: 12, exaggerationIterations: 100, forces: serialForces('exact', exactRepulsion), ...over });
      while (!o.done) o.step();
      return o.y;
    };
    const plain = spread(run({}));
    const packed = spread(run({ exaggeration: 4 }));
    expect(packed).toBeLessThan(0.6 * plain);
    // exaggeration 1 and an early rate equal to the late one are the defaults, to the bit
    expect(Array.from(run({ exaggeration: 1, earlyLearningRate: 200 }))).toEqual(Array.from(run({})));
    // a smaller early step leaves the map smaller at the end of the early phase
    expect(spread(run({ earlyLearningRate: 20, iterations: 100 }))).toBeLessThan(spread(run({ iterations: 100 })));
  });
});
