// The one options type every autoencoder variant takes, and its builder from a run configuration.
// Defaults are stated once, in pipeline/config.ts; this file only validates and derives.
import { InputError } from '../errors.js';
import type { Activation, NoiseKind, RunConfig, SparsityPenalty, Variant } from '../types.js';

/** Activation of the code layer: derived from the variant, never set by the user. */
export type CodeActivation = 'linear' | 'sigmoid' | 'relu';

export interface SparsityOptions {
  /** l1: weight * mean over rows of sum |code|; kl: weight * sum over units of KL(target || mean activation). */
  penalty: SparsityPenalty;
  /** Weight of the penalty against the per-value reconstruction loss (config sparsityWeight, default 0.001). */
  weight: number;
  /** Target mean activation rho of each code unit, used by the kl penalty (config sparsityTarget, default 0.05). */
  target: number;
}

export interface NoiseOptions {
  /** gaussian: add N(0, std²) to every input value; mask: set a random fraction of the inputs to 0. */
  kind: NoiseKind;
  /** Standard deviation of the Gaussian noise, in scaled units (config noiseStd, default 0.2). */
  std: number;
  /** Fraction of inputs masked to 0 (config noiseFraction, default 0.2). */
  fraction: number;
}

/**
 * Everything that shapes and trains an autoencoder. Built by autoencoderOptions() from a RunConfig
 * (whose schema in pipeline/config.ts documents every default); saved beside the model as autoencoder.json.
 */
export interface AutoencoderOptions {
  variant: Variant;
  /** Width of each input row. */
  inputSize: number;
  /** Width of the code (config codeSize, default 32); smaller than inputSize. */
  codeSize: number;
  /** Encoder hidden widths, input side first (config layers, default [256, 128]); the decoder mirrors them. */
  layers: number[];
  /** Hidden-layer activation (config activation, default relu). */
  activation: Activation;
  /**
   * Code-layer activation: linear for plain, denoising and vae (the vae code is the mean);
   * sigmoid for sparse with the kl penalty (activations must lie in (0, 1)); relu for sparse with l1.
   */
  codeActivation: CodeActivation;
  /** Reconstruction loss: bce (sigmoid output, inputs in [0, 1]) or mse (linear output). Mean over values. */
  loss: 'mse' | 'bce';
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  batchSize: number;
  /** Maximum epochs; early stopping may end sooner. */
  epochs: number;
  /** Fraction of rows held out (the last part of a seeded shuffle); 0: none. */
  validationSplit: number;
  /** Epochs without improvement of the monitored loss before stopping and restoring the best weights; 0: off. */
  patience: number;
  /** Seeds weight initialization, shuffling, the split, noise and the vae's draws. */
  seed: number;
  /**
   * What runs the training steps: 'engine' (our WebAssembly SIMD kernels and hand-written gradients, engine.ts),
   * 'tfjs' (tfjs' automatic differentiation on the selected backend), or 'auto' (default): tfjs on the native
   * tensorflow backend, the engine otherwise. Not in the run configuration; for benchmarks and tests.
   */
  trainer: 'auto' | 'engine' | 'tfjs';
  /**
   * Threads of the engine: 2 (default; each batch is split between this thread and a worker on the second
   * core) or 1. Fixed rather than taken from the machine's core count, so a seed gives the same weights on any
   * machine: 2 threads differ from 1 only by rounding. Not in the run configuration.
   */
  workers: 1 | 2;
  /** sparse variant only. */
  sparsity: SparsityOptions | null;
  /** denoising variant only. */
  noise: NoiseOptions | null;
  /**
   * vae variant only: weight of the KL term. The objective per row is
   * mean reconstruction loss over values + klWeight * KL(q(z|x) || N(0, I)) / inputSize
   * (the ELBO divided by the input width, so it is on the same per-value scale as the other variants).
   */
  klWeight: number | null;
}

/**
 * Builds and validates the options from a resolved run configuration.
 * `inputSize` is the width of the prepared matrix; `loss` is the resolved loss (auto already decided by prepare).
 * Throws InputError naming the configuration field when a value cannot work.
 */
export function autoencoderOptions(config: RunConfig, inputSize: number, loss: 'mse' | 'bce'): AutoencoderOptions {
  if (!Number.isInteger(inputSize) || inputSize < 2) {
    throw new InputError(`an autoencoder needs at least 2 input columns, got ${inputSize}; use --reducer none for such data`, {
      field: 'reducer',
    });
  }
  if (loss !== 'mse' && loss !== 'bce') throw new InputError(`loss must be mse or bce, got ${String(loss)}`, { field: 'loss' });
  if (config.loss !== 'auto' && config.loss !== loss) {
    throw new InputError(`the configured loss ${config.loss} differs from the resolved loss ${loss}`, { field: 'loss' });
  }
  positiveInt(config.codeSize, 'codeSize');
  if (config.codeSize >= inputSize) {
    throw new InputError(
      `the code size (${config.codeSize}) must be smaller than the input width (${inputSize} columns); choose --code-size below ${inputSize}`,
      { field: 'codeSize' },
    );
  }
  if (!Array.isArray(config.layers)) throw new InputError('must be a list of positive whole numbers like 256,128', { field: 'layers' });
  config.layers.forEach((w) => positiveInt(w, 'layers'));
  positiveInt(config.epochs, 'epochs');
  positiveInt(config.batchSize, 'batchSize');
  if (!(config.learningRate > 0) || !Number.isFinite(config.learningRate)) {
    throw new InputError(`must be a positive number, got ${config.learningRate}`, { field: 'learningRate' });
  }
  if (!(config.validationSplit >= 0 && config.validationSplit < 1)) {
    throw new InputError(`must be in [0, 1), got ${config.validationSplit}`, { field: 'validationSplit' });
  }
  if (!Number.isInteger(config.patience) || config.patience < 0) {
    throw new InputError(`must be a whole number of epochs >= 0, got ${config.patience}`, { field: 'patience' });
  }
  if (!Number.isInteger(config.seed) || config.seed < 0) throw new InputError(`must be a whole number >= 0, got ${config.seed}`, { field: 'seed' });

  const variant = config.variant;
  let sparsity: SparsityOptions | null = null;
  let noise: NoiseOptions | null = null;
  let klWeight: number | null = null;
  let codeActivation: CodeActivation = 'linear';
  switch (variant) {
    case 'plain':
      break;
    case 'sparse':
      if (!(config.sparsityWeight >= 0) || !Number.isFinite(config.sparsityWeight)) {
        throw new InputError(`must be a number >= 0, got ${config.sparsityWeight}`, { field: 'sparsityWeight' });
      }
      if (!(config.sparsityTarget > 0 && config.sparsityTarget < 1)) {
        throw new InputError(`must lie strictly between 0 and 1, got ${config.sparsityTarget}`, { field: 'sparsityTarget' });
      }
      sparsity = { penalty: config.sparsityPenalty, weight: config.sparsityWeight, target: config.sparsityTarget };
      codeActivation = config.sparsityPenalty === 'kl' ? 'sigmoid' : 'relu';
      break;
    case 'denoising':
      if (config.noise === 'gaussian' && !(config.noiseStd > 0 && Number.isFinite(config.noiseStd))) {
        throw new InputError(`must be a positive number, got ${config.noiseStd}`, { field: 'noiseStd' });
      }
      if (config.noise === 'mask' && !(config.noiseFraction > 0 && config.noiseFraction < 1)) {
        throw new InputError(`must lie strictly between 0 and 1, got ${config.noiseFraction}`, { field: 'noiseFraction' });
      }
      noise = { kind: config.noise, std: config.noiseStd, fraction: config.noiseFraction };
      break;
    case 'vae':
      if (!(config.klWeight >= 0) || !Number.isFinite(config.klWeight)) {
        throw new InputError(`must be a number >= 0, got ${config.klWeight}`, { field: 'klWeight' });
      }
      klWeight = config.klWeight;
      break;
    default:
      throw new InputError(`unknown variant ${String(variant)}; use plain, sparse, denoising or vae`, { field: 'variant' });
  }
  return {
    variant,
    inputSize,
    codeSize: config.codeSize,
    layers: [...config.layers],
    activation: config.activation,
    codeActivation,
    loss,
    optimizer: config.optimizer,
    learningRate: config.learningRate,
    batchSize: config.batchSize,
    epochs: config.epochs,
    validationSplit: config.validationSplit,
    patience: config.patience,
    seed: config.seed,
    trainer: 'auto',
    workers: 2,
    sparsity,
    noise,
    klWeight,
  };
}

function positiveInt(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`must be a positive whole number, got ${n}`, { field });
}
