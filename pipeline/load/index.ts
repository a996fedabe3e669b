// Loading: a built-in dataset by name, or a file by its format (CSV/TSV, Arrow IPC, Parquet, .npy, IDX).
// Every loader returns a Dataset (pipeline/types.ts): the numeric matrix, feature names, label and metadata columns.
import { InputError } from '../errors.js';
import type { Dataset, StageHooks } from '../types.js';
import { loadBuiltin } from './builtin.js';
import { loadCsv } from './csv.js';
import { loadIdx } from './idx.js';
import { detectFormat } from './sniff.js';
import type { HeaderMode } from './csv-header.js';
import { ALL_FEATURES, leaveOutRowNumbers, selectByName, type FeatureSelection } from './feature-choice.js';
import { fileSize } from './source.js';
import { encodeTextFeatures } from './text-features.js';

export { listDatasets, builtinNames, FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, type DatasetInfo } from './builtin.js';
export { loadCsv, type CsvOptions } from './csv.js';
export { loadIdx } from './idx.js';
// The Arrow, Parquet and .npy loaders (pipeline/load/arrow.ts, parquet.ts, npy.ts) are imported when a file
// needs them, so starting on a built-in or a CSV does not load apache-arrow and parquet-wasm.
export { detectFormat, type FileFormat } from './sniff.js';
export { isGenericName, LABEL_NAMES } from './columns.js';

export interface LoadOptions {
  /** Built-in dataset name (see listDatasets); give this or `input`. */
  dataset: string | null;
  /** Input file path; give this or `dataset`. */
  input: string | null;
  /** Label column; default the dataset's own, else a column named label/class/target/species/y. */
  labelColumn: string | null;
  /**
   * Files: the label column taken when the file has it and no labelColumn is given, before the usual names (a
   * saved run's label, when reading new rows for it). Default none.
   */
  ownLabel?: string | null;
  /** Where file-based built-ins live (fashion-mnist); default their standard place. */
  dataDir: string | null;
  /** Only the first N rows; default all. */
  limit: number | null;
  /** CSV/TSV: whether the first line is a header (default auto: guessed, and said). */
  header?: HeaderMode;
  /** CSV/TSV: the text encoding (default: detected, and said). */
  encoding?: string | null;
  /** Which columns are features (--features / --exclude); default every numeric one that is not identifier-like. */
  selection?: FeatureSelection;
}

/** Loads a built-in dataset or a file. Bad input of any kind is an InputError that says what and where. */
export async function loadDataset(opts: LoadOptions, hooks: StageHooks = {}): Promise<Dataset> {
  const { dataset, input, labelColumn, dataDir, limit } = opts;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new InputError(`must be a positive whole number, got ${limit}`, { field: 'limit' });
  }
  if (dataset !== null && input !== null) throw new InputError('give either a dataset or an input file, not both', { field: 'input' });
  if (dataset !== null) {
    // --features / --exclude hold for built-ins as for files (their columns by name)
    return selectByName(await loadBuiltin(dataset, { labelColumn, dataDir, limit }, hooks), opts.selection ?? ALL_FEATURES, dataset);
  }
  if (input === null) throw new InputError('give a dataset name or an input file', { field: 'input' });
  const size = await fileSize(input);
  if (size === 0) throw new InputError('the file is empty (0 bytes); give a CSV/TSV, Arrow, Parquet, .npy or IDX file with data', { file: input });
  const { format, gzip } = await detectFormat(input);
  if (gzip && (format === 'npy' || format === 'parquet')) {
    throw new InputError(`this is a gzipped ${format === 'npy' ? '.npy' : 'Parquet'} file, which latentmap reads only uncompressed; decompress it first (gunzip)`, { file: input });
  }
  const selection = opts.selection ?? ALL_FEATURES;
  if (format !== 'csv') {
    const textOnly = opts.header !== undefined && opts.header !== 'auto' ? 'header' : opts.encoding ? 'encoding' : null;
    if (textOnly) throw new InputError(`--${textOnly} applies to CSV/TSV files; this is ${format === 'arrow' ? 'an Arrow' : format === 'idx' ? 'an IDX' : format === 'npy' ? 'a .npy' : 'a Parquet'} file`, { file: input, field: textOnly });
  }
  let loaded: Dataset;
  switch (format) {
    case 'csv':
      loaded = await loadCsv(input, { labelColumn, ownLabel: opts.ownLabel ?? null, limit, header: opts.header ?? 'auto', encoding: opts.encoding ?? null, selection }, hooks);
      break;
    case 'arrow':
      loaded = await (await import('./arrow.js')).loadArrow(input, { labelColumn, ownLabel: opts.ownLabel ?? null, limit, selection }, hooks);
      break;
    case 'parquet':
      loaded = await (await import('./parquet.js')).loadParquet(input, { labelColumn, ownLabel: opts.ownLabel ?? null, limit, selection }, hooks);
      break;
    case 'npy':
      loaded = selectByName(await (await import('./npy.js')).loadNpy(input, { labelColumn, limit }, hooks), selection, input);
      break;
    case 'idx':
      if (labelColumn !== null && labelColumn !== 'label') {
        throw new InputError(`an IDX file's only label column is "label" (from the labels file beside it); got "${labelColumn}"`, { field: 'labelColumn' });
      }
      loaded = selectByName(await loadIdx(input, { limit }, hooks), selection, input);
      break;
  }
  return leaveOutRowNumbers(encodeTextFeatures(loaded, selection, input), selection);
}
