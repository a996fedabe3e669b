// Per-column moments of chosen rows of a matrix (for POST /api/runs/:id/decode: the mean of a selection's
// stored values and of its codes, and with the moments of every row, what sets the selection apart:
// separation.ts). Missing values (NaN) are left out of their column; a column with no value among the rows
// has mean NaN. Pure: no I/O; runs in the server's worker thread, over rows in memory (the codes) or rows
// read by position from data.arrow (pipeline/runs/data-rows.ts visitDataRows).
import type { Matrix } from '../pipeline/types.js';

/**
 * Per column (length cols): how many values, their sum and their sum of squares; and, where the moments were
 * summed here, the smallest and largest value (Infinity and -Infinity for a column without values). The range
 * is what separation.ts floors a column's spread by; moments put together elsewhere may leave it out.
 */
export interface Moments {
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
  min?: Float64Array;
  max?: Float64Array;
}

/** Sums of the rows added so far, per column. */
export class ColumnMoments {
  private readonly m: Required<Moments>;

  constructor(readonly cols: number) {
    this.m = {
      count: new Float64Array(cols),
      sum: new Float64Array(cols),
      sumSq: new Float64Array(cols),
      min: new Float64Array(cols).fill(Infinity),
      max: new Float64Array(cols).fill(-Infinity),
    };
  }

  /** Adds the row whose values are values[at .. at + cols). */
  add(values: ArrayLike<number>, at: number): void {
    const { sum, count, sumSq, min, max } = this.m;
    for (let c = 0; c < this.cols; c++) {
      const v = values[at + c]!;
      if (v === v) {
        sum[c]! += v;
        sumSq[c]! += v * v;
        count[c]!++;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
      }
    }
  }

  result(): Required<Moments> {
    return this.m;
  }
}

/** Per-column means of moments (NaN for a column without values). */
export function meansOf(m: Moments): Float64Array {
  return Float64Array.from(m.sum, (s, c) => (m.count[c]! > 0 ? s / m.count[c]! : NaN));
}

/** Per-column moments over rows `positions` of m (every row when null; repeats count twice). */
export function columnMoments(m: Matrix, positions: Int32Array | null): Required<Moments> {
  const { rows, cols, values } = m;
  const acc = new ColumnMoments(cols);
  if (!positions) {
    for (let r = 0; r < rows; r++) acc.add(values, r * cols);
    return acc.result();
  }
  for (let i = 0; i < positions.length; i++) {
    const r = positions[i]!;
    if (!(r >= 0 && r < rows)) throw new RangeError(`row ${r} out of range [0, ${rows})`);
    acc.add(values, r * cols);
  }
  return acc.result();
}
