// Reducer pca: the top principal axes of the prepared rows (pca.ts), saved as model/pca.json.
import { InputError } from '../errors.js';
import { deriveSeed } from '../random.js';
import type { Matrix, PcaModel } from '../types.js';
import { fitPca, pcaFromJSON, pcaReconstruct, pcaToJSON, pcaTransform } from './pca.js';
import { meanOf, type Reducer, type ReducerMethod } from './reducer.js';
import { rowErrors } from './row-errors.js';
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
    // PCA reconstructions are unbounded, so their error is always the squared error
    rowErrors: (x) => rowErrors(x, rec(x), 'mse'),
    save: async (runDir) => ({ pca: await writePcaJson(runDir, pcaToJSON(pca)) }),
    report: { backend: 'none', history: [], reconstruction, notes: [], description: `PCA, ${k} components` },
    dispose: () => {},
  };
}

export const pcaReducer: ReducerMethod = {
  name: 'pca',
  async fit(x, settings) {
    const k = Math.min(settings.codeSize, x.cols, x.rows);
    const pca = fitPca(x, k, deriveSeed(settings.config.seed, 'pca'));
    const reducer = fitted(pca, { loss: 'mse', train: null, validation: null });
    reducer.report.reconstruction.train = meanOf(reducer.rowErrors(x)!);
    let total = 0;
    for (let c = 0; c < x.cols; c++) {
      let s = 0;
      let q = 0;
      for (let r = 0; r < x.rows; r++) s += x.values[r * x.cols + c]!;
      const m = s / x.rows;
      for (let r = 0; r < x.rows; r++) q += (x.values[r * x.cols + c]! - m) ** 2;
      total += q / Math.max(1, x.rows - 1);
    }
    let kept = 0;
    for (const v of pca.explainedVariance) kept += v;
    reducer.report.reconstruction.explainedVariance = total > 0 ? Math.min(1, kept / total) : 1;
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
