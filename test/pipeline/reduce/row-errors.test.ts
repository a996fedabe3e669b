import { describe, expect, it } from 'vitest';
import { blockRowErrors, rowErrors } from '../../../pipeline/reduce/row-errors.js';
import { pcaReducer } from '../../../pipeline/reduce/pca-reducer.js';
import { pcaReconstruct, pcaTransform } from '../../../pipeline/reduce/pca.js';
import { fitPca } from '../../../pipeline/reduce/pca.js';
import { defaultConfig } from '../../../pipeline/config.js';
import { createRandom } from '../../../pipeline/random.js';
import type { Matrix } from '../../../pipeline/types.js';

function randomRows(n: number, d: number, seed: number): Matrix {
  const r = createRandom(seed);
  const values = new Float32Array(n * d);
  for (let i = 0; i < values.length; i++) values[i] = r();
  return { rows: n, cols: d, values };
}

describe('row errors', () => {
  it('gives the squared and cross-entropy errors of known rows', () => {
    const x = { rows: 2, cols: 2, values: Float32Array.from([1, 0, 0.5, 0.5]) };
    const r = { rows: 2, cols: 2, values: Float32Array.from([0.5, 0.5, 0.5, 0.5]) };
    expect(Array.from(rowErrors(x, r, 'mse'))).toEqual([0.25, 0]);
    const bce = rowErrors(x, r, 'bce');
    expect(bce[0]).toBeCloseTo(Math.log(2), 6);
    expect(bce[1]).toBeCloseTo(Math.log(2), 6);
  });

  it('block by block gives the same figures as over the whole reconstruction, reconstructing at most a block of rows at a time', () => {
    const x = randomRows(1003, 7, 11);
    const pca = fitPca(x, 3, 1);
    const reconstruct = (m: Matrix): Matrix => pcaReconstruct(pca, pcaTransform(pca, m));
    const whole = rowErrors(x, reconstruct(x), 'mse');
    const largest: number[] = [];
    const blocked = blockRowErrors(x, (m) => (largest.push(m.rows), reconstruct(m)), 'mse', 100);
    expect(Array.from(blocked)).toEqual(Array.from(whole));
    expect(largest).toHaveLength(11);
    expect(Math.max(...largest)).toBe(100);
    expect(largest.at(-1)).toBe(3);
    expect(whole[0]).toBeGreaterThan(0);
  });

  it('PCA reducer row errors reconstruct block by block and match the whole reconstruction', async () => {
    const x = randomRows(9000, 12, 4);
    const reducer = await pcaReducer.fit(x, { config: defaultConfig(), codeSize: 4, layers: [], epochs: 0, loss: 'mse' });
    const whole = rowErrors(x, reducer.reconstruct(x)!, 'mse');
    const blocked = reducer.rowErrors(x)!;
    expect(blocked).toHaveLength(9000);
    for (const i of [0, 4095, 4096, 8191, 8192, 8999]) expect(blocked[i]).toBeCloseTo(whole[i]!, 7);
    let mean = 0;
    for (const v of whole) mean += v / whole.length;
    expect(reducer.report.reconstruction.train).toBeCloseTo(mean, 6);
  });

  it('PCA reducer reports the share of the total variance its components keep', async () => {
    // two columns: variance 4 along the first, 1 along the second; one component keeps 4 / 5
    const r = createRandom(3);
    const n = 20000;
    const values = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      values[2 * i] = 2 * r.normal() + 5;
      values[2 * i + 1] = r.normal() - 1;
    }
    const reducer = await pcaReducer.fit({ rows: n, cols: 2, values }, { config: defaultConfig(), codeSize: 1, layers: [], epochs: 0, loss: 'mse' });
    expect(reducer.report.reconstruction.explainedVariance).toBeCloseTo(0.8, 2);
  });
});
