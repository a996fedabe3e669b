import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { initBackend } from '../../../pipeline/backend.js';
import type { Variant } from '../../../pipeline/types.js';
import { lowRank, testConfig } from './fixtures.js';

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
