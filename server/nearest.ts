// Brute-force k nearest neighbours of one row (Euclidean), in code space or, through the run's per-column
// scaling, in the prepared input space the run's quality figures use; with the neighbour search's bounded
// heap (pipeline/tsne/knn/heap.ts) as the partial selection and early exit from rows that cannot make the k
// best. Pure: no I/O. 70,000 x 32 codes take a few milliseconds; 70,000 x 784 input rows about 50 ms.
import type { Matrix } from '../pipeline/types.js';
import { NeighborHeaps } from '../pipeline/tsne/knn/heap.js';

export interface Nearest {
  /** Row positions, nearest first. */
  rows: Int32Array;
  /** Euclidean distances, ascending. */
  distances: Float32Array;
}

/**
 * How stored values become the coordinates distances are measured in, per column (the run's preprocessing,
 * pipeline/preprocessing.ts): a missing value (NaN) becomes fill[c], then (v - offset[c]) / scale[c]. The
 * offset cancels in every difference, so only the scale and the fill matter.
 */
export interface ColumnScaling {
  scale: ArrayLike<number>;
  fill: ArrayLike<number>;
}

/**
 * The k nearest rows to one query row, fed one row at a time (add), so the rows may come from a matrix in
 * memory or from a pass over a file (pipeline/runs/data-rows.ts visitDataRows); ties broken by lower row. With `scaling`,
 * distances are between the scaled rows (the stored values need not be copied).
 */
export class NearestScan {
  /** The k best so far by (squared distance, row): the neighbour search's one bounded heap. */
  private readonly heap: NeighborHeaps;
  private readonly inv: Float64Array;
  private readonly fill: Float64Array;
  private readonly q: Float64Array;
  private readonly cols: number;

  /**
   * query: the query row's stored values (cols of them); k: neighbours wanted (at most the other rows);
   * exclude: the query row's own position, never returned.
   */
  constructor(query: ArrayLike<number>, k: number, scaling: ColumnScaling | undefined, private readonly exclude: number) {
    const cols = query.length;
    if (scaling && (scaling.scale.length !== cols || scaling.fill.length !== cols)) {
      throw new RangeError(`the scaling has ${scaling.scale.length} columns, the rows ${cols}`);
    }
    this.cols = cols;
    this.heap = new NeighborHeaps(1, Math.max(0, k));
    // (v - offset) / scale - (q - offset) / scale = v * inv - q * inv: one multiply per value; NaN takes the fill.
    this.inv = new Float64Array(cols).fill(1);
    this.fill = new Float64Array(cols);
    this.q = new Float64Array(cols);
    for (let c = 0; c < cols; c++) {
      const v = query[c]!;
      if (!scaling) this.q[c] = v;
      else {
        this.inv[c] = 1 / scaling.scale[c]!;
        this.fill[c] = scaling.fill[c]!;
        this.q[c] = (v === v ? v : this.fill[c]!) * this.inv[c]!;
      }
    }
  }

  /** Offers row `pos`, whose values are values[at .. at + cols). */
  add(values: ArrayLike<number>, at: number, pos: number): void {
    if (pos === this.exclude || this.heap.k === 0) return;
    const { cols, inv, fill, q } = this;
    // Partial distance: once the sum passes the k-th best so far, this row cannot enter (checked every 8 dims).
    const bound = this.heap.bound[0]!;
    let d = 0;
    for (let c = 0; c < cols; c++) {
      let v = values[at + c]!;
      if (v !== v) v = fill[c]!;
      const diff = v * inv[c]! - q[c]!;
      d += diff * diff;
      if ((c & 7) === 7 && d > bound) return;
    }
    if (d > bound) return;
    this.heap.push(0, d, pos);
  }

  /** The rows offered so far, nearest first. */
  result(): Nearest {
    const rows = new Int32Array(this.heap.size[0]!);
    const sq = new Float64Array(rows.length);
    this.heap.sortedRow(0, rows, sq);
    return { rows, distances: Float32Array.from(sq, Math.sqrt) };
  }
}

/**
 * The k rows nearest to row `row` of m (excluding itself), nearest first; ties broken by lower row. With
 * `scaling`, distances are between the scaled rows.
 */
export function nearestRows(m: Matrix, row: number, k: number, scaling?: ColumnScaling): Nearest {
  const { rows, cols, values } = m;
  if (!(row >= 0 && row < rows)) throw new RangeError(`row ${row} out of range [0, ${rows})`);
  const scan = new NearestScan(values.subarray(row * cols, row * cols + cols), Math.min(k, rows - 1), scaling, row);
  for (let j = 0; j < rows; j++) scan.add(values, j * cols, j);
  return scan.result();
}

/**
 * The same rows with columns reordered by decreasing variance: distances are unchanged, and the early
 * exit in nearestRows triggers sooner because the widest dimensions are summed first. order[c] is the original
 * column of column c.
 */
export function byVariance(m: Matrix): Matrix & { order: Int32Array } {
  const { rows, cols, values } = m;
  const mean = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      mean[c]! += v;
      sq[c]! += v * v;
    }
  }
  const variance = Array.from({ length: cols }, (_, c) => sq[c]! / Math.max(1, rows) - (mean[c]! / Math.max(1, rows)) ** 2);
  const order = Int32Array.from({ length: cols }, (_, c) => c).sort((a, b) => variance[b]! - variance[a]! || a - b);
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = values[base + order[c]!]!;
  }
  return { rows, cols, values: out, order };
}
