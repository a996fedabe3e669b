// New rows for a saved run (transform, reconstruct, the shards of a sharded run): a file read as the run read
// its input, its rows in the run's feature order, scaled as the run scaled its own.
import { InputError } from '../errors.js';
import { loadDataset } from '../load/index.js';
import type { HeaderMode } from '../load/csv-header.js';
import { moveToMetadata } from '../load/feature-choice.js';
import { detectFormat } from '../load/sniff.js';
import { applyPreprocessing, matchFeatures } from '../preprocessing.js';
import type { ManifestWithFeatures } from '../runs/feature-names.js';
import type { Dataset, Matrix, MetaColumn, Preprocessing, StageHooks } from '../types.js';

/** How to read a file of new rows; every field defaults to how the run read its own input. */
export interface NewRowsReading {
  /** The new rows' label column; default the run's label column when the file has it, else the usual names. */
  labelColumn?: string | null;
  /** CSV/TSV: whether the first line names the columns; default the run's --header/--no-header, else guessed. */
  header?: HeaderMode | null;
  /** CSV/TSV: the text encoding; default the run's --encoding, else detected. */
  encoding?: string | null;
}

/**
 * Loads a file of new rows for the run of `manifest`, read as the run read its input: its feature columns are
 * read as numbers whatever they look like (an identifier-like name such as `zip`, which --features made a
 * feature; values that happen to count up by one; codes with leading zeros) and never taken as the label; the
 * run's label column is the label when the file has it; a CSV/TSV takes the run's explicit --header/--no-header
 * and --encoding unless `reading` says otherwise. Columns the run did not use may be anywhere in the file.
 * Bad input is an InputError (exit 2) naming the file and what is wrong.
 */
export async function loadRowsFor(manifest: ManifestWithFeatures, input: string, reading: NewRowsReading = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const { format } = await detectFormat(input);
  const text = format === 'csv';
  const header = reading.header ?? (text ? manifest.config.header : 'auto');
  const encoding = reading.encoding ?? (text ? manifest.config.encoding : null);
  const dataset = await loadDataset(
    {
      dataset: null,
      input,
      labelColumn: reading.labelColumn ?? null,
      ownLabel: manifest.dataset.label,
      dataDir: null,
      limit: null,
      ...(text ? { header, encoding } : {}),
      selection: { features: null, exclude: [], runFeatures: manifest.dataset.features },
    },
    hooks,
  );
  const asRun: string[] = [];
  if (text && reading.header == null && header !== 'auto') asRun.push(header === 'yes' ? '--header' : '--no-header');
  if (text && reading.encoding == null && encoding) asRun.push(`--encoding ${encoding}`);
  if (asRun.length > 0) dataset.notes = [...(dataset.notes ?? []), `read with ${asRun.join(' and ')}, as run ${manifest.id} read its input`];
  return dataset;
}

/** New rows in the run's terms: what the run's model takes, and everything else the file holds. */
export interface RowsForRun {
  /** The run's feature columns in the run's order, in the input's units. */
  raw: Matrix;
  /** raw scaled as the run scaled its own rows. */
  scaled: Matrix;
  /** The file's other columns: its metadata and the numeric columns the run did not use (as numbers). */
  metadata: MetaColumn[];
  /** Says which numeric columns of the file the run does not use (null when it uses them all). */
  note: string | null;
}

/**
 * The rows of a dataset loaded with loadRowsFor, in the run's feature order and scaled as the run scaled its own
 * (columns too large for float32, Dataset.precise, are scaled from their float64 values). InputError naming the
 * column when a feature of the run is missing or not numeric, or a value is not finite.
 */
export function scaledRowsFor(dataset: Dataset, manifest: ManifestWithFeatures, preprocessing: Preprocessing): RowsForRun {
  const features = manifest.dataset.features;
  const pick = matchFeatures(dataset, features);
  const { rows, cols, values } = dataset.matrix;
  const k = pick.length;
  const raw: Matrix = { rows, cols: k, values: new Float32Array(rows * k) };
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const v = values[r * cols + pick[j]!]!;
      if (!Number.isFinite(v)) {
        throw new InputError(`missing or non-finite value in row ${r + 1}, column "${features[j]}"; new rows must be complete`, { file: dataset.source, field: features[j]! });
      }
      raw.values[r * k + j] = v;
    }
  }
  const scaled = applyPreprocessing(raw, preprocessing);
  pick.forEach((c, j) => {
    const wide = dataset.precise?.get(c);
    if (!wide) return;
    const inv = 1 / preprocessing.scale[j]!;
    for (let r = 0; r < rows; r++) scaled.values[r * k + j] = (wide[r]! - preprocessing.offset[j]!) * inv;
  });
  const used = new Set(pick);
  const unused = dataset.columns.map((_, c) => c).filter((c) => !used.has(c));
  const metadata = unused.length > 0 ? moveToMetadata(dataset, unused, null).metadata : dataset.metadata;
  const names = unused.map((c) => JSON.stringify(dataset.columns[c]));
  const note = names.length === 0 ? null : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not a feature of run ${manifest.id}: kept as metadata`;
  return { raw, scaled, metadata, note };
}
