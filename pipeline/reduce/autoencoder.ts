// Reducer autoencoder: trains the configured variant (pipeline/autoencoder) and encodes with it; saves the model
// in TensorFlow.js format beside its options (model/model.json, weights.bin, autoencoder.json).
import path from 'node:path';
import { autoencoderOptions, loadAutoencoder, splitRows, trainAutoencoder, type Autoencoder } from '../autoencoder/index.js';
import { initBackend } from '../backend.js';
import { deriveSeed } from '../random.js';
import { modelDir, modelDirOf } from '../runs/run-dir.js';
import type { Reducer, ReducerMethod, ReducerReport } from './reducer.js';

function wrap(ae: Autoencoder, report: ReducerReport): Reducer {
  return {
    name: 'autoencoder',
    codeSize: ae.options.codeSize,
    encode: (x) => ae.encode(x),
    reconstruct: (x) => ae.reconstruct(x),
    decode: (codes) => ae.decode(codes),
    rowErrors: (x) => ae.rowErrors(x),
    ...(ae.options.variant === 'vae' ? { sample: (count: number, seed: number) => ae.sample(count, seed) } : {}),
    save: async (runDir) => {
      const out: Record<string, string> = {};
      // model.json (TensorFlow.js layers model), weights.bin, autoencoder.json (the options to rebuild it)
      const dir = await modelDir(runDir);
      for (const f of await ae.save(dir)) out[path.basename(f, path.extname(f)).replace(/\W+/g, '')] = path.relative(runDir, path.join(dir, f));
      return out;
    },
    report,
    dispose: () => ae.dispose(),
  };
}

function describe(ae: Autoencoder): string {
  const o = ae.options;
  return `${o.variant} autoencoder ${[o.inputSize, ...o.layers, o.codeSize].join('-')}`;
}

export const autoencoderReducer: ReducerMethod = {
  name: 'autoencoder',
  async fit(x, settings, hooks = {}) {
    const { config } = settings;
    const options = autoencoderOptions({ ...config, seed: deriveSeed(config.seed, 'autoencoder') }, x.cols, settings.loss, {
      codeSize: settings.codeSize,
      layers: settings.layers,
      epochs: settings.epochs,
      ...(settings.learningRate !== undefined ? { learningRate: settings.learningRate } : {}),
      shift: settings.shift ?? null,
    });
    const be = await initBackend(config.backend);
    const ae = await trainAutoencoder(x, options, hooks);
    return wrap(ae, {
      backend: be.name,
      history: ae.history,
      // the model's own loss (the residual variant trains with mse on inputs prepare judged fit for bce)
      reconstruction: { ...ae.summary, loss: ae.options.loss } as ReducerReport['reconstruction'],
      notes: [...be.notes],
      description: `${describe(ae)} on ${be.name}`,
      // the split trainAutoencoder made from the same rows, fraction and seed
      heldOutRows: Int32Array.from(splitRows(x.rows, options.validationSplit, options.seed).validation).sort(),
    });
  },
  async load(runDir, settings) {
    const be = await initBackend(settings.backend === 'tensorflow' ? 'auto' : settings.backend);
    const ae = await loadAutoencoder(modelDirOf(runDir));
    return wrap(ae, {
      backend: be.name,
      history: ae.history,
      reconstruction: { ...ae.summary, loss: ae.options.loss } as ReducerReport['reconstruction'],
      notes: [...be.notes],
      description: describe(ae),
    });
  },
};
