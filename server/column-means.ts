// The mean of chosen rows of a matrix, per column (for POST /api/runs/:id/decode: the mean of a selection's
// stored values and of its codes). Missing values (NaN) are left out of their column's mean; a column with
// no value among the rows has mean NaN. Pure: no I/O; runs in the server's worker thread.
import type { Matrix } from '../pipeline/types.js';

/** Per-column means over rows `positions` of m (positions within [0, m.rows); repeats count twice). */
export function columnMeans(m: Matrix, positions: Int32Array): Float64Array {
  const { rows, cols, values } = m;
  const sum = new Float64Array(cols);
  const count = new Float64Array(cols);
  for (let i = 0; i < positions.length; i++) {
    const r = positions[i]!;
    if (!(r >= 0 && r < rows)) throw new RangeError(`row ${r} out of range [0, ${rows})`);
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = values[base + c]!;
      if (v === v) {
        sum[c]! += v;
        count[c]!++;
      }
    }
  }
  for (let c = 0; c < cols; c++) sum[c] = count[c]! > 0 ? sum[c]! / count[c]! : NaN;
  return sum;
}
