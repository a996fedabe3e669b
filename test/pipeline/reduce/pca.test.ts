import { describe, expect, it } from 'vitest';
import { fitPca, pcaFromJSON, pcaReconstruct, pcaToJSON, pcaTransform, jacobiEigen } from '../../../pipeline/reduce/pca.js';
import { isInputError } from '../../../pipeline/errors.js';
import { createRandom } from '../../../pipeline/random.js';
import type { Matrix } from '../../../pipeline/types.js';
import { pcaReducer } from '../../../pipeline/reduce/pca-reducer.js';
import { noneReducer } from '../../../pipeline/reduce/none.js';
import { defaultConfig } from '../../../pipeline/config.js';

/** Random orthonormal d x d basis (Gram-Schmidt of Gaussian vectors); rows are the axes. */
function basis(d: number, seed: number): Float64Array {
  const r = createRandom(seed);
  const q = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let t = 0; t < d; t++) q[a * d + t] = r.normal();
    for (let b = 0; b < a; b++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += q[a * d + t]! * q[b * d + t]!;
      for (let t = 0; t < d; t++) q[a * d + t]! -= s * q[b * d + t]!;
    }
    let n = 0;
    for (let t = 0; t < d; t++) n += q[a * d + t]! ** 2;
    for (let t = 0; t < d; t++) q[a * d + t]! /= Math.sqrt(n);
  }
  return q;
}

/** n rows with standard deviation sd[a] along axis a of the basis, plus an offset. */
function dataWith(n: number, d: number, sd: number[], seed: number): { x: Matrix; axes: Float64Array } {
  const axes = basis(d, seed);
  const r = createRandom(seed + 1);
  const values = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const c = r.normal() * sd[a]!;
      for (let t = 0; t < d; t++) values[i * d + t]! += c * axes[a * d + t]!;
    }
    for (let t = 0; t < d; t++) values[i * d + t]! += 3 + t;
  }
  return { x: { rows: n, cols: d, values }, axes };
}

describe('PCA', () => {
  const sd = [10, 6, 3, 1, 0.5, 0.3, 0.2, 0.1];
  const d = sd.length;
  const { x, axes } = dataWith(4000, d, sd, 5);

  it('recovers a known decomposition: axes (up to sign), variances and the mean', () => {
    const m = fitPca(x, 3, 1);
    for (let a = 0; a < 3; a++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += m.components.values[a * d + t]! * axes[a * d + t]!;
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
      expect(Math.sqrt(m.explainedVariance[a]!) / sd[a]!).toBeGreaterThan(0.95);
      expect(Math.sqrt(m.explainedVariance[a]!) / sd[a]!).toBeLessThan(1.05);
    }
    for (let t = 0; t < d; t++) expect(m.mean[t]!).toBeCloseTo(3 + t, 0);
  });

  it('is deterministic and the axes are orthonormal', () => {
    const a = fitPca(x, 4, 2);
    const b = fitPca(x, 4, 2);
    expect(b.components.values).toEqual(a.components.values);
    for (let p = 0; p < 4; p++) {
      for (let q = 0; q < 4; q++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += a.components.values[p * d + t]! * a.components.values[q * d + t]!;
        expect(s).toBeCloseTo(p === q ? 1 : 0, 5);
      }
    }
  });

  it('reports its progress as it fits, rising to below 1, the same model with or without (an outside tester saw "train 0 %" for 30 s)', async () => {
    const seen: number[] = [];
    const m = fitPca(x, 4, 2, (f) => seen.push(f));
    expect(m.components.values).toEqual(fitPca(x, 4, 2).components.values);
    expect(seen.length).toBeGreaterThan(20);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(1);
    expect(seen.at(-1)).toBeGreaterThan(0.9);
    // the reducer reports them as the train stage
    const stages: [number, string][] = [];
    await pcaReducer.fit(x, { config: defaultConfig(), codeSize: 3, layers: [], epochs: 0, loss: 'mse' }, { onProgress: (p, stage) => stages.push([p, stage]) });
    expect(stages.length).toBeGreaterThan(20);
    expect(stages.every(([p, stage]) => stage === 'train' && p > 0 && p < 1)).toBe(true);
  });

  it('transform then reconstruct with all components gives the rows back', () => {
    const m = fitPca(x, d, 3);
    const codes = pcaTransform(m, x);
    expect(codes.cols).toBe(d);
    const back = pcaReconstruct(m, codes);
    let err = 0;
    for (let t = 0; t < x.values.length; t++) err = Math.max(err, Math.abs(back.values[t]! - x.values[t]!));
    expect(err).toBeLessThan(1e-3);
  });

  it('codes are uncorrelated with variances in decreasing order', () => {
    const m = fitPca(x, 3, 4);
    const c = pcaTransform(m, x);
    const v = [0, 0, 0];
    let cov01 = 0;
    for (let i = 0; i < c.rows; i++) {
      for (let a = 0; a < 3; a++) v[a]! += c.values[i * 3 + a]! ** 2;
      cov01 += c.values[i * 3]! * c.values[i * 3 + 1]!;
    }
    expect(v[0]!).toBeGreaterThan(v[1]!);
    expect(v[1]!).toBeGreaterThan(v[2]!);
    expect(Math.abs(cov01) / Math.sqrt(v[0]! * v[1]!)).toBeLessThan(1e-3);
  });

  it('estimates the axes from a sample when there are many rows, close to the full fit', () => {
    const big = dataWith(25000, 6, [8, 4, 2, 1, 0.5, 0.25], 9);
    const m = fitPca(big.x, 2, 1);
    for (let a = 0; a < 2; a++) {
      let dot = 0;
      for (let t = 0; t < 6; t++) dot += m.components.values[a * 6 + t]! * big.axes[a * 6 + t]!;
      expect(Math.abs(dot)).toBeGreaterThan(0.999);
    }
  });

  it('round-trips through JSON and rejects malformed models', () => {
    const m = fitPca(x, 2, 5);
    const back = pcaFromJSON(JSON.parse(JSON.stringify(pcaToJSON(m))));
    expect(back.components.values).toEqual(m.components.values);
    expect(back.mean).toEqual(m.mean);
    expect(() => pcaFromJSON({ format: 'latentmap-pca', components: 2, columns: 3, mean: [1, 2], axes: [], explainedVariance: [] })).toThrow(/mean must be 3/);
    try {
      pcaFromJSON({});
      expect.unreachable();
    } catch (e) {
      expect(isInputError(e)).toBe(true);
    }
  });

  it('rejects more components than the data has and inputs of the wrong width', () => {
    expect(() => fitPca(x, d + 1, 0)).toThrow(/at most 8/);
    const m = fitPca(x, 2, 0);
    expect(() => pcaTransform(m, { rows: 1, cols: 3, values: new Float32Array(3) })).toThrow(/expects 8 columns/);
  });

  it('decodes a mean code to the mean of the rows’ reconstructions (the inverse transform is affine)', async () => {
    const reducer = await pcaReducer.fit(x, { config: defaultConfig(), codeSize: 3, layers: [], epochs: 0, loss: 'mse' });
    const rows = { rows: 100, cols: d, values: x.values.slice(0, 100 * d) };
    const codes = reducer.encode(rows);
    const meanCode = new Float32Array(3);
    for (let i = 0; i < 100; i++) for (let a = 0; a < 3; a++) meanCode[a]! += codes.values[i * 3 + a]! / 100;
    const decoded = reducer.decode({ rows: 1, cols: 3, values: meanCode })!;
    const rec = reducer.reconstruct(rows)!;
    expect(decoded.cols).toBe(d);
    for (let t = 0; t < d; t++) {
      let m = 0;
      for (let i = 0; i < 100; i++) m += rec.values[i * d + t]! / 100;
      expect(decoded.values[t]).toBeCloseTo(m, 3);
    }
    // a row's own code decodes to its reconstruction
    const one = reducer.decode({ rows: 1, cols: 3, values: codes.values.slice(0, 3) })!;
    for (let t = 0; t < d; t++) expect(one.values[t]).toBeCloseTo(rec.values[t]!, 4);
    // reducer none keeps no model: nothing to decode
    const none = await noneReducer.fit(rows, { config: defaultConfig(), codeSize: d, layers: [], epochs: 0, loss: 'mse' });
    expect(none.decode(codes)).toBeNull();
  });

  it('handles data with no variance without NaN', () => {
    const flat = { rows: 50, cols: 4, values: new Float32Array(200).fill(2) };
    const m = fitPca(flat, 2, 0);
    for (const v of pcaTransform(m, flat).values) expect(v).toBe(0);
  });

  it('Jacobi finds the eigenvalues of a known symmetric matrix', () => {
    // [[2,1],[1,2]] has eigenvalues 1 and 3
    const { eigenvalues } = jacobiEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(eigenvalues).sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
  });
});
