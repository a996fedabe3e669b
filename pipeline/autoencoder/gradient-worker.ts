// The second core's half of each training step (see parallel.ts): load the published weights, compute the
// gradient of this worker's rows, write it back. Runs on its own wasm backend.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { allLayers, buildNetwork } from './model.js';
import { objective } from './objective.js';
import { CMD, CTRL, type WorkerData } from './parallel.js';

const { options, buffers } = workerData as WorkerData;
const c = buffers.control;

try {
  await initBackend('wasm');
} catch (err) {
  parentPort!.postMessage(`wasm backend: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const net = buildNetwork(options);
const vars = allLayers(net).flatMap((l) => [l.w, l.b]);
const D = options.inputSize;
parentPort!.postMessage('ready');

let seen = 0;
for (;;) {
  Atomics.wait(c, CTRL.request, seen);
  seen = Atomics.load(c, CTRL.request);
  if (c[CTRL.command] === CMD.exit) break;
  const rows = c[CTRL.rows]!;
  try {
    tf.tidy(() => {
      let off = 0;
      for (const v of vars) {
        v.assign(tf.tensor(buffers.weights.subarray(off, off + v.size), v.shape));
        off += v.size;
      }
      const input = tf.tensor2d(buffers.input.subarray(0, rows * D), [rows, D]);
      const batch = {
        input,
        inputT: tf.tensor2d(buffers.inputT.subarray(0, rows * D), [D, rows]),
        target: options.noise ? tf.tensor2d(buffers.target.subarray(0, rows * D), [rows, D]) : input,
        eps: options.variant === 'vae' ? tf.tensor2d(buffers.eps.subarray(0, rows * options.codeSize), [rows, options.codeSize]) : null,
      };
      const { value, grads } = tf.variableGrads(() => objective(net, options, batch, buffers.scalars[0]!), vars);
      off = 0;
      for (const v of vars) {
        buffers.grads.set(grads[v.name]!.dataSync() as Float32Array, off);
        off += v.size;
      }
      buffers.scalars[1] = value.dataSync()[0]!;
    });
    c[CTRL.failed] = 0;
  } catch (err) {
    const bytes = new TextEncoder().encode(err instanceof Error ? err.message : String(err)).subarray(0, buffers.error.length - 1);
    buffers.error.fill(0);
    buffers.error.set(bytes);
    c[CTRL.failed] = 1;
  }
  Atomics.store(c, CTRL.done, seen);
  Atomics.notify(c, CTRL.done);
}
process.exit(0);
