// knn with a second thread: the same results as knn (the approximate search's heaps keep the k smallest
// by (distance, index) whatever thread offered what), with the block join of the approximate search
// shared with a helper thread. Synchronous: the caller blocks in Atomics.wait while the helper finishes
// its last chunk, which Node allows on any thread (the t-SNE stage runs in a worker thread anyway).
//
// The helper starts first and boots while this thread renumbers the rows and grows the forest; both then
// claim chunks of block pairs from one shared counter, so a slow start only means the helper takes fewer
// chunks (or none: then this thread closes the state and does them all).

import type { Worker } from 'node:worker_threads';
import type { Matrix, NeighborGraph } from '../../types.js';
import { startThread, awaitChange, awaitValue } from '../../threads.js';
import { approxLeafSize, blockJoin, finishApprox, knnApprox, prepareApprox } from './approximate.js';
import { useApprox, type KnnOptions } from './options.js';
import { knnExact } from './exact.js';

/** Slots of the shared control array. state: 0 not started, 1 helper working, -1 closed by the caller. */
export const CTRL = { next: 0, state: 1, done: 2, error: 3 } as const;

export interface HelperJob {
  n: number;
  cols: number;
  k: number;
  leafSize: number;
  values: SharedArrayBuffer;
  starts: SharedArrayBuffer;
  pairs: SharedArrayBuffer;
  /** The join's initial bounds (PreparedApprox.initialBound). */
  bounds: SharedArrayBuffer;
  heaps: { dist: SharedArrayBuffer; idx: SharedArrayBuffer; size: SharedArrayBuffer };
}

export interface ParallelOptions {
  /** Fewest rows for which the helper thread is used. Default 20,000. */
  helperMinRows?: number;
  /** For tests: wait (up to 10 s) until the helper has started before taking chunks, so both take some. */
  waitForHelper?: boolean;
}

/** Below this many rows (by default) a second thread does not pay for its start (~0.1-0.3 s). */
const MIN_ROWS = 20000;
/** How long to wait for the helper's last chunk before doing its share here. */
const HELPER_TIMEOUT_MS = 120000;

/**
 * knn(x, k, options) using a second thread for about half of the approximate search's block join (from
 * helperMinRows rows, default 20,000); the same graph as knn for the same options. Falls back to one
 * thread when the helper cannot start.
 */
export function knnParallel(x: Matrix, k: number, options: KnnOptions & ParallelOptions = {}): NeighborGraph {
  const n = x.rows;
  if (!useApprox(x, k, options)) return knnExact(x, k);
  if (n < (options.helperMinRows ?? MIN_ROWS)) return knnApprox(x, k, options);
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * 4));
  let worker: Worker | null = null;
  try {
    worker = startThread(new URL('./helper.ts', import.meta.url), { workerData: { kind: 'knn-helper', ctrl: ctrl.buffer }, unref: true });
  } catch {
    worker = null;
  }
  try {
    const p = prepareApprox(x, k, options, true);
    const share = (src: Int32Array | Float32Array): SharedArrayBuffer => {
      const buf = new SharedArrayBuffer(4 * src.length);
      if (src instanceof Float32Array) new Float32Array(buf).set(src);
      else new Int32Array(buf).set(src);
      return buf;
    };
    let job: HelperJob | null = {
      n,
      cols: p.xp.cols,
      k,
      leafSize: approxLeafSize(k, options),
      values: p.xp.values.buffer as SharedArrayBuffer,
      starts: share(p.starts),
      pairs: share(p.pairs),
      bounds: share(p.initialBound),
      heaps: { dist: new SharedArrayBuffer(4 * n * k), idx: new SharedArrayBuffer(4 * n * k), size: new SharedArrayBuffer(4 * n) },
    };
    if (worker) worker.postMessage(job);
    if (worker && options.waitForHelper) awaitChange(ctrl, CTRL.state, 0, 10000);
    blockJoin(p.space, p.heaps, p.starts, p.pairs, () => Atomics.add(ctrl, CTRL.next, 1));
    if (Atomics.compareExchange(ctrl, CTRL.state, 0, -1) !== 0) {
      // the helper took part: wait for its last chunk, then merge its heaps into ours
      if (!awaitValue(ctrl, CTRL.done, 1, HELPER_TIMEOUT_MS) || Atomics.load(ctrl, CTRL.error) === 1) {
        // its chunks are lost: do the whole join here (rare)
        p.heaps.restart(p.initialBound);
        let next = 0;
        blockJoin(p.space, p.heaps, p.starts, p.pairs, () => next++);
      } else {
        const dist = new Float32Array(job!.heaps.dist);
        const idx = new Int32Array(job!.heaps.idx);
        const size = new Int32Array(job!.heaps.size);
        const { bound } = p.heaps;
        for (let i = 0; i < n; i++) {
          for (let t = i * k, e = i * k + size[i]!; t < e; t++) {
            if (dist[t]! <= bound[i]!) p.heaps.push(i, dist[t]!, idx[t]!);
          }
        }
      }
    }
    // the helper's heaps (8 bytes per neighbour) are merged: let them go before the graph is built
    job = null;
    if (worker) void worker.terminate();
    worker = null;
    return finishApprox(p);
  } finally {
    if (worker) void worker.terminate();
  }
}
