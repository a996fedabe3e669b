// The k nearest rows to each of several query rows, among rows fed one at a time (a pass over data.arrow:
// input-space neighbours, input-neighbors.ts), measured through the run's per-column scaling. Rows are
// gathered, scaled, into chunks and measured against all queries at once by the neighbour search's
// WebAssembly SIMD kernel (pipeline/tsne/knn/kernel.ts: four queries against one row per step, float32 lanes),
// then offered to each query's bounded heap (pipeline/tsne/knn/heap.ts); ties go to the lower row. Where
// WebAssembly SIMD is unavailable, each query is a NearestScan (nearest.ts) in plain JavaScript.
// Distances are summed in float32 (as the t-SNE neighbour search's float32 kernel does), so they can differ
// from a float64 sum in the last digits of float32.
import { align16, createKernel, type DistanceKernel } from '../pipeline/tsne/knn/kernel.js';
import { NeighborHeaps } from '../pipeline/tsne/knn/heap.js';
import { NearestScan, type ColumnScaling, type Nearest } from './nearest.js';

/** Rows measured per kernel call. */
const CHUNK = 256;

export class NearestBatch {
  private readonly cols: number;
  private readonly per: number;
  private readonly inv: Float32Array;
  private readonly fill: Float32Array;
  private readonly queries: number;
  private readonly heaps: NeighborHeaps[];
  /** Without WebAssembly SIMD: one plain scan per query. */
  private readonly scans: NearestScan[] | null;
  private readonly kern: DistanceKernel | null;
  private readonly rows: Float32Array | null = null;
  private readonly listA: number = 0;
  private readonly listB: number = 0;
  private readonly out: number = 0;
  private readonly chunkPos = new Int32Array(CHUNK);
  private held = 0;

  /**
   * queries: the query rows' stored values (cols each); k[i]: neighbours wanted for query i (at most the
   * other rows); exclude[i]: query i's own position, never returned; scaling: as in nearestRows.
   */
  constructor(
    queries: Float32Array[],
    k: ArrayLike<number>,
    private readonly exclude: Int32Array,
    scaling: ColumnScaling,
  ) {
    const cols = queries[0]?.length ?? 0;
    this.cols = cols;
    this.queries = queries.length;
    this.inv = Float32Array.from(scaling.scale, (s) => 1 / s);
    this.fill = Float32Array.from(scaling.fill);
    this.heaps = queries.map((_, i) => new NeighborHeaps(1, Math.max(0, k[i]!)));
    const padded = Math.ceil(Math.max(1, queries.length) / 4) * 4;
    this.kern = createKernel('f32', cols, 1);
    this.per = this.kern ? this.kern.stride / 4 : cols;
    if (!this.kern) {
      this.scans = queries.map((q, i) => new NearestScan(q, k[i]!, scaling, exclude[i]!));
      return;
    }
    this.scans = null;
    // kernel memory: CHUNK rows, then the padded queries (zero rows past the last), the list of query rows,
    // the list of chunk rows, and the padded queries x CHUNK squared distances
    const stride = this.kern.stride;
    this.listA = (CHUNK + padded) * stride;
    this.listB = align16(this.listA + 4 * padded);
    this.out = align16(this.listB + 4 * CHUNK);
    const bytes = this.out + 8 * padded * CHUNK;
    const have = this.kern.memory.buffer.byteLength;
    if (bytes > have) this.kern.memory.grow(Math.ceil((bytes - have) / 65536));
    const buffer = this.kern.memory.buffer;
    this.rows = new Float32Array(buffer, 0, (CHUNK + padded) * this.per);
    queries.forEach((q, i) => this.scaleInto(q, 0, CHUNK + i));
    new Int32Array(buffer, this.listA, padded).set(Int32Array.from({ length: padded }, (_, i) => CHUNK + i));
    new Int32Array(buffer, this.listB, CHUNK).set(Int32Array.from({ length: CHUNK }, (_, i) => i));
  }

  /** Writes values[at .. at + cols) scaled (missing values take the fill) as kernel row `slot`. */
  private scaleInto(values: ArrayLike<number>, at: number, slot: number): void {
    const { cols, inv, fill } = this;
    const rows = this.rows!;
    const o = slot * this.per;
    for (let c = 0; c < cols; c++) {
      const v = values[at + c]!;
      rows[o + c] = (v === v ? v : fill[c]!) * inv[c]!;
    }
  }

  /** Offers row `pos`, whose stored values are values[at .. at + cols); rows come in increasing pos. */
  add(values: ArrayLike<number>, at: number, pos: number): void {
    if (this.scans) {
      for (const s of this.scans) s.add(values, at, pos);
      return;
    }
    this.scaleInto(values, at, this.held);
    this.chunkPos[this.held++] = pos;
    if (this.held === CHUNK) this.flush();
  }

  /** Measures the held rows against every query and offers them to the queries' heaps. */
  private flush(): void {
    const nb = this.held;
    if (nb === 0 || this.queries === 0) return;
    const padded = Math.ceil(this.queries / 4) * 4;
    this.kern!.block(0, this.listA, padded, this.listB, nb, this.out, 0);
    const d = new Float64Array(this.kern!.memory.buffer, this.out, padded * nb);
    const { chunkPos, exclude } = this;
    for (let a = 0; a < this.queries; a++) {
      const heap = this.heaps[a]!;
      if (heap.k === 0) continue;
      const self = exclude[a]!;
      const o = a * nb;
      for (let b = 0; b < nb; b++) {
        const s = d[o + b]!;
        // later rows have higher positions: an equal distance never displaces a kept row
        if (s < heap.bound[0]! && chunkPos[b] !== self) heap.push(0, s, chunkPos[b]!);
      }
    }
    this.held = 0;
  }

  /** Each query's neighbours among the rows offered, nearest first (positions and Euclidean distances). */
  result(): Nearest[] {
    if (this.scans) return this.scans.map((s) => s.result());
    this.flush();
    return this.heaps.map((heap) => {
      const rows = new Int32Array(heap.size[0]!);
      const sq = new Float64Array(rows.length);
      heap.sortedRow(0, rows, sq);
      return { rows, distances: Float32Array.from(sq, Math.sqrt) };
    });
  }
}
