// Reducer pca: the top principal axes of the prepared rows (pca.ts), saved as model/pca.json.
import { InputError } from '../errors.js';
import { deriveSeed } from '../random.js';
import type { Matrix, PcaModel } from '../types.js';
import { fitPca, pcaFromJSON, pcaReconstruct, pcaToJSON, pcaTransform } from './pca.js';
import { meanOf, type Reducer, type ReducerMethod } from './reducer.js';
import { blockRowErrors } from './row-errors.js';
import { readPcaJson, writePcaJson } from '../runs/run-dir.js';

function fitted(pca: PcaModel, reconstruction: Reducer['report']['reconstruction']): Reducer {
  const k = pca.components.rows;
  const rec = (x: Matrix): Matrix => pcaReconstruct(pca, pcaTransform(pca, x));
  return {
    name: 'pca',
    codeSize: k,
    encode: (x) => pcaTransform(pca, x),
    reconstruct: rec,
    decode: (codes) => pcaReconstruct(pca, codes),
    // PCA reconstructions are unbounded, so their error is always the squared error (block by block: no
    // reconstruction of the whole matrix)
    rowErrors: (x) => blockRowErrors(x, rec, 'mse'),
    save: async (runDir) => ({ pca: await writePcaJson(runDir, pcaToJSON(pca)) }),
    report: { backend: 'none', history: [], reconstruction, notes: [], description: `PCA, ${k} components` },
    dispose: () => {},
  };
}

export const pcaReducer: ReducerMethod = {
  name: 'pca',
  async fit(x, settings, hooks) {
    const k = Math.min(settings.codeSize, x.cols, x.rows);
    // the fit is one synchronous pass or a few: its progress is reported as it goes (the train stage)
    const report = hooks?.onProgress && ((f: number) => hooks.onProgress!(0.9 * f, 'train'));
    const pca = fitPca(x, k, deriveSeed(settings.config.seed, 'pca'), report);
    const reducer = fitted(pca, { loss: 'mse', train: null, validation: null });
    reducer.report.reconstruction.train = meanOf(reducer.rowErrors(x)!);
    const total = totalVariance(x);
    let kept = 0;
    for (const v of pca.explainedVariance) kept += v;
    reducer.report.reconstruction.explainedVariance = total > 0 ? Math.min(1, kept / total) : 1;
    reducer.report.spectrum = { componentVariance: Array.from(pca.explainedVariance), totalVariance: total };
    return reducer;
  },
  async load(runDir) {
    let json: unknown;
    try {
      json = await readPcaJson(runDir);
    } catch (err) {
      throw new InputError('cannot read the saved PCA model; is this a run made with --reducer pca?', { field: 'run' }, { cause: err });
    }
    return fitted(pcaFromJSON(json), { loss: 'mse', train: null, validation: null });
  },
};

/** Sum of the columns' sample variances (two passes along the rows, in float64). */
function totalVariance(x: Matrix): number {
  const { rows, cols, values } = x;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0, o = r * cols; c < cols; c++) mean[c]! += values[o + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  const squares = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0, o = r * cols; c < cols; c++) {
      const d = values[o + c]! - mean[c]!;
      squares[c]! += d * d;
    }
  }
  let total = 0;
  for (let c = 0; c < cols; c++) total += squares[c]! / Math.max(1, rows - 1);
  return total;
}
