// Text columns that measure something: truth values and categories, made numeric features after loading.
//
// Loaders make features only of columns of numbers; every text column becomes metadata. Two kinds of text
// column are measurements a user expects on the map all the same:
// - Truth values (every value one of true/false, t/f, yes/no or y/n, any case; R writes logicals as TRUE/FALSE,
//   the UCI votes tables y/n): each becomes one 0/1 feature, always (with --features, when named).
// - Categories (a few distinct words: "Small", "Midsize", "Compact"): kept as metadata, for Color by, while
//   the table has at least two numeric features. A table with fewer would give no map, so then each category
//   column becomes one 0/1 indicator feature per value ("Type=Small"), as one-hot encoding does; --features can
//   name a category column to encode it on any table. A saved run's features ("hair", "Type=Small") are
//   rebuilt the same way for new rows, with the run's categories only.
// Missing values (empty, NA) stay missing (NaN in every indicator): --missing decides, as for numbers.
// The error when no feature remains is thrown here, for every loader (they return no feature column rather than
// throw), with each column's kind named.
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn } from '../types.js';
import { listNames } from './columns.js';
import { isIdentifierName, type FeatureSelection } from './feature-choice.js';

/** Each pair: the word read as 1, the word read as 0 (compared trimmed and lower-cased). */
const TRUTH_PAIRS: readonly (readonly [string, string])[] = [
  ['true', 'false'],
  ['t', 'f'],
  ['yes', 'no'],
  ['y', 'n'],
];

/**
 * Most distinct values a category column encoded automatically may have; it may also have at most a fifth as many
 * values as rows (words that repeat are categories; names, free text and ids do not repeat).
 */
export const MAX_AUTO_CATEGORIES = 20;
/** Most distinct values a category column named in --features may have (one indicator feature each). */
export const MAX_NAMED_CATEGORIES = 256;

/** The 0/1 values (NaN for missing) of a column whose every non-missing value is one truth pair's words, else null. */
export function truthValues(values: readonly (string | null)[]): Float32Array | null {
  let pair: readonly [string, string] | null = null;
  const out = new Float32Array(values.length);
  let seen = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (v === null || v === undefined) {
      out[r] = NaN;
      continue;
    }
    const w = v.trim().toLowerCase();
    if (pair === null) pair = TRUTH_PAIRS.find((p) => p[0] === w || p[1] === w) ?? null;
    if (pair === null) return null;
    if (w === pair[0]) out[r] = 1;
    else if (w === pair[1]) out[r] = 0;
    else return null;
    seen++;
  }
  return seen > 0 ? out : null;
}

/** The distinct non-missing values of a column, most frequent first (ties in order of first appearance). */
export function categoriesOf(values: readonly (string | null)[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([v]) => v);
}

/** The name of the indicator feature of one category. */
export function indicatorName(column: string, category: string): string {
  return `${column}=${category}`;
}

interface NewFeature {
  name: string;
  values: Float32Array;
}

/**
 * The dataset with its truth-valued and (where needed or asked) category text columns turned into 0/1
 * features after its numeric ones, and a note for each kind. InputError naming every column's kind when no
 * feature remains; when --features names a category column with more than MAX_NAMED_CATEGORIES values.
 */
export function encodeTextFeatures(dataset: Dataset, sel: FeatureSelection, file: string): Dataset {
  const rows = dataset.matrix.rows;
  const named = sel.features === null ? null : new Set(sel.features);
  const run = sel.runFeatures && sel.runFeatures.length > 0 ? new Set(sel.runFeatures) : null;
  const excluded = new Set(sel.exclude);
  const candidates = dataset.metadata
    .map((m, i) => ({ m, i }))
    .filter((c): c is { m: Extract<MetaColumn, { kind: 'string' }>; i: number } => c.m.kind === 'string' && !excluded.has(c.m.name));
  const taken = new Set<number>();
  const added: NewFeature[] = [];
  const truthNames: string[] = [];
  // Truth values: features unless the user (--features) or the saved run chose others.
  for (const { m, i } of candidates) {
    if (named ? !named.has(m.name) : run ? !run.has(m.name) : isIdentifierName(m.name)) continue;
    const values = truthValues(m.values);
    if (!values) continue;
    added.push({ name: m.name, values });
    truthNames.push(m.name);
    taken.add(i);
  }
  // Categories: named in --features, asked by the saved run, or needed because fewer than two features remain.
  const encoded: string[] = [];
  const numericCount = dataset.matrix.cols + added.length;
  for (const { m, i } of candidates) {
    if (taken.has(i)) continue;
    let cats: string[];
    if (named) {
      if (!named.has(m.name)) continue;
      cats = categoriesOf(m.values);
      if (cats.length > MAX_NAMED_CATEGORIES) {
        throw new InputError(
          `--features names "${m.name}", a text column with ${cats.length} different values; latentmap encodes a category column as one 0/1 feature per value, up to ${MAX_NAMED_CATEGORIES}: leave it out of --features`,
          { file, field: 'features' },
        );
      }
    } else if (run) {
      const prefix = `${m.name}=`;
      cats = [...run].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
      if (cats.length === 0) continue;
    } else {
      if (numericCount >= 2 || isIdentifierName(m.name)) continue;
      cats = categoriesOf(m.values);
      if (cats.length < 2 || cats.length > Math.min(MAX_AUTO_CATEGORIES, Math.floor(rows / 5))) continue;
    }
    for (const cat of cats) {
      const values = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        const v = m.values[r];
        values[r] = v === null || v === undefined ? NaN : v === cat ? 1 : 0;
      }
      added.push({ name: indicatorName(m.name, cat), values });
    }
    encoded.push(`${JSON.stringify(m.name)} (${cats.length} values)`);
  }
  if (added.length === 0) {
    if (dataset.matrix.cols === 0) throw noFeatures(dataset, file);
    return dataset;
  }
  const result = withFeatures(dataset, added, taken);
  const notes: string[] = [];
  if (truthNames.length > 0) {
    const one = truthNames.length === 1;
    notes.push(`${listNames(truthNames)} ${one ? 'holds truth values' : 'hold truth values'} (true/false, yes/no): used as ${one ? 'a 0/1 feature' : '0/1 features'}`);
  }
  if (encoded.length > 0) {
    const why = named ? 'named in --features' : run ? "the run's features" : `the table has ${dataset.matrix.cols === 0 ? 'no column' : 'one column'} of numbers`;
    notes.push(
      `category column${encoded.length === 1 ? '' : 's'} ${encoded.join(', ')} encoded as one 0/1 feature per value ("${added[added.length - 1]!.name}") (${why}); the text stays as metadata for Color by`,
    );
  }
  if (!run) result.notes = [...(dataset.notes ?? []), ...notes];
  return result;
}

/** The dataset with `added` features appended to the matrix, and metadata columns `taken` removed. */
function withFeatures(dataset: Dataset, added: NewFeature[], taken: Set<number>): Dataset {
  const { rows, cols, values } = dataset.matrix;
  const width = cols + added.length;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    if (cols > 0) out.set(values.subarray(r * cols, (r + 1) * cols), r * width);
    for (let k = 0; k < added.length; k++) out[r * width + cols + k] = added[k]!.values[r]!;
  }
  return {
    ...dataset,
    matrix: { rows, cols: width, values: out },
    columns: [...dataset.columns, ...added.map((a) => a.name)],
    metadata: dataset.metadata.filter((_, i) => !taken.has(i)),
  };
}

/** The error when a file has no column to map: each column named with its kind. */
function noFeatures(dataset: Dataset, file: string): InputError {
  const described = [
    ...(dataset.label ? [`${JSON.stringify(dataset.label.name)} (label)`] : []),
    ...dataset.metadata.map((m) => `${JSON.stringify(m.name)} (${m.kind === 'number' ? 'numbers, left out' : m.values.every((v) => v === null) ? 'empty' : 'text'})`),
  ];
  const commas = dataset.metadata.some((m) => m.kind === 'string' && /^[+-]?\d+,\d+$/.test((m.values.find((v) => v !== null) ?? '').trim()));
  return new InputError(
    `no numeric columns to map; the columns are ${described.join(', ')}. latentmap needs at least one column of numbers, truth values (true/false, yes/no) or categories${commas ? ' (decimal commas such as 1,5 are text: write 1.5)' : ''}`,
    { file },
  );
}
