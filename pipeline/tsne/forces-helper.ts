// The t-SNE forces' helper thread (started by forces-parallel.ts through threads.ts): waits for a new
// generation of positions in shared memory, builds the same quadtree as the main thread and claims chunks
// of points until none are left; in FFT mode it convolves one of the FFT repulsion's two charge pairs instead. When the optimizer shares
// the attraction, it then claims chunks of P's rows as well.

import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { SparseMatrix } from '../types.js';
import { QuadTree, TreeOverflowError, bhChunk, bhChunks } from './gradient-bh.js';
import { FftState } from './gradient-fft.js';
import { CTRL, MODE, TREE, type HelperData, type SharedAffinities } from './forces-parallel.js';
import { ATTRACTION_ROWS, attractRows } from './forces.js';
import { awaitChange, post } from '../threads.js';

const data = workerData as HelperData | undefined;
if (data && data.kind === 'forces-helper') {
  const { n, theta, port } = data;
  const ctrl = new Int32Array(data.ctrl);
  const y = new Float64Array(data.y);
  const out = new Float64Array(data.out);
  const zs = new Float64Array(data.z);
  const attr = new Float64Array(data.attr);
  const pLogQ = new Float64Array(data.pLogQ);
  let p: SparseMatrix | null = null;
  let seen = 0;
  let fft: FftState | null = null;
  let tree: QuadTree | null = null;
  const sharedTree = new QuadTree(y, n, data.tree);
  const rowChunks = Math.ceil(n / ATTRACTION_ROWS);
  post(ctrl, CTRL.ready, 1);
  for (;;) {
    // a new generation, not merely a wake (a late wake of the generation just served would compute it again
    // while the caller moves the points: see post in threads.ts)
    const gen = awaitChange(ctrl, CTRL.generation, seen, Infinity);
    if (gen < 0) break; // disposed
    seen = gen;
    const mode = Atomics.load(ctrl, CTRL.mode);
    if (mode === MODE.affinities) {
      // the message was posted before this generation began; wait for it to arrive if it has not yet
      let msg = receiveMessageOnPort(port);
      for (let tries = 0; !msg && tries < 10000; tries++) {
        Atomics.wait(ctrl, CTRL.ready, 1, 1);
        msg = receiveMessageOnPort(port);
      }
      if (msg) {
        const m = msg.message as SharedAffinities;
        p = {
          rows: m.rows,
          cols: m.rows,
          indptr: new Int32Array(m.indptr),
          indices: new Int32Array(m.indices),
          values: new Float64Array(m.values),
        };
      }
    } else if (mode === MODE.fft) {
      // the FFT repulsion's first charge pair (default options, as auto's); the caller does the second
      fft ??= new FftState();
      fft.prepare(y, n);
      fft.potentials(y, n, 0, out);
    } else {
      let t: QuadTree | null = null;
      if (Atomics.load(ctrl, CTRL.tree) === TREE.building) {
        // build the tree both threads use; the caller takes attraction rows meanwhile
        let state: number = TREE.ready;
        try {
          sharedTree.rebuild(y, n);
          Atomics.store(ctrl, CTRL.treeNodes, sharedTree.nodes);
          Atomics.store(ctrl, CTRL.treeGroups, sharedTree.groups);
          t = sharedTree;
        } catch (err) {
          if (!(err instanceof TreeOverflowError)) throw err;
          state = TREE.overflow;
        }
        post(ctrl, CTRL.tree, state);
      }
      if (!t) {
        if (tree) tree.rebuild(y, n);
        else tree = new QuadTree(y, n);
        t = tree;
      }
      const chunks = bhChunks(t);
      for (;;) {
        const c = Atomics.add(ctrl, CTRL.next, 1);
        if (c >= chunks) break;
        zs[c] = bhChunk(t, theta, c, out);
      }
    }
    if (mode !== MODE.affinities && p && Atomics.load(ctrl, CTRL.attract) === 1) {
      const computeKl = Atomics.load(ctrl, CTRL.kl) === 1;
      for (;;) {
        const c = Atomics.add(ctrl, CTRL.nextRow, 1);
        if (c >= rowChunks) break;
        pLogQ[c] = attractRows(y, p, c * ATTRACTION_ROWS, Math.min(n, (c + 1) * ATTRACTION_ROWS), attr, computeKl);
      }
    }
    post(ctrl, CTRL.finished, gen);
  }
}
