// The saved reducer of a run (autoencoder or PCA) and its preprocessing, loaded back to encode new rows.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAutoencoder, type Autoencoder } from '../autoencoder/index.js';
import { initBackend } from '../backend.js';
import { InputError } from '../errors.js';
import { alignFeatures, applyPreprocessing } from '../prepare.js';
import { pcaFromJSON, pcaReconstruct, pcaTransform } from '../reduce/pca.js';
import { rowErrors } from '../reduce/row-errors.js';
import type { Dataset, Matrix, Preprocessing, RunManifest } from '../types.js';

export interface RunModel {
  reducer: RunManifest['config']['reducer'];
  preprocessing: Preprocessing;
  /** Scaled rows → codes (the identity for reducer none). */
  encode(x: Matrix): Matrix;
  /** Scaled rows → their reconstructions (null for reducer none). */
  reconstruct: ((x: Matrix) => Matrix) | null;
  /** Per-row reconstruction error of scaled rows (null for reducer none). */
  rowErrors: ((x: Matrix) => Float32Array) | null;
  autoencoder: Autoencoder | null;
  dispose(): void;
}

export async function loadRunModel(dir: string, manifest: RunManifest): Promise<RunModel> {
  const modelDir = path.join(dir, 'model');
  let preprocessing: Preprocessing;
  try {
    preprocessing = JSON.parse(await readFile(path.join(modelDir, 'preprocessing.json'), 'utf8')) as Preprocessing;
  } catch {
    throw new InputError(`run ${manifest.id} has no saved preprocessing (model/preprocessing.json); it cannot encode new rows`, { field: 'run' });
  }
  const loss = (manifest.metrics.reconstruction.loss ?? 'mse') as 'mse' | 'bce';
  if (manifest.config.reducer === 'autoencoder') {
    await initBackend(manifest.config.backend === 'tensorflow' ? 'auto' : manifest.config.backend);
    const ae = await loadAutoencoder(modelDir);
    return {
      reducer: 'autoencoder',
      preprocessing,
      encode: (x) => ae.encode(x),
      reconstruct: (x) => ae.reconstruct(x),
      rowErrors: (x) => ae.rowErrors(x),
      autoencoder: ae,
      dispose: () => ae.dispose(),
    };
  }
  if (manifest.config.reducer === 'pca') {
    const pca = pcaFromJSON(JSON.parse(await readFile(path.join(modelDir, 'pca.json'), 'utf8')));
    return {
      reducer: 'pca',
      preprocessing,
      encode: (x) => pcaTransform(pca, x),
      reconstruct: (x) => pcaReconstruct(pca, pcaTransform(pca, x)),
      rowErrors: (x) => rowErrors(x, pcaReconstruct(pca, pcaTransform(pca, x)), loss),
      autoencoder: null,
      dispose: () => {},
    };
  }
  return { reducer: 'none', preprocessing, encode: (x) => x, reconstruct: null, rowErrors: null, autoencoder: null, dispose: () => {} };
}

/** New rows of a dataset in the run's feature order, scaled as the run scaled its own. */
export function scaledRowsFor(dataset: Dataset, manifest: RunManifest, preprocessing: Preprocessing): { raw: Matrix; scaled: Matrix } {
  const raw = alignFeatures(dataset, manifest.dataset.features);
  for (let i = 0; i < raw.values.length; i++) {
    if (!Number.isFinite(raw.values[i]!)) {
      const row = Math.floor(i / raw.cols);
      const col = manifest.dataset.features[i % raw.cols];
      throw new InputError(`missing or non-finite value in row ${row + 1}, column "${col}"; new rows must be complete`, { file: dataset.source, field: col });
    }
  }
  return { raw, scaled: applyPreprocessing(raw, preprocessing) };
}
