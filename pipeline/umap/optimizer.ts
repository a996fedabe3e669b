// The UMAP layout as a step-by-step optimizer: set-up as umap-learn's simplicial_set_embedding
// (epochs_per_sample from the weights of the graph the caller pruned, the initial layout already scaled into
// [0, 10]^2), then one epoch per step(). The points are renumbered along an axis of the initial layout so
// that few edges join the two blocks (block-order.ts); embedding() answers in the graph's order. From
// `helperMinRows` points the second block of every epoch runs on a helper thread (see layout.ts for why
// the result does not depend on it).

import type { Worker } from 'node:worker_threads';
import type { SparseMatrix } from '../types.js';
import { createRandom } from '../random.js';
import { awaitValue, post, startThread } from '../threads.js';
import { layoutBlockEpoch, layoutBlockSettle, stepSize, type LayoutState } from './layout.js';
import { blockOrder, permuteGraph } from './block-order.js';

/** Slots of the shared control array (all start at -1 but stop and error at 0). */
export const CTRL = { epoch: 0, claim: 1, done: 2, stop: 3, error: 4, ready: 5 } as const;

export interface LayoutJob {
  state: { [K in keyof LayoutState]: LayoutState[K] extends number | boolean ? LayoutState[K] : SharedArrayBuffer };
  epochs: number;
  learningRate: number;
}

export interface LayoutOptions {
  a: number;
  b: number;
  epochs: number;
  learningRate: number;
  repulsionStrength: number;
  negativeSampleRate: number;
  seed: number;
  /** Fewest points for which a helper thread runs the second block. Default 4,000; Infinity: never. */
  helperMinRows?: number;
  /** For tests: wait (up to 10 s) until the helper has started before the first epoch, so it takes part. */
  waitForHelper?: boolean;
}

/** Below this many points (by default) a helper thread does not pay for its start. */
const HELPER_MIN_ROWS = 4000;
/** How long one epoch of the helper may take before the layout gives up on it. */
const HELPER_TIMEOUT_MS = 120000;

/** umap-learn's default epochs: 500 up to 10,000 points, 200 beyond. */
export function defaultEpochs(n: number): number {
  return n <= 10000 ? 500 : 200;
}

function shared(kind: 'i32' | 'f32' | 'f64' | 'u32', length: number): Int32Array | Float32Array | Float64Array | Uint32Array {
  const bytes = kind === 'f64' ? 8 : 4;
  const buf = new SharedArrayBuffer(Math.max(bytes, bytes * length));
  if (kind === 'i32') return new Int32Array(buf, 0, length);
  if (kind === 'f32') return new Float32Array(buf, 0, length);
  if (kind === 'u32') return new Uint32Array(buf, 0, length);
  return new Float64Array(buf, 0, length);
}

/**
 * Scales an initial layout as umap-learn does before optimizing: each axis to [0, 10].
 * `init` is n x 2 row-major; returns float32 positions.
 */
export function scaleToBox(init: Float64Array, n: number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let c = 0; c < 2; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, init[2 * i + c]!);
      hi = Math.max(hi, init[2 * i + c]!);
    }
    const span = hi - lo;
    for (let i = 0; i < n; i++) out[2 * i + c] = span > 0 ? (10 * (init[2 * i + c]! - lo)) / span : 5;
  }
  return out;
}

export interface Edges {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochOfNextSample: Float64Array;
  epochOfNextNegativeSample: Float64Array;
  /** Per graph row: its first edge (n + 1 entries). */
  firstEdge: Int32Array;
}

/**
 * The non-zero entries of a (pruned) graph as edges in shared memory, with umap-learn's sampling schedule:
 * epochs_per_sample = n_epochs / (n_epochs * w / w_max), the first negative samples after 1 / rate of that.
 */
export function edgesOf(graph: SparseMatrix, epochs: number, negativeSampleRate: number): Edges {
  const n = graph.rows;
  let max = 0;
  for (const v of graph.values) max = Math.max(max, v);
  let m = 0;
  for (const v of graph.values) if (v > 0) m++;
  const head = shared('i32', m) as Int32Array;
  const tail = shared('i32', m) as Int32Array;
  const eps = shared('f64', m) as Float64Array;
  const nextSample = shared('f64', m) as Float64Array;
  const nextNegative = shared('f64', m) as Float64Array;
  const firstEdge = new Int32Array(n + 1);
  let t = 0;
  for (let i = 0; i < n; i++) {
    firstEdge[i] = t;
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
      const w = graph.values[p]!;
      if (!(w > 0)) continue;
      head[t] = i;
      tail[t] = graph.indices[p]!;
      eps[t] = epochs / ((epochs * w) / max);
      nextSample[t] = eps[t]!;
      nextNegative[t] = eps[t]! / negativeSampleRate;
      t++;
    }
  }
  firstEdge[n] = t;
  return { head, tail, epochsPerSample: eps, epochOfNextSample: nextSample, epochOfNextNegativeSample: nextNegative, firstEdge };
}

export class UmapLayout {
  readonly state: LayoutState;
  readonly epochs: number;
  /** Edges optimized (the graph's non-zero entries; each pair once per direction). */
  readonly edges: number;
  /** The initial layout's axis the points are ordered along for the two blocks (block-order.ts). */
  readonly blockAxis: 0 | 1;
  /** Share of the edge weight between the two blocks (optimized with one epoch's delay). */
  readonly crossing: number;
  /** order[r]: the point at position r of the state's arrays. */
  private readonly order: Int32Array;
  private epoch = 0;
  /** Epochs whose second block the helper thread ran. */
  helperEpochs = 0;
  private readonly learningRate: number;
  private ctrl: Int32Array | null = null;
  private worker: Worker | null = null;

  /**
   * graph: the symmetric fuzzy graph (n x n CSR); init: n x 2 positions, already in umap-learn's [0, 10]
   * box. The graph is not modified.
   */
  constructor(graph: SparseMatrix, init: Float32Array, options: LayoutOptions) {
    const n = graph.rows;
    const { epochs } = options;
    this.epochs = epochs;
    this.learningRate = options.learningRate;
    // the points in an order along the initial layout, so that few edges join the two blocks
    const blocks = blockOrder(graph, init);
    this.order = blocks.order;
    this.blockAxis = blocks.axis;
    this.crossing = blocks.crossing;
    const edges = edgesOf(permuteGraph(graph, blocks.order, blocks.rank), epochs, options.negativeSampleRate);
    const { head, tail, firstEdge } = edges;
    const m = head.length;
    this.edges = m;
    // the second block starts where half the sampling work (proportional to the weights) is done
    const split = blocks.split;
    const rng = shared('u32', 2) as Uint32Array;
    const random = createRandom(options.seed);
    rng[0] = Math.floor(random() * 4294967296);
    rng[1] = Math.floor(random() * 4294967296);
    const live = shared('f32', 2 * n) as Float32Array;
    for (let r = 0; r < n; r++) {
      live[2 * r] = init[2 * blocks.order[r]!]!;
      live[2 * r + 1] = init[2 * blocks.order[r]! + 1]!;
    }
    const snapshot = shared('f32', 2 * n) as Float32Array;
    snapshot.set(live);
    const edgeSplit = shared('i32', 3) as Int32Array;
    edgeSplit.set([0, firstEdge[split]!, m]);
    this.state = {
      n,
      head,
      tail,
      epochsPerSample: edges.epochsPerSample,
      epochOfNextSample: edges.epochOfNextSample,
      epochOfNextNegativeSample: edges.epochOfNextNegativeSample,
      live,
      snapshot,
      delta: shared('f64', 2 * n) as Float64Array,
      edgeSplit,
      pointSplit: split,
      rng,
      a: options.a,
      b: options.b,
      gamma: options.repulsionStrength,
      negativeSampleRate: options.negativeSampleRate,
      bipartite: false,
    };
    if (n >= (options.helperMinRows ?? HELPER_MIN_ROWS)) {
      this.startHelper();
      if (this.ctrl && options.waitForHelper) awaitValue(this.ctrl, CTRL.ready, 1, 10000);
    }
  }

  get done(): boolean {
    return this.epoch >= this.epochs;
  }

  /** Epochs finished. */
  get epochsDone(): number {
    return this.epoch;
  }

  /** The step size of epoch e (umap-learn's linear decay, stepSize). */
  alpha(e: number): number {
    return stepSize(this.learningRate, e, this.epochs);
  }

  /** Runs one epoch; returns the number of epochs finished. */
  step(): number {
    if (this.done) return this.epoch;
    const e = this.epoch;
    const alpha = this.alpha(e);
    const ctrl = this.ctrl;
    if (ctrl) post(ctrl, CTRL.epoch, e);
    layoutBlockEpoch(this.state, 0, e, alpha);
    if (!ctrl || Atomics.compareExchange(ctrl, CTRL.claim, e - 1, e) === e - 1) {
      layoutBlockEpoch(this.state, 1, e, alpha);
    } else {
      const started = Date.now();
      for (;;) {
        const d = Atomics.load(ctrl, CTRL.done);
        if (d === e) break;
        if (Atomics.load(ctrl, CTRL.error) !== 0) throw new Error('the UMAP layout helper thread failed');
        if (Date.now() - started > HELPER_TIMEOUT_MS) throw new Error('the UMAP layout helper thread stopped answering');
        Atomics.wait(ctrl, CTRL.done, d, 1000);
      }
      this.helperEpochs++;
    }
    layoutBlockSettle(this.state, 0);
    layoutBlockSettle(this.state, 1);
    this.epoch++;
    if (this.done) this.dispose();
    return this.epoch;
  }

  /** The current positions, n x 2 in the graph's point order (a copy). */
  embedding(): Float32Array {
    const { live } = this.state;
    const out = new Float32Array(live.length);
    for (let r = 0; r < this.order.length; r++) {
      out[2 * this.order[r]!] = live[2 * r]!;
      out[2 * this.order[r]! + 1] = live[2 * r + 1]!;
    }
    return out;
  }

  /** Stops the helper thread, if any (step() does this after the last epoch). */
  dispose(): void {
    if (this.ctrl) {
      Atomics.store(this.ctrl, CTRL.stop, 1);
      post(this.ctrl, CTRL.epoch, 0x7fffffff);
      this.ctrl = null;
    }
    if (this.worker) {
      void this.worker.terminate();
      this.worker = null;
    }
  }

  private startHelper(): void {
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * 6)).fill(-1);
    ctrl[CTRL.stop] = 0;
    ctrl[CTRL.error] = 0;
    ctrl[CTRL.ready] = 0;
    try {
      const worker = startThread(new URL('./layout-helper.ts', import.meta.url), { workerData: { kind: 'umap-layout-helper', ctrl: ctrl.buffer }, unref: true });
      const s = this.state;
      const buf = (a: { buffer: ArrayBufferLike }) => a.buffer as SharedArrayBuffer;
      const job: LayoutJob = {
        state: {
          n: s.n,
          head: buf(s.head),
          tail: buf(s.tail),
          epochsPerSample: buf(s.epochsPerSample),
          epochOfNextSample: buf(s.epochOfNextSample),
          epochOfNextNegativeSample: buf(s.epochOfNextNegativeSample),
          live: buf(s.live),
          snapshot: buf(s.snapshot),
          delta: buf(s.delta),
          edgeSplit: buf(s.edgeSplit),
          pointSplit: s.pointSplit,
          rng: buf(s.rng),
          a: s.a,
          b: s.b,
          gamma: s.gamma,
          negativeSampleRate: s.negativeSampleRate,
          bipartite: false,
        },
        epochs: this.epochs,
        learningRate: this.learningRate,
      };
      worker.postMessage(job);
      this.worker = worker;
      this.ctrl = ctrl;
    } catch {
      this.worker = null;
      this.ctrl = null;
    }
  }
}

/** Rebuilds a LayoutState over the shared buffers of a job (the helper's side). */
export function stateOfJob(job: LayoutJob): LayoutState {
  const j = job.state;
  return {
    n: j.n,
    head: new Int32Array(j.head),
    tail: new Int32Array(j.tail),
    epochsPerSample: new Float64Array(j.epochsPerSample),
    epochOfNextSample: new Float64Array(j.epochOfNextSample),
    epochOfNextNegativeSample: new Float64Array(j.epochOfNextNegativeSample),
    live: new Float32Array(j.live),
    snapshot: new Float32Array(j.snapshot),
    delta: new Float64Array(j.delta),
    edgeSplit: new Int32Array(j.edgeSplit),
    pointSplit: j.pointSplit,
    rng: new Uint32Array(j.rng),
    a: j.a,
    b: j.b,
    gamma: j.gamma,
    negativeSampleRate: j.negativeSampleRate,
    bipartite: j.bipartite,
  };
}
