// A run's saved preprocessing applied to new rows (transform, reconstruct, the server's images): the run's
// feature columns found in new data, scaled as the run scaled its own, and scaled values turned back into
// the input's units. Pure: no I/O. prepare.ts fits the preprocessing; this file applies it.
import { InputError } from './errors.js';
import type { Dataset, Matrix, Preprocessing } from './types.js';

/**
 * Scales new rows as the run scaled its own: (raw - offset) / scale; a missing value (NaN) takes the saved fill
 * value (the column mean, or 0 under --missing zero) first.
 */
export function applyPreprocessing(x: Matrix, p: Preprocessing): Matrix {
  checkWidth(x, p);
  const { rows, cols, values } = x;
  const out = new Float32Array(rows * cols);
  const inv = p.scale.map((s) => 1 / s);
  const fill = p.fill ?? p.offset;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      let v = values[base + c]!;
      if (v !== v) v = fill[c]!;
      out[base + c] = (v - p.offset[c]!) * inv[c]!;
    }
  }
  return { rows, cols, values: out };
}

/** Undoes applyPreprocessing: scaled * scale + offset (for reconstructions and samples). */
export function invertPreprocessing(x: Matrix, p: Preprocessing): Matrix {
  checkWidth(x, p);
  const { rows, cols, values } = x;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = values[base + c]! * p.scale[c]! + p.offset[c]!;
  }
  return { rows, cols, values: out };
}

function checkWidth(x: Matrix, p: Preprocessing): void {
  if (x.cols !== p.features.length) {
    throw new InputError(`the rows have ${x.cols} columns but the run was trained on ${p.features.length}`, { field: 'input' });
  }
}

/**
 * Where a run's features are among a new dataset's feature columns: pick[j] is the column of dataset.matrix that
 * holds the run's feature j. Matched by name (exact, then ignoring case and surrounding spaces), or all by
 * position when the widths match and the names carry no meaning (col_1, pixel_0, a headerless CSV or a .npy).
 * Throws InputError naming the first feature the new data lack, and saying when it is there but not numeric.
 */
export function matchFeatures(dataset: Dataset, features: readonly string[]): number[] {
  const { cols } = dataset.matrix;
  const have = dataset.columns;
  const file = dataset.source.startsWith('builtin:') ? dataset.name : dataset.source;
  const exact = new Map<string, number>();
  have.forEach((n, i) => {
    if (!exact.has(n)) exact.set(n, i);
  });
  const loose = new Map<string, number>();
  have.forEach((n, i) => {
    const k = n.trim().toLowerCase();
    if (!loose.has(k)) loose.set(k, i);
  });
  const pick: number[] = [];
  const missing: string[] = [];
  for (const f of features) {
    const i = exact.get(f) ?? loose.get(f.trim().toLowerCase());
    if (i === undefined) missing.push(f);
    else pick.push(i);
  }
  if (missing.length === 0) return pick;
  const generic = (names: readonly string[]): boolean => names.every((n) => GENERIC.test(n.trim()));
  if (cols === features.length && (generic(features) || generic(have))) return Array.from({ length: cols }, (_, c) => c);
  const textCol = dataset.metadata.find((m) => m.name === missing[0]) ?? (dataset.label?.name === missing[0] ? dataset.label : undefined);
  const why = textCol
    ? `column "${missing[0]}" is not numeric here${textCol === dataset.label ? ' (it was taken as the label column)' : ''}`
    : `column "${missing[0]}" is missing`;
  throw new InputError(
    `${why}, but the run was trained on it${missing.length > 1 ? ` (${missing.length} of its ${features.length} feature columns are missing)` : ''}; the numeric columns here are: ${have.slice(0, 12).map((n) => JSON.stringify(n)).join(', ')}${have.length > 12 ? ', ...' : ''}`,
    { file, field: missing[0] },
  );
}

/** Names that mean only a position (col_3, pixel_12, x0, V5, 7). Same rule as load/columns.ts isGenericName. */
const GENERIC = /^(col|column|c|x|v|var|f|feature|feat|pixel|px|dim|d|field)?[_ -]?\d+$/i;
