// The mean of chosen rows of a matrix, per column (for POST /api/runs/:id/decode: the mean of a selection's
// stored values and of its codes). Missing values (NaN) are left out of their column's mean; a column with
// no value among the rows has mean NaN. Pure: no I/O; runs in the server's worker thread, over rows in
// memory (the codes) or rows read by position from data.arrow (pipeline/runs/data-rows.ts visitDataRows).
import type { Matrix } from '../pipeline/types.js';

/** Per-column sums and counts of the rows added so far. */
export class ColumnMeans {
  private readonly sum: Float64Array;
  private readonly count: Float64Array;

  constructor(readonly cols: number) {
    this.sum = new Float64Array(cols);
    this.count = new Float64Array(cols);
  }

  /** Adds the row whose values are values[at .. at + cols). */
  add(values: ArrayLike<number>, at: number): void {
    const { sum, count, cols } = this;
    for (let c = 0; c < cols; c++) {
      const v = values[at + c]!;
      if (v === v) {
        sum[c]! += v;
        count[c]!++;
      }
    }
  }

  /** The mean of each column over the rows added (NaN where none had a value). */
  result(): Float64Array {
    return Float64Array.from(this.sum, (s, c) => (this.count[c]! > 0 ? s / this.count[c]! : NaN));
  }
}

/** Per-column means over rows `positions` of m (positions within [0, m.rows); repeats count twice). */
export function columnMeans(m: Matrix, positions: Int32Array): Float64Array {
  const { rows, cols, values } = m;
  const means = new ColumnMeans(cols);
  for (let i = 0; i < positions.length; i++) {
    const r = positions[i]!;
    if (!(r >= 0 && r < rows)) throw new RangeError(`row ${r} out of range [0, ${rows})`);
    means.add(values, r * cols);
  }
  return means.result();
}
