import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, INFERENCE_BATCH, splitRows, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { gatherRows } from '../../../pipeline/autoencoder/train.js';
import { initBackend } from '../../../pipeline/backend.js';
import { isCancelled, isInputError } from '../../../pipeline/errors.js';
import type { ProgressInfo } from '../../../pipeline/types.js';
import { lowRank, testConfig } from './fixtures.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const data = lowRank(400, 20, 3, 7);

describe('trainAutoencoder', () => {
  it('learns: validation loss falls well below its first value and beats predicting the column means', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 15 }), 20, 'bce'));
    const val = ae.history.map((h) => h.valLoss!);
    expect(ae.history).toHaveLength(15);
    expect(val[14]!).toBeLessThan(val[0]! * 0.9);
    // The loss of predicting each column's mean (the entropy floor of a constant model).
    let meanLoss = 0;
    for (let c = 0; c < 20; c++) {
      let m = 0;
      for (let r = 0; r < 400; r++) m += data.values[r * 20 + c]!;
      m /= 400;
      for (let r = 0; r < 400; r++) {
        const t = data.values[r * 20 + c]!;
        meanLoss -= t * Math.log(m) + (1 - t) * Math.log(1 - m);
      }
    }
    meanLoss /= 400 * 20;
    expect(ae.summary.validation as number).toBeLessThan(meanLoss - 0.05);
    expect(ae.summary).toMatchObject({ loss: 'bce', epochs: 15 });
    expect(ae.summary.samplesPerSecond as number).toBeGreaterThan(0);
    expect(ae.backend).toBe('wasm');
    ae.dispose();
  });

  it('reports progress once per epoch with the epoch, loss and validation loss, ending at 1', async () => {
    const calls: { p: number; stage: string; info: ProgressInfo | undefined; tensors: number }[] = [];
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 4 }), 20, 'bce'), {
      onProgress: (p, stage, info) => calls.push({ p, stage, info, tensors: tf.memory().numTensors }),
    });
    ae.dispose();
    // No leaks across epochs: the same number of live tensors at the end of every epoch.
    const counts = calls.filter((c) => c.info?.valLoss !== undefined).map((c) => c.tensors);
    expect(new Set(counts).size).toBe(1);
    expect(calls.every((c) => c.stage === 'train')).toBe(true);
    const ends = calls.filter((c) => c.info?.valLoss !== undefined);
    expect(ends.map((c) => c.info!.epoch)).toEqual([1, 2, 3, 4]);
    expect(ends.map((c) => c.p)).toEqual([0.25, 0.5, 0.75, 1]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.p).toBeGreaterThanOrEqual(calls[i - 1]!.p);
    expect(ends.every((c) => Number.isFinite(c.info!.loss))).toBe(true);
  });

  it('is deterministic: the same seed gives the same codes, another seed different ones', async () => {
    const train = async (seed: number) => {
      const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 3, seed }), 20, 'bce'));
      const codes = ae.encode(data).values;
      ae.dispose();
      return codes;
    };
    const a = await train(1);
    const b = await train(1);
    const c = await train(2);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('keeps the tensor count flat across training, batched inference and dispose', async () => {
    const before = tf.memory().numTensors;
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 3, patience: 2 }), 20, 'bce'));
    const afterTrain = tf.memory().numTensors;
    // More rows than one inference batch.
    const big = lowRank(INFERENCE_BATCH * 2 + 17, 20, 3, 9);
    const codes = ae.encode(big);
    const errors = ae.rowErrors(big);
    const recon = ae.reconstruct(big);
    expect(tf.memory().numTensors).toBe(afterTrain);
    expect(codes.rows).toBe(big.rows);
    expect(codes.cols).toBe(4);
    expect(errors).toHaveLength(big.rows);
    expect(recon.values).toHaveLength(big.values.length);
    ae.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rowErrors are the per-row mean BCE of the reconstructions and average to the summary figure', async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 3, validationSplit: 0 }), 20, 'bce'));
    const errors = ae.rowErrors(data);
    const recon = ae.reconstruct(data).values;
    for (const r of [0, 17, 399]) {
      let s = 0;
      for (let c = 0; c < 20; c++) {
        const p = recon[r * 20 + c]!;
        const t = data.values[r * 20 + c]!;
        s -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
      }
      expect(errors[r]!).toBeCloseTo(s / 20, 4);
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    expect(ae.summary.train as number).toBeCloseTo(mean, 5);
    expect(ae.summary.validation).toBeNull();
    ae.dispose();
  });

  it('measures the validation loss on the held-out rows of the split, the model\'s own mean error on them', async () => {
    const options = { ...autoencoderOptions(testConfig({ epochs: 3, validationSplit: 0.25 }), 20, 'bce'), trainer: 'engine' as const };
    const ae = await trainAutoencoder(data, options);
    const held = gatherRows(data, splitRows(data.rows, options.validationSplit, options.seed).validation);
    expect(held.rows).toBe(100);
    // the engine read the rows in place; tfjs measures the gathered copy: the same figure up to rounding
    expect(ae.summary.trainer).toBe('engine');
    const errors = ae.rowErrors(held);
    const mean = errors.reduce((a, v) => a + v, 0) / errors.length;
    expect(ae.summary.validation as number).toBeCloseTo(mean, 5);
    expect(ae.history.at(-1)!.valLoss!).toBeCloseTo(mean, 5);
    ae.dispose();
  });

  it('early stopping stops once the validation loss stalls and restores the best weights', async () => {
    // Few rows and a wide network overfit quickly, so the validation loss turns up.
    const small = lowRank(60, 20, 3, 11, 0.1);
    const options = autoencoderOptions(testConfig({ epochs: 300, patience: 3, layers: [64, 64], codeSize: 8, batchSize: 8, learningRate: 0.01, validationSplit: 0.3 }), 20, 'bce');
    const ae = await trainAutoencoder(small, options);
    const val = ae.history.map((h) => h.valLoss!);
    const best = Math.min(...val);
    expect(ae.history.length).toBeLessThan(300);
    expect(ae.summary.bestEpoch).toBe(val.indexOf(best) + 1);
    expect(ae.history.length - (ae.summary.bestEpoch as number)).toBe(3);
    expect(ae.summary.validation as number).toBeCloseTo(best, 5);
    ae.dispose();
  });

  it('works with mse on standardized data', async () => {
    const z = lowRank(300, 20, 3, 5);
    for (let i = 0; i < z.values.length; i++) z.values[i] = (z.values[i]! - 0.5) * 4;
    const ae = await trainAutoencoder(z, autoencoderOptions(testConfig({ epochs: 10, loss: 'mse' }), 20, 'mse'));
    const val = ae.history.map((h) => h.valLoss!);
    expect(val[9]!).toBeLessThan(val[0]!);
    const recon = ae.reconstruct(z).values;
    expect(recon.some((v) => v < 0 || v > 1)).toBe(true); // linear output, not squashed
    ae.dispose();
  });

  it('rejects BCE on values outside [0, 1] and non-finite values with input errors that say where', async () => {
    const bad = { ...data, values: data.values.slice() };
    bad.values[3 * 20 + 4] = 1.5;
    const err = await trainAutoencoder(bad, autoencoderOptions(testConfig(), 20, 'bce')).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/row 4, column 5 is 1.5/);
    expect((err as Error).message).toMatch(/--loss mse/);
    bad.values[3 * 20 + 4] = NaN;
    const err2 = await trainAutoencoder(bad, autoencoderOptions(testConfig(), 20, 'bce')).catch((e: unknown) => e);
    expect(isInputError(err2)).toBe(true);
    expect((err2 as Error).message).toMatch(/row 4, column 5 is NaN/);
  });

  it('stops with an error naming the epoch and suggesting a smaller learning rate when the loss turns NaN', async () => {
    const z = lowRank(200, 20, 3, 5);
    for (let i = 0; i < z.values.length; i++) z.values[i] = z.values[i]! * 1000;
    const before = tf.memory().numTensors;
    const options = autoencoderOptions(testConfig({ epochs: 50, loss: 'mse', optimizer: 'sgd', learningRate: 10 }), 20, 'mse');
    const err = await trainAutoencoder(z, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isInputError(err)).toBe(false);
    expect((err as Error).message).toMatch(/epoch \d+/);
    expect((err as Error).message).toMatch(/smaller --learning-rate/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is cancelled through the abort signal without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const err = await trainAutoencoder(data, autoencoderOptions(testConfig({ epochs: 1000 }), 20, 'bce'), {
      signal: controller.signal,
      onProgress: (_p, _s, info) => {
        if (info?.epoch === 2 && info.valLoss !== undefined) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isCancelled(err)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects data whose width differs from the options', async () => {
    const err = await trainAutoencoder(data, autoencoderOptions(testConfig(), 21, 'bce')).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
  });
});
