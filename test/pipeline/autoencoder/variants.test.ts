import { beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, splitRows, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { gatherRows } from '../../../pipeline/autoencoder/train.js';
import { initBackend } from '../../../pipeline/backend.js';
import { isInputError } from '../../../pipeline/errors.js';
import { createRandom } from '../../../pipeline/random.js';
import type { Matrix } from '../../../pipeline/types.js';
import { fitPca, pcaTransform } from '../../../pipeline/reduce/pca.js';
import type { TrainedAutoencoder } from '../../../pipeline/autoencoder/autoencoder.js';
import { linearPathOffsets, tieMeanBias, tieMeanGradients } from '../../../pipeline/autoencoder/residual.js';
import * as tf from '@tensorflow/tfjs';
import { lowRank, meanBce, testConfig } from './fixtures.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const data = lowRank(500, 32, 3, 21);

describe('sparse variant', () => {
  for (const penalty of ['kl', 'l1'] as const) {
    it(`the ${penalty} penalty lowers mean code activation and the active fraction against no penalty`, async () => {
      const train = async (weight: number) => {
        const config = testConfig({ variant: 'sparse', sparsityPenalty: penalty, sparsityWeight: weight, sparsityTarget: 0.05, epochs: 20, batchSize: 64, codeSize: 8 });
        const ae = await trainAutoencoder(data, autoencoderOptions(config, 32, 'bce'));
        const s = { ...ae.summary };
        ae.dispose();
        return s;
      };
      const plain = await train(0);
      const sparse = await train(penalty === 'kl' ? 0.5 : 0.005);
      expect(sparse.meanActivation as number).toBeLessThan((plain.meanActivation as number) * 0.7);
      expect(sparse.activeFraction as number).toBeLessThan(plain.activeFraction as number);
      expect(sparse.validation as number).toBeLessThan(0.69); // still reconstructs better than a coin
    });
  }
});

describe('denoising variant', () => {
  it('reconstructs noisy held-out rows closer to their clean versions than the plain autoencoder does', async () => {
    const split = splitRows(data.rows, 0.1, 42);
    const clean = gatherRows(data, split.validation);
    const noisy: Matrix = { ...clean, values: clean.values.slice() };
    const random = createRandom(99);
    for (let i = 0; i < noisy.values.length; i++) noisy.values[i] = Math.min(1, Math.max(0, noisy.values[i]! + 0.3 * random.normal()));
    const run = async (variant: 'plain' | 'denoising') => {
      const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant, noise: 'gaussian', noiseStd: 0.3, epochs: 25, codeSize: 8 }), 32, 'bce'));
      const err = meanBce(ae.reconstruct(noisy).values, clean.values);
      const summary = { ...ae.summary };
      ae.dispose();
      return { err, summary };
    };
    const plain = await run('plain');
    const denoising = await run('denoising');
    expect(denoising.err).toBeLessThan(plain.err);
    expect(denoising.summary.noisyValidation as number).toBeGreaterThan(0);
    expect(denoising.summary.noisyValidation as number).toBeLessThan(plain.err);
    expect(plain.summary.noisyValidation).toBeUndefined();
  });

  it('masking noise trains too and reports the noisy validation error', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant: 'denoising', noise: 'mask', noiseFraction: 0.3, epochs: 5 }), 32, 'bce'));
    expect(Number.isFinite(ae.summary.noisyValidation as number)).toBe(true);
    expect(ae.summary.noisyValidation as number).toBeGreaterThanOrEqual(ae.summary.validation as number);
    ae.dispose();
  });
});

describe('vae variant', () => {
  it('codes are the means (deterministic), sample() draws seeded rows in [0, 1], and the KL is reported', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant: 'vae', epochs: 15, codeSize: 4 }), 32, 'bce'));
    expect(Array.from(ae.encode(data).values)).toEqual(Array.from(ae.encode(data).values));
    const a = ae.sample(50, 3);
    const b = ae.sample(50, 3);
    const c = ae.sample(50, 4);
    expect(a.rows).toBe(50);
    expect(a.cols).toBe(32);
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.values)).not.toEqual(Array.from(c.values));
    expect(a.values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(ae.summary.kl as number).toBeGreaterThan(0);
    const val = ae.history.map((h) => h.valLoss!);
    expect(val[val.length - 1]!).toBeLessThan(val[0]!);
    ae.dispose();
  });

  it('the KL weight pulls the codes toward the prior: a larger weight gives a smaller KL', async () => {
    const kl = async (klWeight: number) => {
      const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant: 'vae', klWeight, epochs: 15 }), 32, 'bce'));
      const v = ae.summary.kl as number;
      ae.dispose();
      return v;
    };
    expect(await kl(5)).toBeLessThan(await kl(0.1));
  });

  it('sampling from a model that is not a vae is an input error', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 1 }), 32, 'bce'));
    let err: unknown = null;
    try {
      ae.sample(5, 1);
    } catch (e) {
      err = e;
    }
    ae.dispose();
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/vae/);
  });
});

describe('residual variant (an autoencoder that starts as PCA)', () => {
  const meanSquared = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
    return s / a.length;
  };
  // data of rank 3 squashed by a sigmoid: PCA with 2 components misses what the nonlinearity bends
  const codeSize = 2;
  const pca = fitPca(data, codeSize, 42);
  const pcaCodes = pcaTransform(pca, data);
  const pcaRecon = new Float32Array(data.values.length);
  for (let r = 0; r < data.rows; r++) {
    for (let d = 0; d < 32; d++) {
      let v = pca.mean[d]!;
      for (let c = 0; c < codeSize; c++) v += pcaCodes.values[r * codeSize + c]! * pca.components.values[c * 32 + d]!;
      pcaRecon[r * 32 + d] = v;
    }
  }

  it('with a vanishing learning rate it is PCA: the same codes (up to sign) and the same reconstruction error', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant: 'residual', codeSize, epochs: 1, learningRate: 1e-9, validationSplit: 0 }), 32, 'bce'));
    expect(ae.options.loss).toBe('mse');
    const codes = ae.encode(data).values;
    for (let c = 0; c < codeSize; c++) {
      // the axes come from the same data (all rows train), so each code unit is a PCA score up to its sign
      let dot = 0, nA = 0, nB = 0;
      for (let r = 0; r < data.rows; r++) {
        const a = codes[r * codeSize + c]!, b = pcaCodes.values[r * codeSize + c]!;
        dot += a * b; nA += a * a; nB += b * b;
      }
      expect(Math.abs(dot) / Math.sqrt(nA * nB)).toBeGreaterThan(0.9999);
    }
    const err = meanSquared(ae.reconstruct(data).values, data.values);
    expect(err).toBeCloseTo(meanSquared(pcaRecon, data.values), 5);
    ae.dispose();
  });

  it('training adds what PCA misses: its held-out error ends well below PCA\'s of the same code size', async () => {
    const options = autoencoderOptions(testConfig({ variant: 'residual', codeSize, epochs: 40, batchSize: 32, learningRate: 0.005 }), 32, 'bce');
    const ae = await trainAutoencoder(data, options);
    const split = splitRows(data.rows, options.validationSplit, options.seed);
    const val = gatherRows(data, split.validation);
    const valPca = gatherRows({ rows: data.rows, cols: 32, values: pcaRecon }, split.validation);
    const pcaErr = meanSquared(valPca.values, val.values);
    const aeErr = meanSquared(ae.reconstruct(val).values, val.values);
    expect(aeErr).toBeLessThan(pcaErr * 0.8);
    // and the summary's validation figure is that same error (mse per value)
    expect(ae.summary.validation as number).toBeCloseTo(aeErr, 6);
    ae.dispose();
  });

  it('its two linear layers share one mean: after training (two threads), linear_in\'s bias is -mean · W_in', async () => {
    const options = { ...autoencoderOptions(testConfig({ variant: 'residual', codeSize, epochs: 5, batchSize: 32, learningRate: 0.01 }), 32, 'bce'), workers: 2 as const };
    const ae = (await trainAutoencoder(data, options)) as TrainedAutoencoder;
    expect(ae.summary.workers).toBe(2);
    const wIn = ae.net.linear!.in.w.dataSync();
    const bIn = ae.net.linear!.in.b.dataSync();
    const mean = ae.net.linear!.out.b.dataSync();
    // the mean moved away from PCA's (it trains), and the input bias followed it
    let moved = 0;
    for (let d = 0; d < 32; d++) moved = Math.max(moved, Math.abs(mean[d]! - pca.mean[d]!));
    expect(moved).toBeGreaterThan(1e-3);
    for (let c = 0; c < codeSize; c++) {
      let expected = 0;
      for (let d = 0; d < 32; d++) expected -= mean[d]! * wIn[d * codeSize + c]!;
      expect(bIn[c]!).toBeCloseTo(expected, 5);
    }
    ae.dispose();
  });

  it('tieMeanGradients is the chain rule of b_in = -mean · W_in (against tfjs autodiff of the tied function)', () => {
    const D = 5, C = 3;
    const rand = createRandom(7);
    const draw = (n: number) => Float32Array.from({ length: n }, () => rand.normal());
    const [w, m, other] = [draw(D * C), draw(D), draw(4)];
    // the gradients are taken where the tie holds, as in training
    const b = tf.neg(tf.matMul(tf.tensor2d(m, [1, D]), tf.tensor2d(w, [D, C]))).dataSync() as Float32Array;
    // any smooth function of the free parameters
    const L = (W: tf.Tensor, B: tf.Tensor, M: tf.Tensor) =>
      tf.add(tf.sum(tf.sin(tf.mul(B, tf.range(1, C + 1)))), tf.add(tf.sum(tf.square(tf.matMul(M.reshape([1, D]), W))), tf.sum(tf.mul(tf.square(M), W.sum(1)))));
    const free = tf.grads((W, B, M) => L(W, B, M))([tf.tensor2d(w, [D, C]), tf.tensor1d(b), tf.tensor1d(m)]);
    const tied = tf.grads((W, M) => L(W, tf.neg(tf.matMul(M.reshape([1, D]), W)).reshape([C]), M))([tf.tensor2d(w, [D, C]), tf.tensor1d(m)]);
    // flat parameters as the trainers hold them: [other layer (4) | W_in | b_in | W_out (C x D) | mean]
    const count = 4 + D * C + C + C * D + D;
    const o = linearPathOffsets(count, D, C);
    const weights = new Float32Array(count);
    const g0 = new Float32Array(count);
    weights.set(other, 0);
    weights.set(w, o.wIn);
    weights.set(m, o.mean);
    // the free gradient split between two threads' arrays, as the engine sums them
    const [gw, gb, gm] = free.map((t) => t.dataSync() as Float32Array);
    const g1 = new Float32Array(count);
    g0.set(gw!, o.wIn);
    gb!.forEach((v, c) => { g0[o.bIn + c] = v * 0.25; g1[o.bIn + c] = v * 0.75; });
    g0.set(gm!, o.mean);
    tieMeanGradients(o, weights, g0, g1);
    const [tw, tm] = tied.map((t) => t.dataSync() as Float32Array);
    tw!.forEach((v, i) => expect(g0[o.wIn + i]!).toBeCloseTo(v, 4));
    tm!.forEach((v, d) => expect(g0[o.mean + d]!).toBeCloseTo(v, 4));
    for (let c = 0; c < C; c++) expect(g0[o.bIn + c]! + g1[o.bIn + c]!).toBe(0);
    // and the bias it ties (b_in was left at 0 in weights)
    tieMeanBias(o, weights);
    b.forEach((v, c) => expect(weights[o.bIn + c]!).toBeCloseTo(v, 5));
    expect(Array.from(weights.subarray(0, 4))).toEqual(Array.from(other));
    tf.dispose([...free, ...tied]);
  });

  it('an explicit --loss bce is obeyed (the output passes through a sigmoid)', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant: 'residual', codeSize, loss: 'bce', epochs: 2 }), 32, 'bce'));
    expect(ae.options.loss).toBe('bce');
    const out = ae.reconstruct(data).values;
    expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
    ae.dispose();
  });
});
