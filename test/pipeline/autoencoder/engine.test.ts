// The training engine (our WebAssembly kernels and hand-written gradients) against plain JavaScript references
// and against tfjs' automatic differentiation of the same objective.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, trainAutoencoder, type AutoencoderOptions } from '../../../pipeline/autoencoder/index.js';
import { createAdam, createBce, createGemm, kernelModuleBytes } from '../../../pipeline/autoencoder/kernels.js';
import { optimizerState, optimizerStep } from '../../../pipeline/autoencoder/optimizer.js';
import { initBackend } from '../../../pipeline/backend.js';
import { createRandom } from '../../../pipeline/random.js';
import type { RunConfig } from '../../../pipeline/types.js';
import { lowRank, testConfig } from './fixtures.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const memory = () => new WebAssembly.Memory({ initial: 64, maximum: 16384, shared: true });

describe('kernels', () => {
  it('the emitted module is valid WebAssembly', () => {
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
  });

  it('gemm matches a plain triple loop for odd shapes, transposed A, accumulate, bias and relu, bias with accumulate', () => {
    const mem = memory();
    const f = new Float32Array(mem.buffer);
    const gemm = createGemm(mem);
    const random = createRandom(3);
    for (const [M, N, K] of [[1, 1, 1], [4, 8, 1], [5, 9, 7], [13, 33, 17], [64, 24, 40], [3, 200, 2]] as const) {
      for (const transA of [false, true]) {
        for (const mode of ['plain', 'accumulate', 'bias-relu', 'accumulate-bias'] as const) {
          const a = 16; // float offsets; keep 0 free (no bias)
          const b = a + M * K + 3;
          const c = b + K * N + 5;
          const bias = c + M * N + 7;
          for (let i = a; i < bias + N; i++) f[i] = random.normal();
          const before = f.slice(c, c + M * N);
          const rsA = transA ? 1 : K;
          const csA = transA ? M : 1;
          gemm(a, rsA, csA, b, N, c, N, M, N, K, mode.startsWith('accumulate'), mode.endsWith('bias') || mode === 'bias-relu' ? bias : undefined, mode === 'bias-relu');
          let maxErr = 0;
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let s = mode === 'bias-relu' || mode === 'accumulate-bias' ? f[bias + j]! : 0;
              for (let k = 0; k < K; k++) s += f[a + i * rsA + k * csA]! * f[b + k * N + j]!;
              if (mode.startsWith('accumulate')) s += before[i * N + j]!;
              if (mode === 'bias-relu') s = Math.max(0, s);
              maxErr = Math.max(maxErr, Math.abs(s - f[c + i * N + j]!));
            }
          }
          expect(maxErr, `${M}x${N}x${K} ${transA ? 'Aᵀ' : 'A'} ${mode}`).toBeLessThan(1e-4);
        }
      }
    }
  });

  it('bce gives the loss and gradient of binary cross-entropy from logits, also at extreme logits', () => {
    const mem = memory();
    const f = new Float32Array(mem.buffer);
    const bce = createBce(mem);
    const n = 1003;
    const random = createRandom(5);
    for (let i = 0; i < n; i++) {
      f[i] = random.normal() * 8;
      f[n + i] = random();
    }
    f.set([200, -200, 0, 90, -90], 0);
    const sum = bce(0, n, 2 * n, n, 0.25);
    let ref = 0;
    for (let i = 0; i < n; i++) {
      const z = f[i]!;
      const t = f[n + i]!;
      ref += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      expect(f[2 * n + i]!).toBeCloseTo((1 / (1 + Math.exp(-z)) - t) * 0.25, 6);
    }
    expect(Math.abs(sum - ref) / ref).toBeLessThan(1e-5);
  });

  it('adam matches the JavaScript optimizer, with one gradient or the sum of two', () => {
    const mem = memory();
    const f = new Float32Array(mem.buffer);
    const adam = createAdam(mem);
    const n = 103;
    const random = createRandom(9);
    const [w, m, v, g0, g1] = [0, 128, 256, 384, 512];
    for (let i = 0; i < n; i++) {
      f[w + i] = random.normal();
      f[g0 + i] = random.normal();
      f[g1 + i] = random.normal();
    }
    const ref = f.slice(w, w + n);
    const state = optimizerState('adam', n);
    for (let step = 1; step <= 5; step++) {
      const two = step % 2 === 0;
      adam(w, m, v, g0, two ? g1 : null, 0, n, 0.01, step);
      optimizerStep('adam', 0.01, step, ref, state, f.slice(g0, g0 + n), two ? f.slice(g1, g1 + n) : null, 0, n);
    }
    for (let i = 0; i < n; i++) expect(f[w + i]!).toBeCloseTo(ref[i]!, 5);
  });
});

describe('the engine trains the same model as tfjs autodiff', () => {
  const data = lowRank(300, 20, 3, 21);
  const standardized = (() => {
    const v = data.values.map((x) => (x - 0.5) * 3);
    return { ...data, values: v };
  })();

  async function train(config: Partial<RunConfig>, trainer: 'engine' | 'tfjs', loss: 'bce' | 'mse' = 'bce') {
    const options: AutoencoderOptions = { ...autoencoderOptions(testConfig({ epochs: 3, ...config }), 20, loss), trainer, workers: 1 };
    const ae = await trainAutoencoder(loss === 'bce' ? data : standardized, options);
    const result = { codes: ae.encode(data).values, summary: { ...ae.summary }, history: ae.history };
    ae.dispose();
    return result;
  }

  const cases: [string, Partial<RunConfig>, ('bce' | 'mse')?][] = [
    ['plain relu', {}],
    ['plain elu, mse', { activation: 'elu' }, 'mse'],
    ['plain selu', { activation: 'selu' }],
    ['plain tanh', { activation: 'tanh' }],
    ['plain sigmoid, no hidden layers', { activation: 'sigmoid', layers: [] }],
    ['sparse kl', { variant: 'sparse', sparsityPenalty: 'kl', sparsityWeight: 0.05 }],
    ['sparse l1', { variant: 'sparse', sparsityPenalty: 'l1', sparsityWeight: 0.01 }],
    ['denoising (gaussian)', { variant: 'denoising', noise: 'gaussian' }],
    ['denoising (mask)', { variant: 'denoising', noise: 'mask' }],
    ['vae', { variant: 'vae', klWeight: 1 }],
    ['residual (a linear path from PCA, learning at a fraction of the rate)', { variant: 'residual' }, 'mse'],
    ['residual with sgd, no hidden layers', { variant: 'residual', optimizer: 'sgd', learningRate: 0.05, layers: [] }, 'mse'],
    ['rmsprop', { optimizer: 'rmsprop' }],
    ['sgd', { optimizer: 'sgd', learningRate: 0.5 }],
  ];
  for (const [label, config, loss] of cases) {
    it(label, async () => {
      const ours = await train(config, 'engine', loss);
      const ref = await train(config, 'tfjs', loss);
      expect(ours.summary.trainer).toBe('engine');
      expect(ref.summary.trainer).toBe('tfjs');
      // the loss moved, and both trainers saw the same losses epoch by epoch, up to float32 rounding
      expect(ref.history[2]!.loss).toBeLessThan(ref.history[0]!.loss);
      ours.history.forEach((h, i) => expect(Math.abs(h.loss - ref.history[i]!.loss) / ref.history[i]!.loss).toBeLessThan(2e-3));
      expect(Math.abs((ours.summary.validation as number) - (ref.summary.validation as number)) / (ref.summary.validation as number)).toBeLessThan(2e-3);
      let maxDiff = 0;
      let scale = 0;
      for (let i = 0; i < ours.codes.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours.codes[i]! - ref.codes[i]!));
        scale = Math.max(scale, Math.abs(ref.codes[i]!));
      }
      expect(maxDiff / scale).toBeLessThan(1e-2);
    });
  }

  it('leaves no tfjs tensors behind', async () => {
    const before = tf.memory().numTensors;
    await train({}, 'engine');
    expect(tf.memory().numTensors).toBe(before);
  });
});
