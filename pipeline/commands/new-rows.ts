// New rows (transform, reconstruct) in a run's feature order, scaled as the run scaled its own.
import { InputError } from '../errors.js';
import { alignFeatures, applyPreprocessing } from '../prepare.js';
import type { Dataset, Matrix, Preprocessing, RunManifest } from '../types.js';

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
