// Seeded synthetic data for the autoencoder tests: low-rank structure squashed into [0, 1], plus noise.
import { defaultConfig } from '../../../pipeline/config.js';
import { createRandom } from '../../../pipeline/random.js';
import type { Matrix, RunConfig } from '../../../pipeline/types.js';

/** rows x cols values in (0, 1): sigmoid(latent[rows x rank] · mixing[rank x cols]) + small noise, clipped. */
export function lowRank(rows: number, cols: number, rank: number, seed: number, noise = 0.02): Matrix {
  const random = createRandom(seed);
  const latent = new Float32Array(rows * rank).map(() => random.normal());
  const mixing = new Float32Array(rank * cols).map(() => random.normal() * 1.5);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += latent[r * rank + k]! * mixing[k * cols + c]!;
      const v = 1 / (1 + Math.exp(-s)) + noise * random.normal();
      values[r * cols + c] = Math.min(1, Math.max(0, v));
    }
  }
  return { rows, cols, values };
}

/** A small, fast configuration for tests. */
export function testConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...defaultConfig(), reducer: 'autoencoder', variant: 'plain', codeSize: 4, layers: [24, 12], epochs: 8, batchSize: 32, learningRate: 0.005, patience: 0, ...overrides };
}

/** Mean binary cross-entropy of predictions p against targets t (both flat, same length). */
export function meanBce(p: Float32Array, t: Float32Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]!));
    s -= t[i]! * Math.log(q) + (1 - t[i]!) * Math.log(1 - q);
  }
  return s / p.length;
}
