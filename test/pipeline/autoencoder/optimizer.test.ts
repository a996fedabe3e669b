import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizerState, optimizerStep, type OptimizerName } from '../../../pipeline/autoencoder/optimizer.js';
import { initBackend } from '../../../pipeline/backend.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A few steps of each optimizer on a quadratic, against tfjs' own optimizer with the same learning rate. */
describe('flat optimizers follow tfjs', () => {
  const n = 50;
  const start = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
  const target = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  const grad = (w: Float32Array) => Float32Array.from(w, (v, i) => 2 * (v - target[i]!));

  for (const name of ['adam', 'rmsprop', 'sgd'] as OptimizerName[]) {
    it(`${name}: the same weights as tf.train.${name} after 20 steps`, () => {
      const lr = 0.05;
      const ours = start.slice();
      const state = optimizerState(name, n);
      const theirs = tf.variable(tf.tensor1d(start));
      const opt = name === 'adam' ? tf.train.adam(lr) : name === 'rmsprop' ? tf.train.rmsprop(lr) : tf.train.sgd(lr);
      for (let step = 1; step <= 20; step++) {
        // the gradient split in two parts, summed by the optimizer, as two training threads do
        const g = grad(ours);
        const half = g.map((v) => v / 2);
        optimizerStep(name, lr, step, ours, state, half, half, 0, n);
        tf.tidy(() => opt.applyGradients([{ name: theirs.name, tensor: tf.tensor1d(grad(theirs.dataSync() as Float32Array)) }]));
      }
      const t = theirs.dataSync();
      let maxDiff = 0;
      let moved = 0;
      for (let i = 0; i < n; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - t[i]!));
        moved = Math.max(moved, Math.abs(ours[i]! - start[i]!));
      }
      expect(moved).toBeGreaterThan(0.1);
      expect(maxDiff).toBeLessThan(1e-4);
      theirs.dispose();
      opt.dispose();
    });
  }

  it('updates only the asked range', () => {
    const w = new Float32Array(10).fill(1);
    const g = new Float32Array(10).fill(1);
    optimizerStep('adam', 0.1, 1, w, optimizerState('adam', 10), g, null, 3, 7);
    expect(Array.from(w.subarray(0, 3))).toEqual([1, 1, 1]);
    expect(Array.from(w.subarray(7))).toEqual([1, 1, 1]);
    expect(w[3]!).toBeLessThan(1);
  });
});
