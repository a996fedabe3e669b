// The neighbour-search helper thread (parallel.ts, started through threads.ts): receives the renumbered rows and the block pairs
// of an approximate search, then claims chunks of block pairs from the shared counter until none are
// left, offering to its own heaps in shared memory. The caller merges those heaps into its own.

import { parentPort, workerData } from 'node:worker_threads';
import { NeighborHeaps } from './heap.js';
import { blockJoin } from './approximate.js';
import { distanceSpace } from './space.js';
import { CTRL, type HelperJob } from './parallel.js';
import { post } from '../../threads.js';

const data = workerData as { kind: string; ctrl: SharedArrayBuffer } | undefined;
const port = parentPort;
if (data && data.kind === 'knn-helper' && port) {
  const ctrl = new Int32Array(data.ctrl);
  port.once('message', (job: HelperJob) => {
    // the caller closes the state when it finished every chunk before this thread started
    if (Atomics.compareExchange(ctrl, CTRL.state, 0, 1) !== 0) return;
    Atomics.notify(ctrl, CTRL.state);
    try {
      const xp = { rows: job.n, cols: job.cols, values: new Float32Array(job.values) };
      const space = distanceSpace(xp, job.leafSize);
      const heaps = new NeighborHeaps(job.n, job.k, { precision: 'f32', bound: space.bound, shared: job.heaps });
      heaps.bound.set(new Float32Array(job.bounds));
      blockJoin(space, heaps, new Int32Array(job.starts), new Int32Array(job.pairs), () => Atomics.add(ctrl, CTRL.next, 1));
    } catch {
      Atomics.store(ctrl, CTRL.error, 1);
    }
    post(ctrl, CTRL.done, 1);
  });
}
