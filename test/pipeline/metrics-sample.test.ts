import { describe, expect, it } from 'vitest';
import { majorityLabel, mapMetrics, sampleRows } from '../../pipeline/metrics.js';
import { sampleQuality } from '../../pipeline/metrics-sample.js';
import { createRandom } from '../../pipeline/random.js';
import type { Matrix } from '../../pipeline/types.js';
import { blobs } from './tsne/fixtures.js';

const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** The sampled rows of m as a matrix of their own. */
function rowsOf(m: Matrix, rows: Int32Array): Matrix {
  const values = new Float32Array(rows.length * m.cols);
  rows.forEach((r, t) => values.set(m.values.subarray(r * m.cols, (r + 1) * m.cols), t * m.cols));
  return { rows: rows.length, cols: m.cols, values };
}

/** A noisy 2-D map of x: its first two columns plus seeded noise. */
function noisyMap(x: Matrix, noise: number, seed: number): Matrix {
  const r = createRandom(seed);
  const values = Float32Array.from({ length: 2 * x.rows }, (_, t) => x.values[(t >> 1) * x.cols + (t & 1)]! + noise * r.normal());
  return { rows: x.rows, cols: 2, values };
}

/** Share of rows whose k nearest other rows (exact, squared distances, ties: lower index) vote their own label. */
function bruteVote(m: Matrix, labels: (string | number | null)[], k: number): number {
  let correct = 0;
  for (let i = 0; i < m.rows; i++) {
    const d: [number, number][] = [];
    for (let j = 0; j < m.rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let c = 0; c < m.cols; c++) s += (m.values[i * m.cols + c]! - m.values[j * m.cols + c]!) ** 2;
      d.push([s, j]);
    }
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const near = Int32Array.from(d.slice(0, k), (e) => e[1]);
    if (majorityLabel(near, (j) => labels[j], new Map()) === labels[i]) correct++;
  }
  return correct / m.rows;
}

describe('headline quality within a sample', () => {
  it('on every row, gives the exact all-rows figures of mapMetrics (trustworthiness, kNN preservation, label accuracy)', () => {
    const { x, labels } = blobs(700, 20, 5, 1);
    const map = noisyMap(x, 2, 2);
    const q = sampleQuality(x, null, map, labels, all(700), 10);
    const ref = mapMetrics(x, map.values, labels, { k: 10, sample: 700 });
    expect(q.map.trustworthiness).toBeCloseTo(ref.trustworthiness, 12);
    expect(q.map.knnPreservation).toBeCloseTo(ref.knnPreservation, 12);
    expect(q.labelAccuracy).toBe(ref.labelAccuracy);
    // a map that is not trivially good or bad
    expect(ref.trustworthiness).toBeGreaterThan(0.6);
    expect(ref.trustworthiness).toBeLessThan(0.99);
    expect(q.codes).toBeNull();
    expect(q.mapVsCodes).toBeNull();
  });

  it('on a sample, gives the figures of the sampled rows taken as a dataset of their own, for all three comparisons', () => {
    const { x, labels } = blobs(3000, 16, 6, 3);
    const codes = noisyMap(x, 0.5, 4);
    const map = noisyMap(x, 3, 5);
    const sample = sampleRows(3000, 600, 7);
    const q = sampleQuality(x, codes, map, labels, sample, 10);
    const sx = rowsOf(x, sample);
    const sc = rowsOf(codes, sample);
    const sm = rowsOf(map, sample);
    const sl = Array.from(sample, (r) => labels[r]!);
    const opts = { k: 10, sample: 600 };
    const mapRef = mapMetrics(sx, sm.values, sl, opts);
    const codesRef = mapMetrics(sx, sc.values, null, opts);
    const mapVsCodesRef = mapMetrics(sc, sm.values, null, opts);
    expect(q.map.trustworthiness).toBeCloseTo(mapRef.trustworthiness, 12);
    expect(q.map.knnPreservation).toBeCloseTo(mapRef.knnPreservation, 12);
    expect(q.labelAccuracy).toBe(mapRef.labelAccuracy);
    expect(q.codes!.trustworthiness).toBeCloseTo(codesRef.trustworthiness, 12);
    expect(q.codes!.knnPreservation).toBeCloseTo(codesRef.knnPreservation, 12);
    expect(q.mapVsCodes!.trustworthiness).toBeCloseTo(mapVsCodesRef.trustworthiness, 12);
    expect(q.mapVsCodes!.knnPreservation).toBeCloseTo(mapVsCodesRef.knnPreservation, 12);
    // the less noisy codes keep more of the input than the map does
    expect(q.codes!.knnPreservation!).toBeGreaterThan(q.map.knnPreservation!);
  });

  it('counts only labelled rows for label accuracy and skips unlabelled neighbours (hand-checked, k = 1)', () => {
    // a line: 0 1 2 | 10 11 12 (two groups); the map is the line itself
    const x: Matrix = { rows: 6, cols: 1, values: Float32Array.from([0, 1, 2, 10, 11, 12]) };
    const map: Matrix = { rows: 6, cols: 2, values: Float32Array.from([0, 0, 1, 0, 2, 0, 10, 0, 11, 0, 12, 0]) };
    const q = sampleQuality(x, null, map, ['a', 'a', null, 'b', 'b', 'a'], all(6), 1);
    // row 0 -> 1 (a: right); 1 -> 0 (tie with 2 goes to the lower index: a, right); 2 unlabelled, not counted;
    // 3 -> 4 (b: right); 4 -> 3 (tie with 5: b, right); 5 -> 4 (b: wrong)
    expect(q.labelAccuracy).toBeCloseTo(4 / 5, 12);
    expect(q.map.trustworthiness).toBe(1);
  });

  it('gives the same label vote in the input and in the codes within the sample: what a map of the sample can be held to', () => {
    const { x, labels } = blobs(3000, 16, 6, 3);
    const codes = noisyMap(x, 0.5, 4);
    const map = noisyMap(x, 3, 5);
    const sample = sampleRows(3000, 600, 7);
    const q = sampleQuality(x, codes, map, labels, sample, 10);
    const sl = Array.from(sample, (r) => labels[r]!);
    // each space's vote is a brute-force 10-NN vote among the sampled rows of that space
    expect(q.inputLabelAccuracy).toBeCloseTo(bruteVote(rowsOf(x, sample), sl, 10), 12);
    expect(q.codesLabelAccuracy).toBeCloseTo(bruteVote(rowsOf(codes, sample), sl, 10), 12);
    expect(q.labelAccuracy).toBeCloseTo(bruteVote(rowsOf(map, sample), sl, 10), 12);
    // blobs: the input separates the labels best, the noisier the space the worse
    expect(q.inputLabelAccuracy!).toBeGreaterThan(q.codesLabelAccuracy!);
    expect(q.codesLabelAccuracy!).toBeGreaterThan(q.labelAccuracy!);
    expect(sampleQuality(x, null, map, labels, sample, 10).codesLabelAccuracy).toBeNull();
    expect(sampleQuality(x, codes, map, null, sample, 10).inputLabelAccuracy).toBeNull();
  });

  it('refuses a sample too small for k', () => {
    const x: Matrix = { rows: 10, cols: 1, values: Float32Array.from({ length: 10 }, (_, i) => i) };
    expect(() => sampleQuality(x, null, { rows: 10, cols: 2, values: new Float32Array(20) }, null, all(10), 7)).toThrow(/at least 12 rows, got 10/);
  });
});
