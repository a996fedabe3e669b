// A trained autoencoder: encode, decode, reconstruct, per-row error, sampling (vae), save, dispose.
// Every method batches its rows so a 70,000 x 784 matrix never sits on the backend whole.
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.js';
import { createRandom } from '../random.js';
import type { EpochRecord, Matrix } from '../types.js';
import { outputFromLogits, rowLoss } from './loss.js';
import { decodeLogits, disposeNetwork, encodeTensor, type Network } from './model.js';
import type { AutoencoderOptions } from './options.js';
import { saveAutoencoder } from './io.js';

export interface Autoencoder {
  readonly options: AutoencoderOptions;
  /** The tfjs backend it was trained (or loaded) on. */
  readonly backend: string;
  readonly history: EpochRecord[];
  /**
   * At least: loss (name), train and validation (mean reconstruction loss per value, clean inputs, vae: from the
   * code means), epochs (run), bestEpoch, samplesPerSecond; sparse: meanActivation, activeFraction;
   * denoising: noisyValidation (error of noisy held-out inputs against their clean versions); vae: kl.
   */
  readonly summary: Record<string, number | string | null>;
  /** Rows [n, inputSize] → codes [n, codeSize] (vae: the means). */
  encode(x: Matrix): Matrix;
  /** Codes [n, codeSize] → reconstructed rows [n, inputSize] (in [0, 1] for bce). */
  decode(codes: Matrix): Matrix;
  reconstruct(x: Matrix): Matrix;
  /** Per-row mean reconstruction loss (the training loss without penalties; vae: through the mean code). */
  rowErrors(x: Matrix): Float32Array;
  /** vae only: count rows generated from codes drawn from N(0, I) with the seed. */
  sample(count: number, seed: number): Matrix;
  /** Writes model.json, weights.bin and autoencoder.json into dir; returns the file names relative to dir. */
  save(dir: string): Promise<string[]>;
  dispose(): void;
}

/** Rows per batch for inference: bounded memory whatever the matrix size. */
export const INFERENCE_BATCH = 2048;

export class TrainedAutoencoder implements Autoencoder {
  private disposed = false;

  constructor(
    readonly options: AutoencoderOptions,
    readonly net: Network,
    readonly backend: string,
    readonly history: EpochRecord[],
    readonly summary: Record<string, number | string | null>,
  ) {}

  encode(x: Matrix): Matrix {
    this.check(x, this.options.inputSize, 'input');
    return this.mapRows(x, this.options.codeSize, (t) => encodeTensor(this.net, t));
  }

  decode(codes: Matrix): Matrix {
    this.check(codes, this.options.codeSize, 'code');
    return this.mapRows(codes, this.options.inputSize, (t) => outputFromLogits(decodeLogits(this.net, t), this.options.loss));
  }

  reconstruct(x: Matrix): Matrix {
    this.check(x, this.options.inputSize, 'input');
    return this.mapRows(x, this.options.inputSize, (t) =>
      outputFromLogits(decodeLogits(this.net, encodeTensor(this.net, t)), this.options.loss),
    );
  }

  rowErrors(x: Matrix): Float32Array {
    this.check(x, this.options.inputSize, 'input');
    return this.mapRows(x, 1, (t) => rowLoss(decodeLogits(this.net, encodeTensor(this.net, t)), t, this.options.loss).expandDims(1) as tf.Tensor2D)
      .values;
  }

  /** Mean of rowErrors over the rows (the summary's train/validation figures). */
  meanError(x: Matrix): number {
    const e = this.rowErrors(x);
    let s = 0;
    for (let i = 0; i < e.length; i++) s += e[i]!;
    return e.length ? s / e.length : NaN;
  }

  sample(count: number, seed: number): Matrix {
    if (this.options.variant !== 'vae') {
      throw new InputError(`sampling needs a vae run; this model is the ${this.options.variant} variant`, { field: 'variant' });
    }
    if (!Number.isInteger(count) || count < 1) throw new InputError(`the count must be a positive whole number, got ${count}`, { field: 'count' });
    const random = createRandom(seed);
    const z = new Float32Array(count * this.options.codeSize);
    for (let i = 0; i < z.length; i++) z[i] = random.normal();
    return this.decode({ rows: count, cols: this.options.codeSize, values: z });
  }

  save(dir: string): Promise<string[]> {
    this.alive();
    return saveAutoencoder(this, dir);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeNetwork(this.net);
  }

  private alive(): void {
    if (this.disposed) throw new Error('this autoencoder has been disposed');
  }

  private check(m: Matrix, cols: number, what: string): void {
    this.alive();
    if (m.cols !== cols) {
      throw new InputError(`the model expects ${what} rows of ${cols} values, got ${m.cols} columns`, { field: what === 'code' ? 'codes' : 'input' });
    }
    if (m.values.length !== m.rows * m.cols) throw new Error(`matrix values length ${m.values.length} is not ${m.rows} x ${m.cols}`);
  }

  /** Applies f to row batches and gathers the [rows, outCols] result. */
  private mapRows(m: Matrix, outCols: number, f: (batch: tf.Tensor2D) => tf.Tensor2D): Matrix {
    const out = new Float32Array(m.rows * outCols);
    for (let start = 0; start < m.rows; start += INFERENCE_BATCH) {
      const end = Math.min(m.rows, start + INFERENCE_BATCH);
      const result = tf.tidy(() => f(tf.tensor2d(m.values.subarray(start * m.cols, end * m.cols), [end - start, m.cols])));
      out.set(result.dataSync() as Float32Array, start * outCols);
      result.dispose();
    }
    return { rows: m.rows, cols: outCols, values: out };
  }
}
