// Barnes-Hut and FFT forces on two threads (the Forces contract of forces.ts). The positions go to shared
// memory; this thread and a helper thread (forces-helper.ts) claim chunks of the work from atomic
// counters. Each chunk writes the forces of its own points and its own sum, and the sums are added in
// chunk order, so the result is the same whichever thread computed which chunk, and the same as the
// one-thread methods' (bhRepulsion, fftRepulsion, attraction()).
//
// Per evaluation: the helper builds the quadtree once in shared memory while this thread takes rows of P;
// both then take Barnes-Hut chunks (or, for the FFT, one charge pair each), then the rows of P left. P is
// handed to the helper once per optimization.

import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { RepulsionFn, SparseMatrix } from '../types.js';
import { QuadTree, bhChunk, bhChunks, bhRepulsion, sharedTreeBuffers, type SharedTreeBuffers } from './gradient-bh.js';
import { FftState, combinePotentials, fftRepulsion } from './gradient-fft.js';
import { ATTRACTION_ROWS, attraction, attractRows, type Forces } from './forces.js';
import { post, requireValue, awaitChange, startThread } from '../threads.js';

/** Slots of the shared control array. */
export const CTRL = {
  generation: 0,
  next: 1,
  finished: 2,
  ready: 3,
  mode: 4,
  nextRow: 5,
  attract: 6,
  kl: 7,
  /** TREE.* below; the helper's progress with the shared tree. */
  tree: 8,
  treeNodes: 9,
  treeGroups: 10,
} as const;

/** States of the shared tree in a Barnes-Hut generation. */
export const TREE = { own: -1, building: 0, ready: 1, overflow: 2 } as const;

/** Modes of a generation: Barnes-Hut chunks, the FFT's charge pair A, or taking P from the port. */
export const MODE = { bh: 0, fft: 1, affinities: 2 } as const;

/** P in shared memory, as posted to the helper. */
export interface SharedAffinities {
  rows: number;
  indptr: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  values: SharedArrayBuffer;
}

/** Waits until the helper has finished generation `gen`. */
function awaitHelper(ctrl: Int32Array, gen: number): void {
  requireValue(ctrl, CTRL.finished, gen, ANSWER_TIMEOUT_MS, 'the t-SNE helper thread stopped answering');
}

/** How long a share of one evaluation may take the helper before it counts as dead (ms). */
const ANSWER_TIMEOUT_MS = 60000;

export interface HelperData {
  kind: 'forces-helper';
  n: number;
  theta: number;
  ctrl: SharedArrayBuffer;
  y: SharedArrayBuffer;
  out: SharedArrayBuffer;
  z: SharedArrayBuffer;
  /** Attractive forces (2n) and sum p log q per chunk of ATTRACTION_ROWS rows. */
  attr: SharedArrayBuffer;
  pLogQ: SharedArrayBuffer;
  /** P arrives here (a SharedAffinities message) before the first generation that shares the attraction. */
  port: MessagePort;
  /** The quadtree the helper builds for both threads when the attraction is shared. */
  tree: SharedTreeBuffers;
}

/** Below this many points a helper thread does not pay for itself. */
export const PARALLEL_MIN_ROWS = 4000;
/** How long the first evaluation waits for the helper to start before going on without it (ms). */
const START_TIMEOUT_MS = 20000;

/**
 * Barnes-Hut and FFT evaluations sharing one helper thread (from minRows points; below, this thread
 * alone). Both methods' numbers equal the one-thread methods' however the work was shared.
 */
export interface SharedEngine {
  /** Repulsion alone (Barnes-Hut at theta, or fftRepulsion() with default options). */
  repulsion(useFft: boolean, y: Float64Array, n: number, out: Float64Array): number;
  /** Repulsion and attraction (see Forces.evaluate). */
  evaluate(useFft: boolean, y: Float64Array, n: number, p: SparseMatrix, rep: Float64Array, attr: Float64Array, computeKl: boolean): { z: number; pLogQ: number };
  /** Starts the helper for n points now (it takes ~0.5 s to load), so it is ready by the first call. */
  prestart(n: number): void;
  /** Stops the helper thread (further calls run in this thread only). */
  dispose(): void;
}

/** The Forces of one method ('bh' or 'fft') on a shared engine. */
export function parallelForces(method: 'bh' | 'fft', theta = 0.5, minRows = PARALLEL_MIN_ROWS): Forces {
  const engine = sharedEngine(theta, minRows);
  const useFft = method === 'fft';
  return {
    method,
    repulsion: (y, n, out) => engine.repulsion(useFft, y, n, out),
    evaluate: (y, n, p, rep, attr, computeKl) => engine.evaluate(useFft, y, n, p, rep, attr, computeKl),
    prestart: engine.prestart,
    dispose: engine.dispose,
    usage: null,
  };
}

export function sharedEngine(theta = 0.5, minRows = PARALLEL_MIN_ROWS): SharedEngine {
  let state: {
    n: number;
    worker: Worker | null;
    ctrl: Int32Array;
    y: Float64Array;
    out: Float64Array;
    z: Float64Array;
    attr: Float64Array;
    pLogQ: Float64Array;
    port: MessagePort;
    generation: number;
    /** P as the helper has it (null: not sent). */
    shared: SparseMatrix | null;
    /** A view of the tree the helper builds in shared memory. */
    tree: QuadTree;
  } | null = null;

  const stop = () => {
    if (!state?.worker) return;
    post(state.ctrl, CTRL.generation, -1);
    void state.worker.terminate();
    state.worker = null;
    state.port.close();
  };

  const start = (n: number) => {
    stop();
    const buffers = {
      ctrl: new SharedArrayBuffer(16 * 4),
      y: new SharedArrayBuffer(16 * n),
      out: new SharedArrayBuffer(16 * n),
      z: new SharedArrayBuffer(8 * n), // a chunk has at least one point
      attr: new SharedArrayBuffer(16 * n),
      pLogQ: new SharedArrayBuffer(8 * Math.ceil(n / ATTRACTION_ROWS)),
      tree: sharedTreeBuffers(n),
    };
    const channel = new MessageChannel();
    let worker: Worker | null = null;
    const data: HelperData = { kind: 'forces-helper', n, theta, ...buffers, port: channel.port2 };
    try {
      worker = startThread(new URL('./forces-helper.ts', import.meta.url), { workerData: data, transferList: [channel.port2], unref: true });
    } catch {
      worker = null;
    }
    state = {
      n,
      worker,
      ctrl: new Int32Array(buffers.ctrl),
      y: new Float64Array(buffers.y),
      out: new Float64Array(buffers.out),
      z: new Float64Array(buffers.z),
      attr: new Float64Array(buffers.attr),
      pLogQ: new Float64Array(buffers.pLogQ),
      port: channel.port1,
      generation: 0,
      shared: null,
      tree: new QuadTree(new Float64Array(0), n, buffers.tree),
    };
  };
  /** The state for n points, started when n is large enough; null: this thread alone. */
  const stateFor = (n: number) => {
    if (n >= minRows && (!state || state.n !== n)) start(n);
    return state && state.n === n ? state : null;
  };

  const serial = bhRepulsion(theta);
  let tree: QuadTree | null = null;
  let localFft: RepulsionFn | null = null;
  const fftHere = (y: Float64Array, n: number, out: Float64Array): number => {
    localFft ??= fftRepulsion();
    return localFft(y, n, out);
  };

  const helperReady = (s: NonNullable<typeof state>): boolean => {
    if (!s.worker) return false;
    if (awaitChange(s.ctrl, CTRL.ready, 0, START_TIMEOUT_MS) === 1) return true;
    stop();
    return false;
  };
  const begin = (s: NonNullable<typeof state>): number => {
    const gen = ++s.generation;
    post(s.ctrl, CTRL.generation, gen);
    return gen;
  };

  let fftState: FftState | null = null;
  let potB = new Float64Array(0);
  /** This thread's FFT charge pair B into potB (the helper convolves pair A into s.out). */
  const fftPairB = (s: NonNullable<typeof state>, n: number): void => {
    fftState ??= new FftState();
    if (potB.length < 2 * n) potB = new Float64Array(2 * n);
    fftState.prepare(s.y, n);
    fftState.potentials(s.y, n, 1, potB);
  };
  const fftRepulsionShared = (y: Float64Array, n: number, out: Float64Array): number => {
    const s = stateFor(n);
    if (!s || !helperReady(s)) return fftHere(y, n, out);
    const ctrl = s.ctrl;
    s.y.set(y.subarray(0, 2 * n));
    Atomics.store(ctrl, CTRL.mode, MODE.fft);
    Atomics.store(ctrl, CTRL.attract, 0);
    const gen = begin(s);
    fftPairB(s, n);
    awaitHelper(ctrl, gen);
    return combinePotentials(s.y, n, s.out, potB, out);
  };
  const bhRepulsionShared = (y: Float64Array, n: number, out: Float64Array): number => {
    // small maps: the plain serial evaluation (and its summation order)
    const s = n < minRows ? null : stateFor(n);
    if (!s) return serial(y, n, out);
    const { ctrl, z: zs } = s;
    s.y.set(y.subarray(0, 2 * n));
    const helper = helperReady(s);
    Atomics.store(ctrl, CTRL.mode, MODE.bh);
    Atomics.store(ctrl, CTRL.attract, 0);
    Atomics.store(ctrl, CTRL.tree, TREE.own);
    Atomics.store(ctrl, CTRL.next, 0);
    const gen = helper ? begin(s) : ++s.generation;
    if (tree) tree.rebuild(s.y, n);
    else tree = new QuadTree(s.y, n);
    const chunks = bhChunks(tree);
    for (;;) {
      const c = Atomics.add(ctrl, CTRL.next, 1);
      if (c >= chunks) break;
      zs[c] = bhChunk(tree, theta, c, s.out);
    }
    if (helper) awaitHelper(ctrl, gen);
    out.set(s.out.subarray(0, 2 * n));
    let z = 0;
    for (let c = 0; c < chunks; c++) z += zs[c]!;
    return z;
  };
  /** Sends P to the helper (once per P); false when there is no helper to share with. */
  const helperHasP = (s: NonNullable<typeof state>, p: SparseMatrix): boolean => {
    if (!helperReady(s)) return false;
    if (s.shared === p) return true;
    // P's own buffers when they are shared and whole (the optimizer's are), else a shared copy
    const copy = <T extends Int32Array | Float64Array>(a: T, make: (b: SharedArrayBuffer) => T): SharedArrayBuffer => {
      if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
      const b = new SharedArrayBuffer(a.byteLength);
      make(b).set(a);
      return b;
    };
    const msg: SharedAffinities = {
      rows: p.rows,
      indptr: copy(p.indptr, (b) => new Int32Array(b)),
      indices: copy(p.indices, (b) => new Int32Array(b)),
      values: copy(p.values, (b) => new Float64Array(b)),
    };
    s.port.postMessage(msg);
    Atomics.store(s.ctrl, CTRL.mode, MODE.affinities);
    awaitHelper(s.ctrl, begin(s));
    s.shared = p;
    return true;
  };

  /** Claims chunks of attraction rows until none are left. */
  const attractShared = (s: NonNullable<typeof state>, p: SparseMatrix, n: number, computeKl: boolean): void => {
    const rowChunks = Math.ceil(n / ATTRACTION_ROWS);
    for (;;) {
      const c = Atomics.add(s.ctrl, CTRL.nextRow, 1);
      if (c >= rowChunks) break;
      s.pLogQ[c] = attractRows(s.y, p, c * ATTRACTION_ROWS, Math.min(n, (c + 1) * ATTRACTION_ROWS), s.attr, computeKl);
    }
  };

  const evaluate = (
    useFft: boolean,
    y: Float64Array,
    n: number,
    p: SparseMatrix,
    out: Float64Array,
    attr: Float64Array,
    computeKl: boolean,
  ): { z: number; pLogQ: number } => {
    if (p.rows !== n) throw new RangeError(`P has ${p.rows} rows for ${n} points`);
    const s = stateFor(n);
    if (!s || !helperHasP(s, p)) {
      // one thread: the repulsion, then the attraction
      const z = useFft ? fftHere(y, n, out) : n < minRows ? serial(y, n, out) : bhRepulsionShared(y, n, out);
      return { z, pLogQ: attraction(y, p, n, attr, computeKl) };
    }
    const ctrl = s.ctrl;
    s.y.set(y.subarray(0, 2 * n));
    Atomics.store(ctrl, CTRL.mode, useFft ? MODE.fft : MODE.bh);
    Atomics.store(ctrl, CTRL.next, 0);
    Atomics.store(ctrl, CTRL.nextRow, 0);
    Atomics.store(ctrl, CTRL.attract, 1);
    Atomics.store(ctrl, CTRL.kl, computeKl ? 1 : 0);
    Atomics.store(ctrl, CTRL.tree, TREE.building);
    const gen = begin(s);
    let z = 0;
    if (useFft) {
      // the helper convolves pair A, this thread pair B; then both take attraction rows
      fftPairB(s, n);
      attractShared(s, p, n, computeKl);
      awaitHelper(ctrl, gen);
      z = combinePotentials(s.y, n, s.out, potB, out);
    } else {
      // the helper builds the tree in shared memory while this thread takes attraction rows; then both
      // take Barnes-Hut chunks, then the attraction rows left (if the tree overflows its buffers, each
      // thread builds its own, as the serial version does)
      const rowChunks = Math.ceil(n / ATTRACTION_ROWS);
      while (Atomics.load(ctrl, CTRL.tree) === TREE.building) {
        const c = Atomics.add(ctrl, CTRL.nextRow, 1);
        if (c >= rowChunks) break;
        s.pLogQ[c] = attractRows(s.y, p, c * ATTRACTION_ROWS, Math.min(n, (c + 1) * ATTRACTION_ROWS), s.attr, computeKl);
      }
      const treeState = awaitChange(ctrl, CTRL.tree, TREE.building, ANSWER_TIMEOUT_MS);
      if (treeState === TREE.building) throw new Error('the t-SNE helper thread stopped answering');
      let t: QuadTree;
      if (treeState === TREE.ready) {
        t = s.tree;
        t.attach(s.y, n, Atomics.load(ctrl, CTRL.treeNodes), Atomics.load(ctrl, CTRL.treeGroups));
      } else {
        if (tree) tree.rebuild(s.y, n);
        else tree = new QuadTree(s.y, n);
        t = tree;
      }
      const chunks = bhChunks(t);
      for (;;) {
        const c = Atomics.add(ctrl, CTRL.next, 1);
        if (c >= chunks) break;
        s.z[c] = bhChunk(t, theta, c, s.out);
      }
      attractShared(s, p, n, computeKl);
      awaitHelper(ctrl, gen);
      out.set(s.out.subarray(0, 2 * n));
      for (let c = 0; c < chunks; c++) z += s.z[c]!;
    }
    attr.set(s.attr.subarray(0, 2 * n));
    let pLogQ = 0;
    const rowChunks = Math.ceil(n / ATTRACTION_ROWS);
    for (let c = 0; c < rowChunks; c++) pLogQ += s.pLogQ[c]!;
    return { z, pLogQ };
  };

  return {
    repulsion: (useFft, y, n, out) => (useFft ? fftRepulsionShared(y, n, out) : bhRepulsionShared(y, n, out)),
    evaluate,
    prestart: (n) => {
      stateFor(n);
    },
    dispose: stop,
  };
}
