import { describe, expect, it } from 'vitest';
import { neighbourPreservation } from '../../pipeline/metrics.js';
import { runQuality } from '../../pipeline/quality.js';
import type { Matrix, NeighborGraph } from '../../pipeline/types.js';
import { blobs } from './tsne/fixtures.js';

const column = (values: number[]): Matrix => ({ rows: values.length, cols: 1, values: Float32Array.from(values) });
const onLine = (xs: number[]): Float32Array => Float32Array.from(xs.flatMap((x) => [x, 0]));

describe('per-row neighbourhood preservation', () => {
  it('counts the share of each row\'s k input neighbours among its k map neighbours (hand-checked, k = 2)', async () => {
    // input: two groups on a line, {0, 1, 2} and {10, 11, 12}; the map moves row 2 into the second group
    const input = column([0, 1, 2, 10, 11, 12]);
    const map = onLine([0, 1, 11.4, 10, 11, 12.2]);
    // input neighbours: 0:{1,2} 1:{0,2} 2:{1,0} 3:{4,5} 4:{3,5} 5:{4,3}
    // map neighbours:   0:{1,3} 1:{0,3} 2:{4,5} 3:{4,2} 4:{2,3} 5:{2,4}
    const q = await runQuality(input, null, map, null, { k: 2, sample: 100, seed: 1 });
    expect(Array.from(q.preservation)).toEqual([0.5, 0.5, 0, 0.5, 0.5, 0.5]);
    expect(q.knnPreservation).toBeCloseTo(2.5 / 6, 12);
    expect(q.k).toBe(2);
  });

  it('is 1 for every row when the map keeps the order of a line', async () => {
    const xs = [0, 1, 2, 3, 10, 11, 12, 13];
    const q = await runQuality(column(xs), null, onLine(xs.map((x) => 3 * x + 1)), null, { k: 3, sample: 100, seed: 1 });
    expect(Array.from(q.preservation)).toEqual(xs.map(() => 1));
    expect(q.trustworthiness).toBe(1);
  });

  it('compares two graphs row by row', () => {
    const g = (indices: number[]): NeighborGraph => ({ n: 3, k: 1, indices: Int32Array.from(indices), distances: new Float32Array(3) });
    expect(Array.from(neighbourPreservation(g([1, 0, 1]), g([1, 2, 1])))).toEqual([1, 0, 1]);
  });
});

describe('run quality against the input', () => {
  it('judges the map against the input, not the codes: codes that lose the structure give a faithful map of the codes but a poor map of the input', async () => {
    // input: 2-D, the first column separates two groups; the codes keep only the second column (noise)
    const n = 60;
    const input = new Float32Array(2 * n);
    const codes = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      input[2 * i] = i < n / 2 ? 0 : 100;
      input[2 * i + 1] = ((i * 37) % n) / n;
      codes[i] = input[2 * i + 1]!;
    }
    const labels = Array.from({ length: n }, (_, i) => (i < n / 2 ? 'a' : 'b'));
    const map = onLine(Array.from(codes)); // the map lays the codes out exactly
    const q = await runQuality({ rows: n, cols: 2, values: input }, { rows: n, cols: 1, values: codes }, map, labels, { k: 5, sample: 1000, seed: 1 });
    expect(q.mapVsCodes!.trustworthiness).toBe(1);
    expect(q.mapVsCodes!.knnPreservation).toBe(1);
    expect(q.codes!.trustworthiness).toBeCloseTo(q.trustworthiness, 12);
    expect(q.trustworthiness).toBeLessThan(0.8);
    expect(q.labelAccuracy).toBeLessThan(0.8);
    // a map of the input itself keeps the groups apart
    const good = await runQuality({ rows: n, cols: 2, values: input }, null, onLine(Array.from({ length: n }, (_, i) => input[2 * i]! + input[2 * i + 1]!)), labels, { k: 5, sample: 1000, seed: 1 });
    expect(good.labelAccuracy).toBe(1);
    expect(good.trustworthiness).toBeGreaterThan(0.95);
    expect(good.codes).toBeNull();
  });
});

describe('the input held once: its neighbour search in the memory it fills', () => {
  it('gives the figures of a search on a copy (6,000 rows: the approximate search), and leaves the rows in order', async () => {
    const { x, labels } = blobs(6000, 24, 6, 3);
    const { x: codes } = blobs(6000, 4, 6, 4);
    const map = Float32Array.from({ length: 12000 }, (_, t) => x.values[(t >> 1) * 24 + (t & 1)]!);
    const opts = { k: 10, sample: 300, seed: 5 };
    const copied = await runQuality(x, codes, map, labels, opts);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(x.values.byteLength / 65536) });
    new Float32Array(memory.buffer, 0, x.values.length).set(x.values);
    const held = await runQuality({ ...x, values: new Float32Array(memory.buffer, 0, x.values.length) }, codes, map, labels, { ...opts, inputMemory: memory });
    expect(held).toEqual(copied);
    expect(copied.trustworthiness).toBeGreaterThan(0.5);
    expect(Array.from(new Float32Array(memory.buffer, 0, x.values.length))).toEqual(Array.from(x.values));
  });
});

describe('what the run quality says it measured', () => {
  it('names the sample of the headline figures (at most the metrics sample, every row of a smaller run) and how the input neighbours were found', async () => {
    const { x, labels } = blobs(900, 12, 3, 8);
    const map = Float32Array.from({ length: 1800 }, (_, t) => x.values[(t >> 1) * 12 + (t & 1)]!);
    const sampled = await runQuality(x, null, map, labels, { k: 10, sample: 400, seed: 2 });
    expect(sampled.sample).toBe(400);
    expect(sampled.sampleK).toBe(10);
    expect(sampled.inputNeighbours.method).toBe('search');
    expect(sampled.inputNeighbours.reason).toMatch(/approximate neighbour search on the prepared input \(900 x 12/);
    expect(sampled.preservation.length).toBe(900);
    const whole = await runQuality(x, null, map, labels, { k: 10, sample: 10000, seed: 2 });
    expect(whole.sample).toBe(900);
    // the per-row preservation does not depend on the sample
    expect(Array.from(whole.preservation)).toEqual(Array.from(sampled.preservation));
    expect(whole.trustworthiness).not.toBe(sampled.trustworthiness);
  });
});
