// `latentmap reconstruct`: rows through a run's saved autoencoder (or PCA), written back in the input's units.
// With a denoising run this denoises new noisy rows.
import { loadDataset } from '../load/index.js';
import { InputError } from '../errors.js';
import { invertPreprocessing } from '../prepare.js';
import { loadRunReducer, reducerOfRun } from '../reduce/index.js';
import { scaledRowsFor } from './new-rows.js';
import { resolveRun } from './resolve-run.js';
import { checkOutput, writeRows } from './write-rows.js';

export interface ReconstructOptions {
  run: string;
  input: string;
  output: string;
  runsDir: string | null;
  force: boolean;
}

export interface ReconstructResult {
  run: string;
  rows: number;
  output: string;
  /** Mean per-row reconstruction error, in the run's loss on scaled values. */
  meanError: number;
}

export async function reconstructRows(opts: ReconstructOptions): Promise<ReconstructResult> {
  const kind = await checkOutput(opts.output, opts.force);
  const { dir, manifest } = await resolveRun(opts.run, opts.runsDir);
  if (reducerOfRun(manifest) === 'none' || manifest.config.coordinates) {
    throw new InputError(`run ${manifest.id} used ${manifest.config.coordinates ? '--coordinates' : '--reducer none'}: it has no model to reconstruct with`, { field: 'run' });
  }
  const dataset = await loadDataset({ dataset: null, input: opts.input, labelColumn: null, dataDir: null, limit: null });
  const { reducer, preprocessing } = await loadRunReducer(dir, manifest);
  try {
    const { scaled } = scaledRowsFor(dataset, manifest, preprocessing);
    const rec = reducer.reconstruct(scaled)!;
    const errors = reducer.rowErrors(scaled)!;
    let sum = 0;
    for (const e of errors) sum += e;
    // The rows keep what identifies them (label, id and other metadata) and gain their reconstruction error.
    const before = [...(dataset.label ? [dataset.label] : []), ...dataset.metadata];
    await writeRows(opts.output, invertPreprocessing(rec, preprocessing), manifest.dataset.features, kind, {
      before,
      after: [{ name: 'reconstruction_error', values: errors }],
    });
    return { run: manifest.id, rows: rec.rows, output: opts.output, meanError: sum / Math.max(1, errors.length) };
  } finally {
    reducer.dispose();
  }
}
