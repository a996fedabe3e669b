// The second core's share of each training step (see parallel.ts): the gradient of the second part of the
// batch, and the optimizer update of the second half of the parameters. Runs on its own wasm backend.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { allLayers, buildNetwork } from './model.js';
import { objective } from './objective.js';
import { optimizerStep } from './optimizer.js';
import { CMD, CTRL, updateSplit, type WorkerData } from './parallel.js';
import { readGradients, writeParams } from './params.js';

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
const count = buffers.weights.length;
parentPort!.postMessage('ready');

function grad(): void {
  const rows = c[CTRL.rows]!;
  writeParams(vars, buffers.weights);
  tf.tidy(() => {
    const input = tf.tensor2d(buffers.input.subarray(0, rows * D), [rows, D]);
    const batch = {
      input,
      inputT: tf.tensor2d(buffers.inputT.subarray(0, rows * D), [D, rows]),
      target: options.noise ? tf.tensor2d(buffers.target.subarray(0, rows * D), [rows, D]) : input,
      eps: options.variant === 'vae' ? tf.tensor2d(buffers.eps.subarray(0, rows * options.codeSize), [rows, options.codeSize]) : null,
    };
    const { value, grads } = tf.variableGrads(() => objective(net, options, batch, buffers.scalars[0]!), vars);
    readGradients(vars, grads, buffers.grads1);
    buffers.scalars[1] = value.dataSync()[0]!;
  });
}

function update(): void {
  const step = c[CTRL.step]!;
  optimizerStep(options.optimizer, options.learningRate, step, buffers.weights, buffers.state, buffers.grads0, buffers.grads1, updateSplit(count), count);
}

let seen = 0;
for (;;) {
  Atomics.wait(c, CTRL.request, seen);
  seen = Atomics.load(c, CTRL.request);
  const command = c[CTRL.command];
  if (command === CMD.exit) break;
  try {
    if (command === CMD.grad) grad();
    else if (command === CMD.update) update();
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
