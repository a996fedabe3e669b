// Prepare's passes over the matrix (pipeline/prepare.ts decides, these loop): the scan for missing values and
// column statistics, the statistics of kept rows, sums of squared deviations, and the scaling of the kept rows.
// Hot loops, kept small so the engine optimizes each on its own.

export function scanAll(
  values: Float32Array,
  rows: number,
  cols: number,
  perCol: Float64Array,
  perRow: Uint8Array,
  min: Float64Array,
  max: Float64Array,
  sum: Float64Array,
  count: Float64Array,
): { missing: number; infinite: number } {
  let missing = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[base + c]!;
      if (v - v !== 0) {
        // NaN or ±Infinity
        if (v !== v) {
          perCol[c]!++;
          perRow[r] = 1;
          missing++;
          continue;
        }
        return { missing, infinite: base + c };
      }
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
      sum[c]! += v;
      count[c]!++;
    }
  }
  return { missing, infinite: -1 };
}

export function columnStats(values: Float32Array, cols: number, rowIndex: Int32Array, min: Float64Array, max: Float64Array, sum: Float64Array, count: Float64Array): void {
  const kept = rowIndex.length;
  for (let k = 0; k < kept; k++) {
    const base = rowIndex[k]! * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[base + c]!;
      if (v !== v) continue;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
      sum[c]! += v;
      count[c]!++;
    }
  }
}

/**
 * Adds each column's squared deviations from `mean` into sq (missing values: their fill); with `atMin`, also
 * counts per column the values equal to the column's minimum (count) and to its maximum (countMax).
 */
export function sumSquares(
  values: Float32Array,
  cols: number,
  rowIndex: Int32Array,
  fill: Float64Array,
  mean: Float64Array,
  sq: Float64Array,
  atMin?: { min: Float64Array; max: Float64Array; count: Float64Array; countMax: Float64Array },
): void {
  const kept = rowIndex.length;
  for (let k = 0; k < kept; k++) {
    const base = rowIndex[k]! * cols;
    for (let c = 0; c < cols; c++) {
      let v = values[base + c]!;
      if (v !== v) v = fill[c]!;
      const d = v - mean[c]!;
      sq[c]! += d * d;
      if (atMin !== undefined) {
        if (v === atMin.min[c]!) atMin.count[c]!++;
        else if (v === atMin.max[c]!) atMin.countMax[c]!++;
      }
    }
  }
}

/**
 * Writes the `kept` scaled rows into out (row k from row rowIndex[k] of values; row k when rowIndex is null);
 * returns the index of the first non-finite result, or -1.
 */
export function scaleRows(
  values: Float32Array,
  cols: number,
  rowIndex: Int32Array | null,
  kept: number,
  fill: Float64Array,
  offset: Float64Array,
  inv: Float64Array,
  out: Float32Array,
  clampUnit: boolean,
): number {
  let bad = -1;
  for (let k = 0; k < kept; k++) {
    const src = (rowIndex === null ? k : rowIndex[k]!) * cols;
    const dst = k * cols;
    for (let c = 0; c < cols; c++) {
      let v = values[src + c]!;
      if (v !== v) v = fill[c]!;
      let y = (v - offset[c]!) * inv[c]!;
      if (clampUnit) y = y < 0 ? 0 : y > 1 ? 1 : y;
      if (y - y !== 0 && bad < 0) bad = dst + c;
      out[dst + c] = y;
    }
  }
  return bad;
}

/**
 * What rescaling the kept rows' original values takes, as plain data (structured-cloneable: a worker thread that
 * reads the run's data file back scales its rows with it): scaleRows' arguments for rows already in kept order.
 */
export interface Rescaling {
  /** Kept rows and columns. */
  rows: number;
  cols: number;
  /** The values are used as they are (no scaling, nothing imputed, every row kept). */
  identity: boolean;
  fill: Float64Array;
  offset: Float64Array;
  /** 1 / scale per column. */
  inv: Float64Array;
  /** Clamp to [0, 1] (BCE). */
  clampUnit: boolean;
  /** Column names (for the error on a non-finite result). */
  columns: string[];
}

/**
 * Scales rows holding the original values of the kept rows (rows x cols, in order) in place, with scaleRows'
 * arithmetic: bit for bit what prepare's scale() gave. Throws Error on a non-finite result, naming the column.
 */
export function rescaleRows(original: Float32Array, r: Rescaling): Float32Array {
  if (original.length !== r.rows * r.cols) throw new Error(`prepare: rescale() needs ${r.rows} x ${r.cols} values, got ${original.length}`);
  if (r.identity) return original;
  const bad = scaleRows(original, r.cols, null, r.rows, r.fill, r.offset, r.inv, original, r.clampUnit);
  if (bad >= 0) {
    const c = bad % r.cols;
    throw new Error(`prepare produced a non-finite value in column "${r.columns[c]}" (offset ${r.offset[c]}, scale ${1 / r.inv[c]!})`);
  }
  return original;
}
