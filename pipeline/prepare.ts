// Prepare: missing values (drop the row, impute the column mean or zero, or stop), then feature scaling chosen to
// fit the data and the loss. Pure: no I/O. The Preprocessing it returns is saved with the run, so new rows
// (transform, reconstruct) are scaled exactly like the run's own rows.
//
// Auto rules:
// - loss auto: BCE when every input value lies in [0, 1] (after the chosen scaling, when scaling is not auto),
//   else MSE;
// - scaling auto: keep the geometry (uniform: one offset and scale for all columns, onto [0, 1]; nothing at all
//   when the data already lie in [0, 1]) where the columns share one unit, else standardize (auto-scaling.ts);
// - a constant column keeps scale 1, so it stays finite (it becomes all 0).
import { chooseScaling } from './auto-scaling.js';
import { InputError } from './errors.js';
import { everyColumnConstant } from './mappable.js';
import { MIN_ROWS, tooFewRows } from './min-rows.js';
import { columnStats, rescaleRows, scaleRows, scanAll, sumSquares, type Rescaling } from './prepare-passes.js';
import type { Dataset, Loss, Matrix, MissingPolicy, Preprocessing, Scaling } from './types.js';

export interface PrepareOptions {
  /** Feature scaling (config `scaling`, default auto). */
  scaling: Scaling;
  /** What to do with rows holding missing values (config `missing`, default drop). */
  missing: MissingPolicy;
  /** Reconstruction loss the data must suit (config `loss`, default auto). */
  loss: Loss;
}

export interface PrepareReport {
  /** Rows in the dataset. */
  rows: number;
  keptRows: number;
  droppedRows: number;
  /** Missing values replaced (--missing mean or zero). */
  imputedValues: number;
  /** Names of the columns with a single value (kept, scale 1). */
  constantColumns: string[];
  /** The scaling applied (auto resolved). */
  scaling: Preprocessing['kind'];
  /** Why auto chose that scaling, with its figures (absent when the scaling was set). */
  scalingReason?: string;
  scalingFigures?: Record<string, number>;
  /** The loss chosen (auto resolved). */
  loss: 'mse' | 'bce';
  /** Missing values per column, for the columns that have any. */
  missingByColumn: Record<string, number>;
}

export interface Prepared {
  /** Scaled rows, kept rows only, in input order. May share the dataset's buffer when nothing changed. */
  matrix: Matrix;
  /** For each kept row, its row in the dataset. */
  rowIndex: Int32Array;
  loss: 'mse' | 'bce';
  preprocessing: Preprocessing;
  report: PrepareReport;
}

/** What prepare decided, before it scales: the kept rows, the loss, the preprocessing and the report. */
export interface PreparePlan extends Omit<Prepared, 'matrix'> {
  /**
   * Scales the kept rows: into a new buffer, or with inPlace into the dataset's own buffer, whose first keptRows
   * rows then hold the scaled rows (the dataset's original values are gone: save what needs them first). Call once.
   */
  scale(inPlace: boolean): Matrix;
  /**
   * Scales, in place, rows holding the original values of the kept rows in order (what the run's data file
   * stores: keptRows x cols), with scale()'s arithmetic: the same float32 values, bit for bit. For a caller
   * that released the scaled matrix and reads it back from that file.
   */
  rescale(original: Float32Array): Matrix;
  /** rescale()'s arithmetic as plain data (rescaleRows in prepare-passes.ts), for a thread that reads the rows back. */
  rescaling: Rescaling;
}

export { MIN_ROWS } from './min-rows.js';

/** Largest magnitude a feature may have unscaled (--scaling none): squares and sums stay finite in float32. */
const UNSCALED_MAX = 1e15;
/** Smallest non-zero magnitude a feature may have unscaled: its square is still a normal float32. */
const UNSCALED_MIN = 1e-15;

/** Missing values, then scaling, into a new matrix (the dataset is left as it was). */
export function prepare(dataset: Dataset, opts: PrepareOptions): Prepared {
  const plan = planPrepare(dataset, opts);
  return { matrix: plan.scale(false), rowIndex: plan.rowIndex, loss: plan.loss, preprocessing: plan.preprocessing, report: plan.report };
}

/**
 * Every decision of prepare (and every InputError it throws) without scaling yet: a caller that keeps only one
 * copy of a large matrix saves the original values of the kept rows (plan.rowIndex), then scales in place.
 */
export function planPrepare(dataset: Dataset, opts: PrepareOptions): PreparePlan {
  const { rows, cols, values } = dataset.matrix;
  const names = dataset.columns;
  const file = dataset.source.startsWith('builtin:') ? dataset.name : dataset.source;
  if (cols === 0) throw new InputError('the dataset has no numeric columns to map', { file });
  if (rows < MIN_ROWS) throw tooFewRows(rows, { file });

  // Missing values (NaN); infinities are a loader bug or hand-made data: refuse them.
  // One pass finds the missing values and the column statistics of all rows; dropping rows redoes the stats.
  const missingPerCol = new Float64Array(cols);
  const rowHasMissing = new Uint8Array(rows);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  const sum = new Float64Array(cols);
  const count = new Float64Array(cols);
  const scan = scanAll(values, rows, cols, missingPerCol, rowHasMissing, min, max, sum, count);
  if (scan.infinite >= 0) {
    const r = Math.floor(scan.infinite / cols);
    const c = scan.infinite % cols;
    throw new InputError(`row ${r + 1}, column "${names[c]}" is infinite; use finite numbers (or leave the cell empty for missing)`, { file, field: names[c] });
  }
  const missingTotal = scan.missing;
  const missingByColumn: Record<string, number> = {};
  for (let c = 0; c < cols; c++) if (missingPerCol[c]! > 0) missingByColumn[names[c]!] = missingPerCol[c]!;

  if (missingTotal > 0 && opts.missing === 'error') {
    const r = rowHasMissing.indexOf(1);
    let c = 0;
    while (!Number.isNaN(values[r * cols + c]!)) c++;
    throw new InputError(
      `row ${r + 1} has no value in column "${names[c]}" (${missingTotal} missing value${missingTotal === 1 ? '' : 's'} in all); choose --missing drop, mean or zero to handle them`,
      { file, field: names[c] },
    );
  }

  // Rows kept.
  let kept = rows;
  if (opts.missing === 'drop' && missingTotal > 0) {
    kept = 0;
    for (let r = 0; r < rows; r++) if (!rowHasMissing[r]) kept++;
    if (kept < MIN_ROWS) {
      const worst = Object.entries(missingByColumn)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([n, k]) => `"${n}" (${k} missing)`)
        .join(', ');
      throw new InputError(
        `${kept === 0 ? 'every row has' : `all but ${kept} row${kept === 1 ? '' : 's'} have`} a missing value (most in ${worst}), so dropping them leaves ${kept === 0 ? 'nothing' : 'too little'} to map; use --missing mean or zero, or remove those columns`,
        { file, field: 'missing' },
      );
    }
  }
  const rowIndex = new Int32Array(kept);
  for (let r = 0, k = 0; r < rows; r++) if (kept === rows || !rowHasMissing[r]) rowIndex[k++] = r;

  // Column statistics over the kept rows, missing values skipped (float64 sums).
  if (kept !== rows) {
    min.fill(Infinity);
    max.fill(-Infinity);
    sum.fill(0);
    count.fill(0);
    columnStats(values, cols, rowIndex, min, max, sum, count);
  }
  const mean = new Float64Array(cols);
  for (let c = 0; c < cols; c++) mean[c] = count[c]! > 0 ? sum[c]! / count[c]! : 0;

  // What replaces a missing value (also saved, for new rows).
  const fill = new Float64Array(cols);
  for (let c = 0; c < cols; c++) fill[c] = opts.missing === 'zero' ? 0 : mean[c]!;
  let imputed = 0;
  if (opts.missing === 'mean' || opts.missing === 'zero') {
    imputed = missingTotal;
    // Imputed values join the column's range (zero may lie outside it; the mean never does).
    for (let c = 0; c < cols; c++) {
      if (count[c]! === 0) {
        min[c] = fill[c]!;
        max[c] = fill[c]!;
      } else if (missingPerCol[c]! > 0) {
        if (fill[c]! < min[c]!) min[c] = fill[c]!;
        if (fill[c]! > max[c]!) max[c] = fill[c]!;
      }
    }
  }
  // Mean and standard deviation of the values as they will be (imputed included), two passes for accuracy.
  const n = kept;
  const fullMean = new Float64Array(cols);
  for (let c = 0; c < cols; c++) fullMean[c] = (sum[c]! + (imputed > 0 ? missingPerCol[c]! * fill[c]! : 0)) / n;
  let sq: Float64Array | null = null; // sums of squared deviations, computed only when needed
  const squares = (): Float64Array => {
    if (sq === null) {
      sq = new Float64Array(cols);
      sumSquares(values, cols, rowIndex, fill, fullMean, sq);
    }
    return sq;
  };

  const constantColumns: string[] = [];
  for (let c = 0; c < cols; c++) if (min[c] === max[c]) constantColumns.push(names[c]!);
  if (constantColumns.length === cols) {
    throw everyColumnConstant(names, min, n, { file });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < cols; c++) {
    if (min[c]! < lo) lo = min[c]!;
    if (max[c]! > hi) hi = max[c]!;
  }
  const rawInUnit = lo >= 0 && hi <= 1;

  // Resolve loss and scaling.
  let kind: Preprocessing['kind'] = 'none';
  let loss: 'mse' | 'bce';
  const offset = new Float64Array(cols);
  const scale = new Float64Array(cols).fill(1);
  const setScaling = (k: Preprocessing['kind']): void => {
    kind = k;
    for (let c = 0; c < cols; c++) {
      const constant = min[c] === max[c];
      if (k === 'minmax') {
        offset[c] = min[c]!;
        scale[c] = constant ? 1 : max[c]! - min[c]!;
      } else if (k === 'standardize') {
        const sq = squares();
        offset[c] = fullMean[c]!;
        const sd = Math.sqrt(sq[c]! / n);
        scale[c] = constant || !(sd > 0) ? 1 : sd;
      } else if (k === 'uniform') {
        // one offset and one scale for every column: the overall range onto [0, 1], distances keep their proportions
        offset[c] = lo;
        scale[c] = hi > lo ? hi - lo : 1;
      } else {
        offset[c] = 0;
        scale[c] = 1;
      }
    }
  };
  let scalingReason: string | undefined;
  let scalingFigures: Record<string, number> | undefined;
  if (opts.scaling === 'auto') {
    // one pass gives both the spreads (kept for standardizing) and each column's shares at its minimum and maximum
    const atMin = new Float64Array(cols);
    const atMax = new Float64Array(cols);
    const sqs = new Float64Array(cols);
    sumSquares(values, cols, rowIndex, fill, fullMean, sqs, { min, max, count: atMin, countMax: atMax });
    sq = sqs;
    const choice = chooseScaling(
      { sd: Array.from(sqs, (s) => Math.sqrt(s / n)), mean: fullMean, atMin: Array.from(atMin, (k) => k / n), atMax: Array.from(atMax, (k) => k / n) },
      dataset.image !== undefined,
      rawInUnit,
      names,
    );
    scalingReason = choice.reason;
    scalingFigures = choice.figures;
    // kept geometry lands in [0, 1] (BCE fits it); standardized values do not (MSE)
    loss = opts.loss === 'auto' ? (choice.kind === 'uniform' ? 'bce' : 'mse') : opts.loss;
    if (choice.kind === 'uniform') setScaling(rawInUnit ? 'none' : 'uniform');
    else if (loss === 'bce') {
      setScaling('minmax');
      scalingReason += '; min-max per column instead, as --loss bce needs values in [0, 1]';
    } else setScaling('standardize');
  } else {
    setScaling(opts.scaling);
    // Range of the scaled values.
    let slo = Infinity;
    let shi = -Infinity;
    for (let c = 0; c < cols; c++) {
      const a = (min[c]! - offset[c]!) / scale[c]!;
      const b = (max[c]! - offset[c]!) / scale[c]!;
      if (a < slo) slo = a;
      if (b > shi) shi = b;
    }
    const inUnit = slo >= -1e-6 && shi <= 1 + 1e-6;
    loss = opts.loss === 'auto' ? (inUnit ? 'bce' : 'mse') : opts.loss;
    if (loss === 'bce' && !inUnit) {
      throw new InputError(
        `bce needs every input in [0, 1], but with --scaling ${opts.scaling} the values range from ${fmt(slo)} to ${fmt(shi)}; use --scaling minmax (or auto), or --loss mse`,
        { field: 'loss' },
      );
    }
  }

  if (kind === 'none') checkUnscaledRange(names, min, max, cols, opts.scaling, file);

  // The scaled matrix.
  const identity = kind === 'none' && kept === rows && imputed === 0;
  const clampUnit = loss === 'bce';
  const inv = new Float64Array(cols);
  for (let c = 0; c < cols; c++) inv[c] = 1 / scale[c]!;
  /** Kept row k from row rows[k] of source (row k when rows is null) into row k of out. */
  const scaleInto = (source: Float32Array, rows: Int32Array | null, out: Float32Array): void => {
    // BCE needs [0, 1] exactly: float rounding may step a hair outside, so its values are clamped.
    // In place is safe: kept row k is read from row rowIndex[k] >= k before row k is written.
    const bad = scaleRows(source, cols, rows, kept, fill, offset, inv, out, clampUnit);
    if (bad >= 0) {
      const c = bad % cols;
      throw new Error(`prepare produced a non-finite value in column "${names[c]}" (offset ${offset[c]}, scale ${scale[c]})`);
    }
  };
  let scaled = false;
  const scaleRowsOnce = (inPlace: boolean): Matrix => {
    if (scaled) throw new Error('prepare: scale() was already called');
    scaled = true;
    if (identity) return { rows: kept, cols, values };
    const out = inPlace ? values.subarray(0, kept * cols) : new Float32Array(kept * cols);
    scaleInto(values, rowIndex, out);
    return { rows: kept, cols, values: out };
  };
  const rescaling: Rescaling = { rows: kept, cols, identity, fill, offset, inv, clampUnit, columns: [...names] };
  const rescale = (original: Float32Array): Matrix => ({ rows: kept, cols, values: rescaleRows(original, rescaling) });

  const preprocessing: Preprocessing = {
    kind,
    features: [...names],
    offset: Array.from(offset),
    scale: Array.from(scale),
    fill: Array.from(fill),
    missing: opts.missing,
    loss,
  };
  return {
    scale: scaleRowsOnce,
    rescale,
    rescaling,
    rowIndex,
    loss,
    preprocessing,
    report: {
      rows,
      keptRows: kept,
      droppedRows: rows - kept,
      imputedValues: imputed,
      constantColumns,
      scaling: kind,
      ...(scalingReason !== undefined ? { scalingReason, scalingFigures } : {}),
      loss,
      missingByColumn,
    },
  };
}

/**
 * Unscaled features (--scaling none, or auto on data in [0, 1]) must stay where float32 training can square
 * them: magnitudes within [UNSCALED_MIN, UNSCALED_MAX] (zeros aside). Refuses naming the columns outside and
 * the scaling that brings them to order 1.
 */
function checkUnscaledRange(names: string[], min: Float64Array, max: Float64Array, cols: number, scaling: Scaling, file: string): void {
  const huge: string[] = [];
  for (let c = 0; c < cols; c++) if (Math.max(Math.abs(min[c]!), Math.abs(max[c]!)) > UNSCALED_MAX) huge.push(`"${names[c]}" (up to ${Math.max(Math.abs(min[c]!), Math.abs(max[c]!)).toPrecision(3)})`);
  const tiny: string[] = [];
  for (let c = 0; c < cols; c++) {
    const largest = Math.max(Math.abs(min[c]!), Math.abs(max[c]!));
    if (largest > 0 && largest < UNSCALED_MIN) tiny.push(`"${names[c]}" (at most ${largest.toPrecision(3)})`);
  }
  if (huge.length === 0 && tiny.length === 0) return;
  const parts = [huge.length ? `${huge.join(', ')} ${huge.length === 1 ? 'is' : 'are'} too large` : '', tiny.length ? `${tiny.join(', ')} ${tiny.length === 1 ? 'is' : 'are'} too small` : ''].filter(Boolean);
  throw new InputError(
    `with --scaling ${scaling}, ${parts.join(' and ')} to train on unscaled (32-bit training needs magnitudes between 1e-15 and 1e15); use --scaling standardize (or minmax), which brings every column to order 1`,
    { file, field: 'scaling' },
  );
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

export { matchFeatures, applyPreprocessing, invertPreprocessing } from './preprocessing.js';

/**
 * The note for rows dropped for missing values (--missing drop); when they are a tenth of the rows or more, it
 * names the options that keep them.
 */
export function droppedRowsNote(dropped: number, total: number): string {
  const base = `dropped ${dropped.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows with missing values (--missing drop)`;
  return dropped >= 0.1 * total ? `${base}; --missing mean or --missing zero keeps them, filling each gap with its column's mean or 0` : base;
}
