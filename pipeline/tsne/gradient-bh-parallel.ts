// Barnes-Hut (and FFT) repulsion on two threads. The positions go to shared memory; this thread and a
// helper thread claim chunks of point groups (in tree order) from an atomic counter. Each chunk writes the
// forces of its own points and its own sum of q, and the sums are added in chunk order, so the result is
// the same whichever thread computed which chunk (and the same as bhRepulsion's).
//
// Two ways to use it:
// - overlap(y, n, out, work): each thread builds the tree; the caller's `work` (the attraction) runs here
//   while the helper starts on the chunks.
// - shareAffinities(P) once, then withAttraction(...) per iteration (what TsneOptimizer does): the helper
//   builds the tree once in shared memory while this thread takes rows of P; both then take Barnes-Hut
//   chunks (or, for the FFT, one charge pair each), then the rows of P left. Sum p log q is added per
//   chunk of rows in order, so the numbers equal the single-thread optimizer's.

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { RepulsionFn, SparseMatrix } from '../types.js';
import { QuadTree, bhChunk, bhChunks, bhRepulsion, sharedTreeBuffers, type SharedTreeBuffers } from './gradient-bh.js';
import { FftState, combinePotentials, fftRepulsion } from './gradient-fft.js';
import { ATTRACTION_ROWS, attractRows, type AttractionSharing } from './optimize.js';

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
  for (;;) {
    const f = Atomics.load(ctrl, CTRL.finished);
    if (f === gen) return;
    if (Atomics.wait(ctrl, CTRL.finished, f, 60000) === 'timed-out' && Atomics.load(ctrl, CTRL.finished) !== gen) {
      throw new Error('the t-SNE helper thread stopped answering');
    }
  }
}

export interface HelperData {
  kind: 'bh-helper';
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

/** A repulsion that can run other work of the caller's while its helper thread computes. */
export interface OverlappingRepulsion extends RepulsionFn {
  /** As the function itself, running `work` in this thread meanwhile (`work` must not touch y or out). */
  overlap(y: Float64Array, n: number, out: Float64Array, work: () => void): number;
}

export interface ParallelRepulsion extends OverlappingRepulsion, AttractionSharing {
  /** As withAttraction(), with the FFT repulsion (fftRepulsion() numbers) instead of Barnes-Hut. */
  withAttractionFft(y: Float64Array, n: number, out: Float64Array, attr: Float64Array, computeKl: boolean): { z: number; pLogQ: number };
  /**
   * fftRepulsion() (default options) with one of its two convolutions on the helper thread, while `work`
   * and the other run here; without a helper, all here. Same numbers either way.
   */
  fftOverlap(y: Float64Array, n: number, out: Float64Array, work: () => void): number;
  /** Starts the helper for n points now (it takes ~0.5 s to load), so it is ready by the first call. */
  prestart(n: number): void;
  /** Stops the helper thread (further calls run in this thread only). */
  dispose(): void;
}

/**
 * Barnes-Hut repulsion sharing the work with a helper thread for n >= minRows (below, exactly
 * bhRepulsion(theta)). Forces and Z equal bhRepulsion's (both sum Z per chunk, then over the chunks in
 * order): same input, same output, however the work was shared.
 */
export function parallelBhRepulsion(theta = 0.5, minRows = PARALLEL_MIN_ROWS): ParallelRepulsion {
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
  /** P for withAttraction (whether or not the helper has it). */
  let affinities: SparseMatrix | null = null;

  const stop = () => {
    if (!state?.worker) return;
    Atomics.store(state.ctrl, CTRL.generation, -1);
    Atomics.notify(state.ctrl, CTRL.generation);
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
    {
      const data: HelperData = { kind: 'bh-helper', n, theta, ...buffers, port: channel.port2 };
      try {
        worker = new Worker(new URL('./bh-helper-entry.mjs', import.meta.url), { workerData: data, transferList: [channel.port2] });
        worker.unref();
        worker.on('error', () => undefined);
      } catch {
        worker = null;
      }
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

  const serial = bhRepulsion(theta);
  let tree: QuadTree | null = null;
  let localFft: RepulsionFn | null = null;

  const helperReady = (s: NonNullable<typeof state>): boolean => {
    if (!s.worker) return false;
    const ctrl = s.ctrl;
    if (Atomics.load(ctrl, CTRL.ready) !== 1) Atomics.wait(ctrl, CTRL.ready, 0, START_TIMEOUT_MS);
    if (Atomics.load(ctrl, CTRL.ready) === 1) return true;
    stop();
    return false;
  };

  let fftState: FftState | null = null;
  let potB = new Float64Array(0);
  const fftOverlap = (y: Float64Array, n: number, out: Float64Array, work: () => void): number => {
    if (n >= minRows && (!state || state.n !== n)) start(n);
    const s = state && state.n === n ? state : null;
    if (!s || !helperReady(s)) {
      work();
      localFft ??= fftRepulsion();
      return localFft(y, n, out);
    }
    // the helper convolves charge pair A (into s.out); this thread computes `work`, then pair B
    const ctrl = s.ctrl;
    s.y.set(y.subarray(0, 2 * n));
    Atomics.store(ctrl, CTRL.mode, MODE.fft);
    Atomics.store(ctrl, CTRL.attract, 0);
    const gen = ++s.generation;
    Atomics.store(ctrl, CTRL.generation, gen);
    Atomics.notify(ctrl, CTRL.generation);
    work();
    fftState ??= new FftState();
    if (potB.length < 2 * n) potB = new Float64Array(2 * n);
    fftState.prepare(s.y, n);
    fftState.potentials(s.y, n, 1, potB);
    awaitHelper(ctrl, gen);
    return combinePotentials(s.y, n, s.out, potB, out);
  };
  const run = (y: Float64Array, n: number, out: Float64Array, work?: () => void): number => {
    // small maps: the plain serial evaluation (and its summation order)
    if (n < minRows) {
      work?.();
      return serial(y, n, out);
    }
    if (!state || state.n !== n) start(n);
    const s = state!;
    const { ctrl, z: zs } = s;
    s.y.set(y.subarray(0, 2 * n));
    const helper = helperReady(s);
    Atomics.store(ctrl, CTRL.mode, MODE.bh);
    Atomics.store(ctrl, CTRL.attract, 0);
    Atomics.store(ctrl, CTRL.tree, TREE.own);
    Atomics.store(ctrl, CTRL.next, 0);
    const gen = ++s.generation;
    if (helper) {
      Atomics.store(ctrl, CTRL.generation, gen);
      Atomics.notify(ctrl, CTRL.generation);
    }
    // the caller's own work (the attractive forces) runs while the helper starts on the chunks
    work?.();
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
    const ctrl = s.ctrl;
    Atomics.store(ctrl, CTRL.mode, MODE.affinities);
    const gen = ++s.generation;
    Atomics.store(ctrl, CTRL.generation, gen);
    Atomics.notify(ctrl, CTRL.generation);
    awaitHelper(ctrl, gen);
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

  /** Attraction in this thread alone, with the same chunked sum as the shared one. */
  const attractLocal = (y: Float64Array, p: SparseMatrix, n: number, attr: Float64Array, computeKl: boolean): number => {
    let pLogQ = 0;
    for (let r0 = 0; r0 < n; r0 += ATTRACTION_ROWS) pLogQ += attractRows(y, p, r0, Math.min(n, r0 + ATTRACTION_ROWS), attr, computeKl);
    return pLogQ;
  };

  const withAttraction = (
    useFft: boolean,
    y: Float64Array,
    n: number,
    out: Float64Array,
    attr: Float64Array,
    computeKl: boolean,
  ): { z: number; pLogQ: number } => {
    const p = affinities;
    if (!p || p.rows !== n) throw new Error('withAttraction: call shareAffinities with this P first');
    if (n >= minRows && (!state || state.n !== n)) start(n);
    const s = state && state.n === n ? state : null;
    if (!s || !helperHasP(s, p)) {
      // one thread: the repulsion, then the attraction
      let z: number;
      if (useFft) {
        localFft ??= fftRepulsion();
        z = localFft(y, n, out);
      } else z = n < minRows ? serial(y, n, out) : run(y, n, out);
      return { z, pLogQ: attractLocal(y, p, n, attr, computeKl) };
    }
    const ctrl = s.ctrl;
    s.y.set(y.subarray(0, 2 * n));
    Atomics.store(ctrl, CTRL.mode, useFft ? MODE.fft : MODE.bh);
    Atomics.store(ctrl, CTRL.next, 0);
    Atomics.store(ctrl, CTRL.nextRow, 0);
    Atomics.store(ctrl, CTRL.attract, 1);
    Atomics.store(ctrl, CTRL.kl, computeKl ? 1 : 0);
    Atomics.store(ctrl, CTRL.tree, TREE.building);
    const gen = ++s.generation;
    Atomics.store(ctrl, CTRL.generation, gen);
    Atomics.notify(ctrl, CTRL.generation);
    let z = 0;
    if (useFft) {
      // the helper convolves pair A, this thread pair B; then both take attraction rows
      fftState ??= new FftState();
      if (potB.length < 2 * n) potB = new Float64Array(2 * n);
      fftState.prepare(s.y, n);
      fftState.potentials(s.y, n, 1, potB);
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
      while (Atomics.load(ctrl, CTRL.tree) === TREE.building) {
        const r = Atomics.wait(ctrl, CTRL.tree, TREE.building, 60000);
        if (r === 'timed-out' && Atomics.load(ctrl, CTRL.tree) === TREE.building) {
          throw new Error('the t-SNE helper thread stopped answering');
        }
      }
      let t: QuadTree;
      if (Atomics.load(ctrl, CTRL.tree) === TREE.ready) {
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

  const fn = ((y, n, out) => run(y, n, out)) as ParallelRepulsion;
  fn.overlap = run;
  fn.fftOverlap = fftOverlap;
  fn.dispose = stop;
  fn.shareAffinities = (p) => {
    affinities = p;
  };
  fn.withAttraction = (y, n, out, attr, computeKl) => withAttraction(false, y, n, out, attr, computeKl);
  fn.withAttractionFft = (y, n, out, attr, computeKl) => withAttraction(true, y, n, out, attr, computeKl);
  fn.prestart = (n) => {
    if (n >= minRows && (!state || state.n !== n)) start(n);
  };
  return fn;
}
