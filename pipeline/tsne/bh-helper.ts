// The Barnes-Hut helper thread: waits for a new generation of positions in shared memory, builds the same
// quadtree as the main thread and claims chunks of points until none are left (gradient-bh-parallel.ts);
// in FFT mode it convolves one of the FFT repulsion's two charge pairs instead.

import { workerData } from 'node:worker_threads';
import { QuadTree, bhChunk, bhChunks } from './gradient-bh.js';
import { FftState } from './gradient-fft.js';
import { CTRL, type HelperData } from './gradient-bh-parallel.js';

const data = workerData as HelperData | undefined;
if (data && data.kind === 'bh-helper') {
  const { n, theta } = data;
  const ctrl = new Int32Array(data.ctrl);
  const y = new Float64Array(data.y);
  const out = new Float64Array(data.out);
  const zs = new Float64Array(data.z);
  let seen = 0;
  let fft: FftState | null = null;
  let tree: QuadTree | null = null;
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  for (;;) {
    Atomics.wait(ctrl, CTRL.generation, seen);
    const gen = Atomics.load(ctrl, CTRL.generation);
    if (gen < 0) break; // disposed
    seen = gen;
    if (Atomics.load(ctrl, CTRL.mode) === 1) {
      // the FFT repulsion's first charge pair (default options, as auto's); the caller does the second
      fft ??= new FftState();
      fft.prepare(y, n);
      fft.potentials(y, n, 0, out);
      Atomics.store(ctrl, CTRL.finished, gen);
      Atomics.notify(ctrl, CTRL.finished);
      continue;
    }
    if (tree) tree.rebuild(y, n);
    else tree = new QuadTree(y, n);
    const chunks = bhChunks(tree);
    for (;;) {
      const c = Atomics.add(ctrl, CTRL.next, 1);
      if (c >= chunks) break;
      zs[c] = bhChunk(tree, theta, c, out);
    }
    Atomics.store(ctrl, CTRL.finished, gen);
    Atomics.notify(ctrl, CTRL.finished);
  }
}
