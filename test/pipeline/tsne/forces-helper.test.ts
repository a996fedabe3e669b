// The t-SNE forces' helper thread serves each generation once. post() stores the generation, then wakes the helper:
// two steps, and on a busy machine the helper can serve the generation and wait again before that wake arrives. A
// wake without a new generation must not run the generation again: it would claim Barnes-Hut chunks of the caller's
// next generation with a tree of the old positions.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CTRL, MODE, TREE, type HelperData } from '../../../pipeline/tsne/forces-parallel.js';
import { sharedTreeBuffers } from '../../../pipeline/tsne/gradient-bh.js';
import { ATTRACTION_ROWS } from '../../../pipeline/tsne/forces.js';
import { awaitChange, awaitValue, post, startThread } from '../../../pipeline/threads.js';
import { createRandom } from '../../../pipeline/random.js';
import { wakeWhenWaiting } from '../../fixtures/late-wake.js';

describe('the t-SNE forces helper and a late wake', () => {
  it('serves each generation once: a wake with no new generation claims no work', async () => {
    const n = 500;
    const buffers = {
      ctrl: new SharedArrayBuffer(16 * 4),
      y: new SharedArrayBuffer(16 * n),
      out: new SharedArrayBuffer(16 * n),
      z: new SharedArrayBuffer(8 * n),
      attr: new SharedArrayBuffer(16 * n),
      pLogQ: new SharedArrayBuffer(8 * Math.ceil(n / ATTRACTION_ROWS)),
      tree: sharedTreeBuffers(n),
    };
    const channel = new MessageChannel();
    const data: HelperData = { kind: 'forces-helper', n, theta: 0.5, ...buffers, port: channel.port2 };
    const worker = startThread(new URL('../../../pipeline/tsne/forces-helper.ts', import.meta.url), { workerData: data, transferList: [channel.port2] });
    const ctrl = new Int32Array(buffers.ctrl);
    try {
      expect(awaitChange(ctrl, CTRL.ready, 0, 20000), 'the helper did not start').toBe(1);
      const y = new Float64Array(buffers.y);
      const random = createRandom(5);
      for (let i = 0; i < 2 * n; i++) y[i] = random.normal();
      // generation 1: Barnes-Hut, every chunk left to the helper
      Atomics.store(ctrl, CTRL.mode, MODE.bh);
      Atomics.store(ctrl, CTRL.attract, 0);
      Atomics.store(ctrl, CTRL.tree, TREE.own);
      Atomics.store(ctrl, CTRL.next, 0);
      post(ctrl, CTRL.generation, 1);
      expect(awaitValue(ctrl, CTRL.finished, 1, 20000), 'generation 1 was not served').toBe(true);
      expect(Atomics.load(ctrl, CTRL.next)).toBeGreaterThan(0);
      // the caller prepares generation 2 (its chunk counter back at 0) and has not posted it yet, when the wake of
      // generation 1 arrives (sent once the helper waits again: a wake before that finds no one)
      Atomics.store(ctrl, CTRL.next, 0);
      expect(await wakeWhenWaiting(ctrl, CTRL.generation), 'the helper was never seen waiting').toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(Atomics.load(ctrl, CTRL.next), 'chunks claimed by a wake without a generation').toBe(0);
      // generation 2 is still served
      post(ctrl, CTRL.generation, 2);
      expect(awaitValue(ctrl, CTRL.finished, 2, 20000), 'generation 2 was not served').toBe(true);
    } finally {
      post(ctrl, CTRL.generation, -1);
      await worker.terminate();
      channel.port1.close();
    }
  });
});
