// Which columns are features: every numeric column, except the label, the columns --exclude names, the
// columns that identify rows rather than measure them, and (with --features) every column not listed.
// Identifier-like columns are left out with a note: by name (id, *_id, uuid, index, row numbers, zip and postal
// codes, FIPS codes, `Unnamed: 0` as pandas reads its own index back) and, after loading, by value (whole
// numbers counting up by one, as row numbers do; an unnamed first column of whole numbers going up, as pandas
// writes its index; codes written with leading zeros are text already).
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn } from '../types.js';
import { listNames } from './columns.js';

export interface FeatureSelection {
  /** Only these columns are features (--features); null: every numeric column that is not left out. */
  features: readonly string[] | null;
  /** Columns that are never features (--exclude). */
  exclude: readonly string[];
  /** Two columns that already are the map (--coordinates): read as numbers, never taken as the label. */
  coordinates?: readonly string[];
  /**
   * Reading new rows for a saved run (transform, reconstruct, the shards of a sharded run): the run's feature
   * names. Each column the file has among them is read as a number whatever it looks like (an identifier-like
   * name, row numbers, codes with leading zeros) and is never taken as the label by its name. When the file has
   * them all by name, every other column is metadata (kept as written); else the others follow the usual rules.
   * Names the file lacks are not an error here: the caller matches the run's features.
   */
  runFeatures?: readonly string[];
}

export const ALL_FEATURES: FeatureSelection = { features: null, exclude: [] };

const ID_NAME = /^(id|_id|uuid|guid|index|idx|row|rownum|row[ _-]?(id|num|number|no|index)|record[ _-]?id|key|zip|zip[ _-]?code|zipcode|postal[ _-]?code|postcode|fips|geoid|unnamed: ?0)$/i;
const ID_SUFFIX = /(^|[a-z0-9][ _-])id$|[a-z]Id$|[ _-]ID$/;

/** Columns that are never taken as the label by their name (--coordinates, a saved run's features). */
export function notLabelColumns(sel: FeatureSelection | undefined): string[] {
  return [...(sel?.coordinates ?? []), ...(sel?.runFeatures ?? [])];
}

/** True for names of columns that identify rows (id, customer_id, customerId, zip, fips, index, ...). */
export function isIdentifierName(name: string): boolean {
  const n = name.trim();
  return ID_NAME.test(n) || ID_SUFFIX.test(n);
}

export interface NonFeatures {
  /** Column names (among `names`) that must not be features. */
  names: Set<string>;
  /** The identifier-like names among them (for identifierNote, once the loader knows which hold numbers). */
  identifiers: string[];
}

/** The note for identifier-like columns that hold numbers and were left out of the features; null for none. */
export function identifierNote(ids: readonly string[]): string | null {
  if (ids.length === 0) return null;
  const one = ids.length === 1;
  return `${listNames(ids)} ${one ? 'looks like an identifier' : 'look like identifiers'} (by name) and ${one ? 'is' : 'are'} kept as metadata, not used as ${one ? 'a feature' : 'features'}; name ${one ? 'it' : 'them'} in --features to use ${one ? 'it' : 'them'}`;
}

/**
 * The columns that are not features by their names. `names` are the file's (cleaned) column names; `numeric`
 * tells, where the loader knows it, whether a column holds numbers (a name that is not numeric needs no note).
 * InputError when --features or --exclude names a column the file lacks.
 */
export function nonFeaturesByName(names: readonly string[], sel: FeatureSelection, labelIndex: number, file: string): NonFeatures {
  const out = new Set<string>();
  const known = new Set(names);
  const check = (list: readonly string[], flag: string): void => {
    const missing = list.filter((n) => !known.has(n));
    if (missing.length > 0) {
      throw new InputError(`--${flag} names ${missing.map((m) => JSON.stringify(m)).join(', ')}, which the file does not have; its columns are: ${listNames(names)}`, { file, field: flag });
    }
  };
  check(sel.exclude, 'exclude');
  check(sel.coordinates ?? [], 'coordinates');
  for (const n of sel.exclude) out.add(n);
  if (sel.features !== null) {
    check(sel.features, 'features');
    const label = labelIndex >= 0 ? names[labelIndex] : undefined;
    if (label !== undefined && sel.features.includes(label)) {
      throw new InputError(`--features names "${label}", which is the label column; choose another --label-column or leave it out of --features`, { file, field: 'features' });
    }
    const keep = new Set([...sel.features, ...(sel.coordinates ?? [])]);
    for (const n of names) if (!keep.has(n)) out.add(n);
    return { names: out, identifiers: [] };
  }
  const run = new Set(sel.runFeatures ?? []);
  if (run.size > 0 && [...run].every((n) => known.has(n))) {
    // New rows for a saved run that has all its features here by name: they are the features, the rest metadata.
    for (const n of names) if (!run.has(n)) out.add(n);
    return { names: out, identifiers: [] };
  }
  const ids = names.filter((n, i) => i !== labelIndex && !out.has(n) && !run.has(n) && isIdentifierName(n));
  for (const n of ids) out.add(n);
  return { names: out, identifiers: ids };
}

/** Whether feature column c holds whole numbers counting up by one from the first row (row numbers). */
function isRowNumbers(values: Float32Array, rows: number, cols: number, c: number): boolean {
  if (rows < 3) return false;
  const first = values[c]!;
  if (!Number.isInteger(first) || Math.abs(first) > 1e6) return false;
  for (let r = 1; r < rows; r++) if (values[r * cols + c] !== first + r) return false;
  return true;
}

/**
 * Moves feature columns that hold row numbers (whole numbers counting up by one) into the metadata, with a
 * note, unless the user chose the features (--features) or a saved run used the column as a feature. At
 * least one feature always stays.
 */
export function leaveOutRowNumbers(dataset: Dataset, sel: FeatureSelection): Dataset {
  if (sel.features !== null) return dataset;
  const { rows, cols, values } = dataset.matrix;
  const run = new Set(sel.runFeatures ?? []);
  const counting: number[] = [];
  for (let c = 0; c < cols; c++) if (!run.has(dataset.columns[c]!) && isRowNumbers(values, rows, cols, c)) counting.push(c);
  // every column counting rows: none is left out (at least one feature stays)
  const drop = counting.length < cols ? counting : [];
  const notes: string[] = [];
  if (drop.length > 0) {
    notes.push(`${listNames(drop.map((c) => dataset.columns[c]!))} ${drop.length === 1 ? 'counts' : 'count'} rows (whole numbers going up by one) and ${drop.length === 1 ? 'is' : 'are'} kept as metadata, not used as ${drop.length === 1 ? 'a feature' : 'features'}; name ${drop.length === 1 ? 'it' : 'them'} in --features to use ${drop.length === 1 ? 'it' : 'them'}`);
  }
  // an unnamed first column (the loader names it column_1) of whole numbers going up, with gaps: the index pandas
  // writes for rows it filtered or sampled; one of measurements (fractions, any order) stays a feature
  if (dataset.columns[0] === UNNAMED_FIRST && !counting.includes(0) && !run.has(UNNAMED_FIRST) && drop.length + 1 < cols && isIncreasingWhole(values, rows, cols, 0)) {
    drop.unshift(0);
    notes.push(`the unnamed first column ("${UNNAMED_FIRST}") holds whole numbers going up, as pandas writes its index, and is kept as metadata, not used as a feature; name it in --features to use it`);
  }
  if (drop.length === 0) return dataset;
  return { ...moveToMetadata(dataset, drop, null), notes: [...(dataset.notes ?? []), ...notes] };
}

/** The name the loader gives a first column whose header cell is empty (columns.ts). */
const UNNAMED_FIRST = 'column_1';

/** Whether feature column c holds whole numbers strictly going up from row to row (an index with gaps). */
function isIncreasingWhole(values: Float32Array, rows: number, cols: number, c: number): boolean {
  if (rows < 3) return false;
  let prev = -Infinity;
  for (let r = 0; r < rows; r++) {
    const v = values[r * cols + c]!;
    if (!Number.isInteger(v) || v <= prev || Math.abs(v) > 1e9) return false;
    prev = v;
  }
  return true;
}

/** A dataset with feature columns `drop` moved to the metadata (as numbers), and `note` added. */
export function moveToMetadata(dataset: Dataset, drop: number[], note: string | null): Dataset {
  const { rows, cols, values } = dataset.matrix;
  const gone = new Set(drop);
  const keep = Array.from({ length: cols }, (_, c) => c).filter((c) => !gone.has(c));
  const out = new Float32Array(rows * keep.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < keep.length; k++) out[r * keep.length + k] = values[r * cols + keep[k]!]!;
  const moved: MetaColumn[] = drop.map((c) => {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = values[r * cols + c]!;
    return { name: dataset.columns[c]!, kind: 'number', values: v };
  });
  const { precise: _precise, ...rest } = dataset;
  void _precise;
  const result: Dataset = {
    ...rest,
    matrix: { rows, cols: keep.length, values: out },
    columns: keep.map((c) => dataset.columns[c]!),
    metadata: [...moved, ...dataset.metadata],
  };
  if (dataset.precise) {
    const precise = new Map<number, Float64Array>();
    keep.forEach((c, k) => {
      const wide = dataset.precise!.get(c);
      if (wide) precise.set(k, wide);
    });
    if (precise.size > 0) result.precise = precise;
  }
  if (note) result.notes = [...(dataset.notes ?? []), note];
  return result;
}

/** For loaders whose columns are all features by construction (.npy, IDX): --features / --exclude by name. */
export function selectByName(dataset: Dataset, sel: FeatureSelection, file: string): Dataset {
  if (sel.features === null && sel.exclude.length === 0) return dataset;
  const out = nonFeaturesByName(dataset.columns, sel, -1, file).names;
  const drop = dataset.columns.map((n, c) => (out.has(n) ? c : -1)).filter((c) => c >= 0);
  if (drop.length === dataset.columns.length) throw new InputError('--features / --exclude leave no feature column', { file, field: 'features' });
  if (drop.length === 0) return dataset;
  const moved = moveToMetadata(dataset, drop, null);
  if (moved.image) {
    // some pixels left out: the rows are no longer whole pictures
    delete moved.image;
    moved.notes = [...(moved.notes ?? []), `${drop.length.toLocaleString('en-US')} of the ${dataset.columns.length.toLocaleString('en-US')} pixels left out (--features / --exclude): the rows are mapped as a table, not shown as images`];
  }
  return moved;
}
