// The one options type every autoencoder variant takes, and its builder from a run configuration.
// Defaults are stated once, in pipeline/config.ts; this file only validates and derives.
import { InputError } from '../errors.js';
import type { ShiftAugment } from './augment.js';
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
  /**
   * residual variant only: the linear path (layers linear_in, linear_out) starts at PCA and learns at this
   * fraction of learningRate (0.3), so the map keeps PCA's neighbourhoods while the nonlinear layers add what PCA
   * misses. Null for the other variants.
   */
  linearPath: { rateScale: number } | null;
  /**
   * Image inputs: each training input is moved by up to `pixels` whole pixels per axis, the target left in place
   * (augment.ts; config augmentShift, auto resolved by pipeline/reduce/auto-augment.ts). Null: inputs as they are.
   * Absent in models saved before it existed (read as null).
   */
  shift: ShiftAugment | null;
}

/** Whether training alters the inputs (denoising noise, shift augmentation): then the clean target needs its own buffer. */
export function altersInputs(options: Pick<AutoencoderOptions, 'noise' | 'shift'>): boolean {
  return options.noise !== null || options.shift !== null;
}

/** Names of the residual variant's linear path layers (in saved models too). */
export const LINEAR_IN = 'linear_in';
export const LINEAR_OUT = 'linear_out';

/** The residual variant's linear path learns at this fraction of the learning rate (bench/QUALITY-NOTES.md, session 8). */
export const LINEAR_PATH_RATE_SCALE = 0.3;

/** The network's shape: code width and encoder hidden widths (auto resolved; see pipeline/reduce/auto-size.ts). */
export interface AutoencoderShape {
  codeSize: number;
  layers: number[];
  /** The resolved maximum epochs (required when config.epochs is auto). */
  epochs?: number;
  /** The resolved learning rate (required when config.learningRate is auto). */
  learningRate?: number;
  /** The resolved translation augmentation (config augmentShift; needs the image's shape). Absent: none. */
  shift?: ShiftAugment | null;
}

/**
 * Builds the options from a resolved run configuration. Every single field was checked by the schema
 * (pipeline/config.ts); only the rules that join fields or depend on the data are checked here.
 * `inputSize` is the width of the prepared matrix; `loss` is the resolved loss (auto already decided by prepare; the residual variant takes mse under auto);
 * `shape` gives the code size and layers when the configuration says auto (it wins over the configuration).
 * Throws InputError naming the configuration field when a value cannot fit the data.
 */
export function autoencoderOptions(config: RunConfig, inputSize: number, loss: 'mse' | 'bce', shape?: AutoencoderShape): AutoencoderOptions {
  if (!Number.isInteger(inputSize) || inputSize < 2) {
    throw new InputError(`an autoencoder needs at least 2 input columns, got ${inputSize}; use --reducer none for such data`, {
      field: 'reducer',
    });
  }
  const variant = config.variant;
  // the residual variant's output is PCA's linear reconstruction plus a correction: squared error, whatever the range
  if (variant === 'residual' && config.loss === 'auto') loss = 'mse';
  if (config.loss !== 'auto' && config.loss !== loss) {
    throw new InputError(`the configured loss ${config.loss} differs from the resolved loss ${loss}`, { field: 'loss' });
  }
  const codeSize = shape?.codeSize ?? config.codeSize;
  const layers = shape?.layers ?? config.layers;
  const epochs = shape?.epochs ?? config.epochs;
  const learningRate = shape?.learningRate ?? config.learningRate;
  if (codeSize === 'auto' || layers === 'auto' || epochs === 'auto' || learningRate === 'auto') {
    throw new Error('autoencoderOptions: resolve the auto code size, layers, epochs and learning rate first (shape)');
  }
  if (codeSize >= inputSize) {
    throw new InputError(
      `the code size (${codeSize}) must be smaller than the input width (${inputSize} columns); choose --code-size below ${inputSize}, or leave it auto`,
      { field: 'codeSize' },
    );
  }
  const sparse = variant === 'sparse';
  return {
    variant,
    inputSize,
    codeSize,
    layers: [...layers],
    activation: config.activation,
    // sigmoid for the kl penalty (activations must lie in (0, 1)), relu for l1; the vae code is the mean
    codeActivation: sparse ? (config.sparsityPenalty === 'kl' ? 'sigmoid' : 'relu') : 'linear',
    loss,
    optimizer: config.optimizer,
    learningRate,
    batchSize: config.batchSize,
    epochs,
    validationSplit: config.validationSplit,
    patience: config.patience,
    seed: config.seed,
    trainer: 'auto',
    workers: 2,
    sparsity: sparse ? { penalty: config.sparsityPenalty, weight: config.sparsityWeight, target: config.sparsityTarget } : null,
    noise: variant === 'denoising' ? { kind: config.noise, std: config.noiseStd, fraction: config.noiseFraction } : null,
    klWeight: variant === 'vae' ? config.klWeight : null,
    linearPath: variant === 'residual' ? { rateScale: LINEAR_PATH_RATE_SCALE } : null,
    shift: shape?.shift ?? null,
  };
}
