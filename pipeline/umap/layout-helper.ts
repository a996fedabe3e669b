// The UMAP layout helper thread: runs the second block of each epoch the caller publishes, when it
// claims it first (the caller runs it itself otherwise, e.g. while this thread is still starting).

import { parentPort, workerData } from 'node:worker_threads';
import { layoutBlockEpoch, stepSize } from './layout.js';
import { awaitChange, post } from '../threads.js';
import { CTRL, stateOfJob, type LayoutJob } from './optimizer.js';

const data = workerData as { kind: string; ctrl: SharedArrayBuffer } | undefined;
const port = parentPort;
if (data && data.kind === 'umap-layout-helper' && port) {
  const ctrl = new Int32Array(data.ctrl);
  port.once('message', (job: LayoutJob) => {
    const state = stateOfJob(job);
    post(ctrl, CTRL.ready, 1);
    let seen = -1;
    try {
      for (;;) {
        // a new epoch, not merely a wake (see post in threads.ts); stopping publishes one too
        const e = awaitChange(ctrl, CTRL.epoch, seen, Infinity);
        if (Atomics.load(ctrl, CTRL.stop) !== 0) break;
        seen = e;
        if (Atomics.compareExchange(ctrl, CTRL.claim, e - 1, e) !== e - 1) continue;
        layoutBlockEpoch(state, 1, e, stepSize(job.learningRate, e, job.epochs));
        post(ctrl, CTRL.done, e);
      }
    } catch {
      Atomics.store(ctrl, CTRL.error, 1);
      Atomics.notify(ctrl, CTRL.done);
    }
    port.close();
  });
}
