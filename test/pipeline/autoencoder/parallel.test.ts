import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { initBackend } from '../../../pipeline/backend.js';
import type { Variant } from '../../../pipeline/types.js';
import { TrainingEngine } from '../../../pipeline/autoencoder/engine.js';
import { allLayers, buildNetwork } from '../../../pipeline/autoencoder/model.js';
import { CTRL } from '../../../pipeline/autoencoder/parallel.js';
import { lowRank, testConfig } from './fixtures.js';
import { wakeWhenWaiting } from '../../fixtures/late-wake.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const data = lowRank(400, 20, 3, 13);

async function train(workers: 1 | 2, variant: Variant = 'plain') {
  const options = { ...autoencoderOptions(testConfig({ variant, epochs: 3, batchSize: 64 }), 20, 'bce'), workers };
  const ae = await trainAutoencoder(data, options);
  const result = { codes: ae.encode(data).values, summary: { ...ae.summary }, history: ae.history };
  ae.dispose();
  return result;
}

describe('the training engine on two threads', () => {
  it('gives the same model as one thread, up to rounding, and says it used two threads', async () => {
    const one = await train(1);
    const two = await train(2);
    expect(one.summary.workers).toBe(1);
    expect(two.summary.workers).toBe(2);
    expect(two.summary.notes).toBeUndefined();
    let maxDiff = 0;
    for (let i = 0; i < one.codes.length; i++) maxDiff = Math.max(maxDiff, Math.abs(one.codes[i]! - two.codes[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
    expect(two.summary.validation as number).toBeCloseTo(one.summary.validation as number, 4);
    two.history.forEach((h, i) => expect(h.loss).toBeCloseTo(one.history[i]!.loss, 4));
  });

  it('is deterministic with two threads and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const a = await train(2);
    const b = await train(2);
    expect(Array.from(b.codes)).toEqual(Array.from(a.codes));
    expect(tf.memory().numTensors).toBe(before);
  });

  for (const variant of ['denoising', 'vae', 'residual'] as const) {
    it(`splits ${variant} batches consistently with one thread (denoising: noise and targets; vae: draws; residual: its two learning rates)`, async () => {
      const one = await train(1, variant);
      const two = await train(2, variant);
      expect(two.summary.workers).toBe(2);
      expect(two.summary.validation as number).toBeCloseTo(one.summary.validation as number, 3);
    });
  }
});

describe('the training worker and a late wake', () => {
  // post() stores a request number, then wakes the worker: two steps. On a busy machine the worker can see the new
  // number, serve it and wait again before the wake arrives; that wake must not serve the request again. (It did:
  // the worker's half of the optimizer update ran twice, and a seed stopped giving one model under load.)
  it('serves each request once: a wake with no new request changes nothing', async () => {
    const options = { ...autoencoderOptions(testConfig({ epochs: 1, batchSize: 64 }), 20, 'bce'), workers: 2 as const };
    const net = buildNetwork(options);
    const vars = allLayers(net).flatMap((l) => [l.w, l.b]);
    const engine = await TrainingEngine.start(options, vars, 64, 2);
    try {
      expect(engine.threads).toBe(2);
      const [p0, p1] = [engine.part(0), engine.part(1)];
      p0.input.set(data.values.subarray(0, 32 * 20));
      p1.input.set(data.values.subarray(32 * 20, 64 * 20));
      engine.step(64);
      const after = engine.snapshot();
      // the wake of the update request, arriving after the worker served it
      const control = (engine as unknown as { worker: { data: { control: Int32Array } } }).worker.data.control;
      // (once the worker waits again: a wake sent before that finds no one)
      expect(await wakeWhenWaiting(control, CTRL.request), 'the worker was never seen waiting').toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = engine.snapshot();
      let changed = 0;
      for (let i = 0; i < now.length; i++) if (now[i] !== after[i]) changed++;
      expect(changed, 'parameters changed by a wake without a request').toBe(0);
      // and the next request is still served (the worker did not lose count)
      expect(Number.isFinite(engine.step(64))).toBe(true);
    } finally {
      await engine.close();
      allLayers(net).forEach((l) => {
        l.w.dispose();
        l.b.dispose();
      });
    }
  });
});
