// The training engine's second thread (see parallel.ts): the forward and backward pass of the second part of
// each batch, and the optimizer update of the second half of the parameters, on the shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { awaitChange, post } from '../threads.js';
import { MlpPart } from './mlp.js';
import { CMD, CTRL, updateSplit, type WorkerData } from './parallel.js';

const { options, layout, memory, control: c, scalars, error } = workerData as WorkerData;
const part = new MlpPart(layout, memory, options, 1);
const count = layout.count;
parentPort!.postMessage('ready');

let seen = 0;
for (;;) {
  // a new request number, not merely a wake: a wake can be the late notify of the request just served (see post)
  seen = awaitChange(c, CTRL.request, seen, Infinity);
  const command = c[CTRL.command];
  if (command === CMD.exit) break;
  try {
    if (command === CMD.grad) {
      scalars[0] = part.step(c[CTRL.rows]!, c[CTRL.batchRows]!);
    } else if (command === CMD.evaluate) {
      scalars[0] = part.evaluate(c[CTRL.rows]!, c[CTRL.step] === 1);
    } else if (command === CMD.update) {
      part.update(c[CTRL.step]!, updateSplit(count), count, true);
    }
    c[CTRL.failed] = 0;
  } catch (err) {
    const bytes = new TextEncoder().encode(err instanceof Error ? err.message : String(err)).subarray(0, error.length - 1);
    error.fill(0);
    error.set(bytes);
    c[CTRL.failed] = 1;
  }
  post(c, CTRL.done, seen);
}
process.exit(0);
