import { describe, expect, it } from 'vitest';
import { sampleQuality } from '../../pipeline/metrics-sample.js';
import { PARALLEL_MIN_WORK, sampleQualityParallel } from '../../pipeline/metrics-sample-parallel.js';
import { sampleRows } from '../../pipeline/metrics.js';
import { createRandom } from '../../pipeline/random.js';
import type { Matrix } from '../../pipeline/types.js';
import { blobs } from './tsne/fixtures.js';

/** A noisy copy of x's first `cols` columns. */
function noisy(x: Matrix, cols: number, noise: number, seed: number): Matrix {
  const r = createRandom(seed);
  const values = Float32Array.from({ length: cols * x.rows }, (_, t) => x.values[Math.floor(t / cols) * x.cols + (t % cols)]! + noise * r.normal());
  return { rows: x.rows, cols, values };
}

describe('the headline quality figures on two threads (sampleQualityParallel)', () => {
  const { x, labels } = blobs(3000, 16, 6, 3);
  const codes = noisy(x, 4, 0.5, 4);
  const map = noisy(x, 2, 2, 5);
  // a few labels missing: the labelled count is summed across the threads too
  const withMissing = labels.map((l, i) => (i % 97 === 0 ? null : l));
  const sample = sampleRows(3000, 2000, 7);

  it('gives sampleQuality\'s figures to the last bit, the rows split with a helper thread', async () => {
    const one = sampleQuality(x, codes, map, withMissing, sample, 10);
    const two = await sampleQualityParallel(x, codes, map, withMissing, sample, 10, { minWork: 0 });
    expect(two).toEqual(one);
    // not trivially perfect or empty figures
    expect(one.map.trustworthiness).toBeGreaterThan(0.6);
    expect(one.map.trustworthiness).toBeLessThan(0.999);
    expect(one.labelAccuracy).toBeGreaterThan(0.3);
  }, 60_000);

  it('does this thread\'s half and the helper\'s when the helper fails, with the same figures', async () => {
    const one = sampleQuality(x, null, map, labels, sample, 10);
    const failing = new URL('../fixtures/failing-worker.ts', import.meta.url);
    expect(await sampleQualityParallel(x, null, map, labels, sample, 10, { minWork: 0, worker: failing })).toEqual(one);
  }, 60_000);

  it('keeps a small sample on one thread, and refuses a sample too small for k as sampleQuality does', async () => {
    // 2,000 x 2,000 x 22 columns = 8.8e7, far below the threshold: one thread
    expect(2000 * 2000 * 22).toBeLessThan(PARALLEL_MIN_WORK);
    expect(await sampleQualityParallel(x, codes, map, labels, sample, 10)).toEqual(sampleQuality(x, codes, map, labels, sample, 10));
    await expect(sampleQualityParallel(x, null, map, null, sample.subarray(0, 10), 7)).rejects.toThrow(/at least 12 rows, got 10/);
  }, 60_000);
});
