// `latentmap reconstruct`: rows through a run's saved autoencoder (or PCA), written back in the input's units.
// With a denoising run this denoises new noisy rows.
import type { HeaderMode } from '../load/csv-header.js';
import { InputError } from '../errors.js';
import { invertPreprocessing } from '../prepare.js';
import { loadRunReducer, reducerOfRun } from '../reduce/index.js';
import { loadRowsFor, scaledRowsFor } from './new-rows.js';
import { resolveRun } from './resolve-run.js';
import { checkOutput, writeRows } from './write-rows.js';

export interface ReconstructOptions {
  run: string;
  input: string;
  output: string;
  runsDir: string | null;
  force: boolean;
  /** CSV/TSV: whether the first line names the columns; null or absent: as the run read its input. */
  header?: HeaderMode | null;
  /** CSV/TSV text encoding; null or absent: as the run read its input (its --encoding, else detected). */
  encoding?: string | null;
}

export interface ReconstructResult {
  run: string;
  rows: number;
  output: string;
  /** Mean per-row reconstruction error, in the run's loss on scaled values. */
  meanError: number;
  /** How the input was read (encoding, header, identifier columns) and which of its columns the run does not use. */
  notes: string[];
}

export async function reconstructRows(opts: ReconstructOptions): Promise<ReconstructResult> {
  const kind = await checkOutput(opts.output, opts.force);
  const { dir, manifest } = await resolveRun(opts.run, opts.runsDir);
  if (reducerOfRun(manifest) === 'none' || manifest.config.coordinates) {
    const why = manifest.config.coordinates
      ? 'took its map from columns (--coordinates)'
      : manifest.choices?.reducer?.auto
        ? 'mapped its columns directly (--reducer auto chose none for this data)'
        : 'used --reducer none';
    throw new InputError(`run ${manifest.id} ${why}: it has no model to reconstruct with; make a run with --reducer pca or --reducer autoencoder and reconstruct with that`, { field: 'run' });
  }
  const dataset = await loadRowsFor(manifest, opts.input, { header: opts.header ?? null, encoding: opts.encoding ?? null });
  const { reducer, preprocessing } = await loadRunReducer(dir, manifest);
  try {
    const { scaled, metadata, note } = scaledRowsFor(dataset, manifest, preprocessing);
    const rec = reducer.reconstruct(scaled)!;
    const errors = reducer.rowErrors(scaled)!;
    let sum = 0;
    for (const e of errors) sum += e;
    // The rows keep what identifies them (label, id and other metadata) and gain their reconstruction error.
    const before = [...(dataset.label ? [dataset.label] : []), ...metadata];
    await writeRows(opts.output, invertPreprocessing(rec, preprocessing), manifest.dataset.features, kind, {
      before,
      after: [{ name: 'reconstruction_error', values: errors }],
    });
    const notes = [...(dataset.notes ?? []), ...(note ? [note] : [])];
    return { run: manifest.id, rows: rec.rows, output: opts.output, meanError: sum / Math.max(1, errors.length), notes };
  } finally {
    reducer.dispose();
  }
}
