// The automatic code size, hidden layers and training length (config codeSize, layers and epochs auto): fitted
// to the prepared input's width and row count. Pure; its constants are the knobs to tune (bench:quality and
// bench/autoencoder-experiments.ts measure them).
//
//   code size = clamp(round(width * CODE_FRACTION), CODE_MIN, CODE_MAX), and below the width
//   layers    = widths halving from min(HIDDEN_MAX, the power of two at or below the width) while they stay
//               above 2 x the code size (at least one layer of 2 x the code size), then shrunk until the
//               encoder and decoder together have at most PARAMS_PER_VALUE x rows x width parameters
//   epochs    = clamp(round(TRAIN_SAMPLES / training rows), EPOCHS_MIN, EPOCHS_MAX): a budget of samples, not of
//               passes, so small tables train long enough and a million rows do not take hours; early stopping
//               on the validation loss still decides within it
//   learning rate = RESIDUAL_LEARNING_RATE for the residual variant, LEARNING_RATE for the others
import type { Choice, Variant } from '../types.js';

/** Largest automatic code: 32 keeps MNIST-like inputs at the code size t-SNE users pick (and PCA-50 habits). */
export const CODE_MAX = 32;
/** Smallest automatic code. */
export const CODE_MIN = 2;
/** Share of the input width the automatic code keeps on narrow inputs. */
export const CODE_FRACTION = 0.5;
/** Widest automatic hidden layer. */
export const HIDDEN_MAX = 256;
/** Parameter budget: at most this many weights per input value (rows x width), so small tables get small models. */
export const PARAMS_PER_VALUE = 1;

/**
 * Training samples (rows x epochs) the automatic training length aims at: MNIST's 9,000 training rows then get
 * 40 epochs at learning rate 0.005, where its validation loss gains under 1% an epoch (bench/QUALITY-NOTES.md).
 */
export const TRAIN_SAMPLES = 360_000;
/** Fewest automatic epochs (a million rows: 3 passes, 11,700 steps of 256). */
export const EPOCHS_MIN = 3;
/** Most automatic epochs (small tables; early stopping usually ends them sooner). */
export const EPOCHS_MAX = 200;

/** Automatic Adam learning rate of the plain, sparse, denoising and vae variants (bench/QUALITY-NOTES.md, session 3). */
export const LEARNING_RATE = 0.005;
/**
 * Automatic learning rate of the residual variant: at 0.005 its maps of MNIST and Fashion-MNIST lose to PCA's
 * (seed 42: label accuracy 0.9425 and 0.8077 against 0.9485 and 0.8096); at 0.002 they beat them (session 8).
 */
export const RESIDUAL_LEARNING_RATE = 0.002;

/** The automatic learning rate of a variant. */
export function autoLearningRate(variant: Variant | undefined): number {
  return variant === 'residual' ? RESIDUAL_LEARNING_RATE : LEARNING_RATE;
}

/** The automatic maximum epochs for `rows` rows of which `validationSplit` are held out. */
export function autoEpochs(rows: number, validationSplit: number): number {
  const train = Math.max(1, Math.round(rows * (1 - validationSplit)));
  return Math.min(EPOCHS_MAX, Math.max(EPOCHS_MIN, Math.round(TRAIN_SAMPLES / train)));
}

/** The automatic code size for an input of `width` columns and `rows` rows (always in [1, width - 1] for width >= 2). */
export function autoCodeSize(width: number, rows: number): number {
  const fromWidth = Math.round(width * CODE_FRACTION);
  let k = Math.min(CODE_MAX, Math.max(CODE_MIN, fromWidth));
  k = Math.min(k, width - 1, Math.max(1, rows - 1));
  return Math.max(1, k);
}

/** Weights and biases of an encoder input → layers → code and its mirrored decoder. */
export function autoencoderParameters(width: number, layers: number[], codeSize: number): number {
  const sizes = [width, ...layers, codeSize];
  let p = 0;
  for (let i = 0; i + 1 < sizes.length; i++) p += sizes[i]! * sizes[i + 1]! + sizes[i + 1]! + sizes[i + 1]! * sizes[i]! + sizes[i]!;
  return p;
}

/** The automatic encoder hidden widths (decoder mirrors them). */
export function autoLayers(width: number, codeSize: number, rows: number): number[] {
  let first = Math.min(HIDDEN_MAX, 2 ** Math.floor(Math.log2(Math.max(2, width))));
  first = Math.max(first, 2 * codeSize);
  const layers: number[] = [first];
  while (layers[layers.length - 1]! / 2 > 2 * codeSize) layers.push(layers[layers.length - 1]! / 2);
  const budget = PARAMS_PER_VALUE * rows * width;
  // too many weights for the data: drop the widest layer, then narrow what is left (never below the code)
  while (layers.length > 1 && autoencoderParameters(width, layers, codeSize) > budget) layers.shift();
  while (layers[0]! > codeSize + 1 && autoencoderParameters(width, layers, codeSize) > budget) layers[0] = Math.max(codeSize + 1, Math.floor(layers[0]! / 2));
  return layers;
}

/** The settings resolveShape fits (a RunConfig has them all). */
export interface ShapeSettings {
  codeSize: number | 'auto';
  layers: number[] | 'auto';
  epochs: number | 'auto';
  validationSplit: number;
  /** Absent: as 'auto'. */
  learningRate?: number | 'auto';
  /** The variant (its automatic learning rate depends on it); absent: not residual. */
  variant?: Variant;
}

/**
 * The code size, layers, maximum epochs and learning rate of a run's autoencoder, explicit values obeyed, auto ones
 * fitted, each with its reason.
 */
export function resolveShape(
  settings: ShapeSettings,
  width: number,
  rows: number,
): { codeSize: number; layers: number[]; epochs: number; learningRate: number; choices: { codeSize: Choice; layers: Choice; epochs: Choice; learningRate: Choice } } {
  const { codeSize, layers, epochs } = settings;
  const rate = settings.learningRate ?? 'auto';
  const k = codeSize === 'auto' ? autoCodeSize(width, rows) : codeSize;
  const l = layers === 'auto' ? autoLayers(width, k, rows) : layers;
  const e = epochs === 'auto' ? autoEpochs(rows, settings.validationSplit) : epochs;
  const r = rate === 'auto' ? autoLearningRate(settings.variant) : rate;
  return {
    codeSize: k,
    layers: l,
    epochs: e,
    learningRate: r,
    choices: {
      learningRate:
        rate === 'auto'
          ? {
              value: r,
              auto: true,
              reason:
                settings.variant === 'residual'
                  ? `${RESIDUAL_LEARNING_RATE} for the residual variant (at ${LEARNING_RATE} its maps lose to PCA's)`
                  : `${LEARNING_RATE} for the ${settings.variant ?? 'plain'} variant`,
            }
          : { value: r, auto: false, reason: 'set in the configuration' },
      epochs:
        epochs === 'auto'
          ? {
              value: e,
              auto: true,
              reason: `about ${TRAIN_SAMPLES.toLocaleString('en-US')} training samples over ${Math.round(rows * (1 - settings.validationSplit)).toLocaleString('en-US')} training rows, between ${EPOCHS_MIN} and ${EPOCHS_MAX} epochs; early stopping decides within it`,
              figures: { rows, validationSplit: settings.validationSplit },
            }
          : { value: e, auto: false, reason: 'set in the configuration' },
      codeSize:
        codeSize === 'auto'
          ? { value: k, auto: true, reason: `min(${CODE_MAX}, max(${CODE_MIN}, ${CODE_FRACTION} x ${width} columns)), below the width`, figures: { width, rows } }
          : { value: k, auto: false, reason: 'set in the configuration' },
      layers:
        layers === 'auto'
          ? {
              value: l,
              auto: true,
              reason: `halving from ${l[0]} toward 2 x the code size, within ${PARAMS_PER_VALUE} weight per input value (${rows} x ${width})`,
              figures: { parameters: autoencoderParameters(width, l, k), budget: PARAMS_PER_VALUE * rows * width },
            }
          : { value: l, auto: false, reason: 'set in the configuration' },
    },
  };
}
