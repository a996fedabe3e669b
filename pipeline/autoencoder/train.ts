// The training loop: seeded split and shuffles, a custom training step (hand-written dense gradients, see
// model.ts), per-epoch validation, early stopping that restores the best weights, progress and cancel.
import * as tf from '@tensorflow/tfjs';
import { InputError, throwIfAborted } from '../errors.js';
import { createRandom, deriveSeed, permutation } from '../random.js';
import type { Random } from '../random.js';
import type { EpochRecord, Matrix, StageHooks } from '../types.js';
import { TrainedAutoencoder, type Autoencoder } from './autoencoder.js';
import { shiftImages } from './augment.js';
import { corrupt } from './denoising.js';
import { rowLoss } from './loss.js';
import { allLayers, buildNetwork, decodeLogits, encodeTensor, logVarTensor, type Network } from './model.js';
import type { AutoencoderOptions } from './options.js';
import { TrainingEngine, type PartBuffers } from './engine.js';
import { TfjsStepper } from './tfjs-step.js';
import { activationStats } from './sparse.js';
import { linearPathInit } from './residual.js';
import { splitRows } from './split.js';
import { klDivergence } from './vae.js';

/** Progress is reported at least once per epoch, and within an epoch about this often (ms). */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Early stopping: an epoch improves on the best monitored loss only when it lowers it by at least this
 * fraction (0.2 %); after `patience` epochs without such a gain, training stops and the best weights return.
 * (Keras' EarlyStopping min_delta, relative here so it suits any loss scale.)
 */
export const MIN_IMPROVEMENT = 0.002;

/**
 * Trains an autoencoder on x (already scaled by prepare: in [0, 1] for bce, standardized for mse).
 * The validation rows are the last validationSplit fraction of a seeded shuffle of the rows.
 * The monitored validation loss (history valLoss, early stopping) is the mean reconstruction loss of the
 * clean held-out rows; for denoising, of a fixed seeded noisy copy of them against the clean rows; for vae,
 * reconstruction (through the mean code) plus the weighted KL term.
 * Rejects with CancelledError when hooks.signal aborts, with an Error naming the epoch when the loss turns NaN.
 */
export async function trainAutoencoder(x: Matrix, options: AutoencoderOptions, hooks: StageHooks = {}): Promise<Autoencoder> {
  validateInput(x, options);
  const backend = tf.getBackend();
  // one named stream per use (the split draws from its own, 'split')
  const shuffleRandom = createRandom(deriveSeed(options.seed, 'shuffle'));
  const noiseRandom = createRandom(deriveSeed(options.seed, 'noise'));
  const shiftRandom = createRandom(deriveSeed(options.seed, 'shift'));
  const epsRandom = createRandom(deriveSeed(options.seed, 'vae-eps'));

  const D = options.inputSize;
  const split = splitRows(x.rows, options.validationSplit, options.seed);
  const nVal = split.validation.length;
  const nTrain = split.train.length;
  // The training rows are read from x through split.train (no copy of the matrix's bulk), and so are the
  // validation rows when the engine measures them; they are gathered (a tenth of the matrix by default: 0.3 GB
  // at 1,000,000 x 784) only for what needs them as a matrix of their own: the tfjs trainer's losses, the
  // denoising variant's noisy copy, the sparse and vae variants' summaries.
  const trainRows = split.train;
  const valRows = split.validation;
  let gatheredTrain: Matrix | null = null;
  const trainX = (): Matrix => (gatheredTrain ??= gatherRows(x, trainRows));
  let gatheredVal: Matrix | null = null;
  const valX = (): Matrix => (gatheredVal ??= gatherRows(x, valRows));
  const clip: [number, number] | null = options.loss === 'bce' ? [0, 1] : null;
  let noisyValX: Matrix | null = null;
  if (options.noise && nVal > 0) {
    noisyValX = { rows: nVal, cols: D, values: new Float32Array(nVal * D) };
    corrupt(valX().values, noisyValX.values, options.noise, createRandom(deriveSeed(options.seed, 'validation-noise')), clip);
  }

  const net = buildNetwork(options, options.linearPath ? linearPathInit(x, trainRows, options) : undefined);
  const vars = allLayers(net).flatMap((l) => [l.w, l.b]);
  const history: EpochRecord[] = [];
  const B = Math.min(options.batchSize, nTrain);
  const steps = Math.ceil(nTrain / B);
  const notes: string[] = [];
  const stepper = await makeStepper(options, backend, net, vars, B, nTrain, notes);
  const engine = stepper instanceof TrainingEngine ? stepper : null;
  let errors: { train: number; validation: number | null; noisy: number | null } | null = null;
  const local = stepper.part(0);
  const remote = stepper.threads === 2 ? stepper.part(1) : null;

  let best = Infinity;
  let bestEpoch = 0;
  let improvedFrom = Infinity;
  let improvedEpoch = 0;
  let snapshot: Float32Array | null = null;
  let samples = 0;
  let stepSeconds = 0;
  let lastProgress = performance.now();
  const started = performance.now();
  const progress = (fraction: number, info: { epoch: number; loss?: number; valLoss?: number }) =>
    hooks.onProgress?.(Math.min(1, fraction), 'train', info);

  try {
    progress(0, { epoch: 0 });
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const epochStart = performance.now();
      const perm = permutation(nTrain, shuffleRandom);
      let lossSum = 0;
      for (let step = 0; step < steps; step++) {
        throwIfAborted(hooks.signal);
        const start = step * B;
        const rows = Math.min(B, nTrain - start);
        const t0 = performance.now();
        const loss = trainStep(stepper, options, {
          x,
          trainRows,
          perm: perm.subarray(start, start + rows),
          local,
          remote,
          noiseRandom,
          shiftRandom,
          epsRandom,
          clip,
        });
        stepSeconds += (performance.now() - t0) / 1000;
        samples += rows;
        if (!Number.isFinite(loss)) {
          throw new Error(
            `training diverged: the loss became ${loss} in epoch ${epoch} (batch ${step + 1} of ${steps}); ` +
              `try a smaller --learning-rate (now ${options.learningRate}, e.g. ${options.learningRate / 10})`,
          );
        }
        lossSum += loss * rows;
        if (performance.now() - lastProgress > PROGRESS_INTERVAL_MS && step + 1 < steps) {
          lastProgress = performance.now();
          progress((epoch - 1 + (step + 1) / steps) / options.epochs, { epoch, loss: lossSum / (start + rows) });
        }
        // Let abort signals and other callbacks run between steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const loss = lossSum / nTrain;
      stepper.writeTo(vars);
      const valLoss = nVal > 0 ? (engine ? engineMonitored(engine, options, x, valRows, noisyValX ? { noisy: noisyValX, clean: valX() } : null) : monitoredLoss(net, options, valX(), noisyValX)) : null;
      if (valLoss !== null && !Number.isFinite(valLoss)) {
        throw new Error(`training diverged: the validation loss became ${valLoss} in epoch ${epoch}; try a smaller --learning-rate (now ${options.learningRate})`);
      }
      history.push({ epoch, loss, valLoss, seconds: (performance.now() - epochStart) / 1000 });
      lastProgress = performance.now();
      progress(epoch / options.epochs, { epoch, loss, ...(valLoss !== null ? { valLoss } : {}) });

      const monitored = valLoss ?? loss;
      // the best weights are kept whatever the gain; only a gain of MIN_IMPROVEMENT resets the patience
      if (monitored < improvedFrom * (1 - MIN_IMPROVEMENT)) {
        improvedFrom = monitored;
        improvedEpoch = epoch;
      }
      if (monitored < best) {
        best = monitored;
        bestEpoch = epoch;
        if (options.patience > 0) snapshot = stepper.snapshot();
      }
      if (options.patience > 0 && epoch - improvedEpoch >= options.patience) break;
    }
    if (snapshot && bestEpoch < history.length) stepper.restore(snapshot, vars);
    // the engine's two threads measure the final errors faster than tfjs (the same numbers up to rounding)
    if (engine) {
      errors = {
        train: engine.evaluate(x, null, false, trainRows),
        validation: nVal > 0 ? engine.evaluate(x, null, false, valRows) : null,
        noisy: noisyValX ? engine.evaluate(noisyValX, valX(), false) : null,
      };
    }
  } catch (err) {
    allLayers(net).forEach((l) => {
      l.w.dispose();
      l.b.dispose();
    });
    throw err;
  } finally {
    await stepper.close();
  }

  const summary: Record<string, number | string | null> = {
    loss: options.loss,
    train: null,
    validation: null,
    epochs: history.length,
    bestEpoch,
    samplesPerSecond: stepSeconds > 0 ? Math.round(samples / stepSeconds) : null,
    trainer: stepper instanceof TrainingEngine ? 'engine' : 'tfjs',
    workers: stepper.threads,
    ...(notes.length ? { notes: notes.join('; ') } : {}),
    seconds: (performance.now() - started) / 1000,
  };
  const model = new TrainedAutoencoder(options, net, backend, history, summary);
  summary.train = errors ? errors.train : model.meanError(trainX());
  summary.validation = errors ? errors.validation : nVal > 0 ? model.meanError(valX()) : null;
  const statsRows = (): Matrix => (nVal > 0 ? valX() : trainX());
  if (options.variant === 'sparse') {
    const codes = model.encode(statsRows());
    Object.assign(summary, activationStats(codes.values));
  }
  if (noisyValX) summary.noisyValidation = errors ? errors.noisy : noisyError(net, options, noisyValX, valX());
  if (options.variant === 'vae') summary.kl = meanKl(net, statsRows());
  return model;
}

interface StepData {
  /** The whole prepared matrix. */
  x: Matrix;
  /** The rows of x that are training rows; perm indexes this list. */
  trainRows: Int32Array;
  perm: Int32Array;
  local: PartBuffers;
  remote: PartBuffers | null;
  noiseRandom: Random;
  shiftRandom: Random;
  epsRandom: Random;
  clip: [number, number] | null;
}

/**
 * Writes training rows perm[from..to) (rows trainRows[perm[...]] of x) into a part's buffers: the (shifted, corrupted) input, its transpose (so the
 * first layer's weight gradient is a plain product), the clean target and the vae's draws.
 */
function fillPart(options: AutoencoderOptions, s: StepData, from: number, to: number, part: PartBuffers): void {
  const D = options.inputSize;
  const rows = to - from;
  const src = s.x.values;
  const clean = part.target ? part.target.subarray(0, rows * D) : part.input.subarray(0, rows * D);
  for (let r = 0; r < rows; r++) {
    const i = s.trainRows[s.perm[from + r]!]!;
    clean.set(src.subarray(i * D, (i + 1) * D), r * D);
  }
  const input = part.input.subarray(0, rows * D);
  // shifted first, then noise on the shifted image (corrupt reads and writes input in place)
  if (options.shift) shiftImages(clean, input, rows, options.shift, s.shiftRandom);
  if (options.noise) corrupt(options.shift ? input : clean, input, options.noise, s.noiseRandom, s.clip);
  const inT = part.inputT;
  for (let r = 0; inT && r < rows; r++) {
    const off = r * D;
    for (let c = 0; c < D; c++) inT[c * rows + r] = input[off + c]!;
  }
  if (part.eps) {
    const n = rows * options.codeSize;
    for (let i = 0; i < n; i++) part.eps[i] = s.epsRandom.normal();
  }
}

/** One optimizer step on the rows s.perm (split between the stepper's parts); returns the batch's objective. */
function trainStep(stepper: Stepper, options: AutoencoderOptions, s: StepData): number {
  const rows = s.perm.length;
  const mine = stepper.firstPartRows(rows);
  fillPart(options, s, 0, mine, s.local);
  if (mine < rows) fillPart(options, s, mine, rows, s.remote!);
  return stepper.step(rows);
}

type Stepper = TrainingEngine | TfjsStepper;

/**
 * The engine (our SIMD kernels, options.workers threads) unless the trainer is tfjs, or auto on the native
 * tensorflow backend, which is multi-threaded and fast through tfjs itself.
 */
async function makeStepper(options: AutoencoderOptions, backend: string, net: Network, vars: tf.Variable[], B: number, nTrain: number, notes: string[]): Promise<Stepper> {
  const useEngine = options.trainer === 'engine' || (options.trainer === 'auto' && backend !== 'tensorflow');
  if (!useEngine) {
    if (options.workers === 2 && options.trainer === 'tfjs') notes.push('the tfjs trainer uses one thread');
    return new TfjsStepper(net, vars, options, B);
  }
  const threads = options.workers === 2 && nTrain >= 2 ? 2 : 1;
  let engine: TrainingEngine;
  try {
    engine = await TrainingEngine.start(options, vars, B, threads);
  } catch (err) {
    // e.g. a runtime without WebAssembly SIMD or shared memory: train through tfjs instead, and say so
    if (options.trainer === 'engine') throw err;
    notes.push(`the training engine could not start (${err instanceof Error ? err.message : String(err)}); trained through tfjs`);
    return new TfjsStepper(net, vars, options, B);
  }
  if (engine.fallback) notes.push(engine.fallback);
  return engine;
}

/** The validation loss early stopping watches (see trainAutoencoder). */
function monitoredLoss(net: Network, options: AutoencoderOptions, valX: Matrix, noisyValX: Matrix | null): number {
  if (noisyValX) return noisyError(net, options, noisyValX, valX);
  let total = 0;
  forBatches(valX, null, (x) => {
    const codes = encodeTensor(net, x);
    let perRow: tf.Tensor = rowLoss(decodeLogits(net, codes), x, options.loss);
    if (options.variant === 'vae' && options.klWeight !== null) {
      const logVar = logVarTensor(net, x);
      const kl = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(codes)), tf.exp(logVar)), 1), -0.5 * options.klWeight / options.inputSize);
      perRow = tf.add(perRow, kl);
    }
    return tf.sum(perRow) as tf.Scalar;
  }, (v) => (total += v));
  return total / valX.rows;
}

/** monitoredLoss through the engine: rows valRows of x, or the denoising variant's noisy copy of them against the clean ones. */
function engineMonitored(engine: TrainingEngine, options: AutoencoderOptions, x: Matrix, valRows: Int32Array, denoising: { noisy: Matrix; clean: Matrix } | null): number {
  if (denoising) return engine.evaluate(denoising.noisy, denoising.clean, false);
  return engine.evaluate(x, null, options.variant === 'vae' && options.klWeight !== null, valRows);
}

/** Mean reconstruction loss of noisy inputs against their clean versions. */
function noisyError(net: Network, options: AutoencoderOptions, noisy: Matrix, clean: Matrix): number {
  let total = 0;
  forBatches(noisy, clean, (xn, xc) => tf.sum(rowLoss(decodeLogits(net, encodeTensor(net, xn)), xc!, options.loss)) as tf.Scalar, (v) => (total += v));
  return total / noisy.rows;
}

function meanKl(net: Network, x: Matrix): number {
  let total = 0;
  forBatches(x, null, (xb) => tf.mul(klDivergence(encodeTensor(net, xb), logVarTensor(net, xb)), xb.shape[0]) as tf.Scalar, (v) => (total += v));
  return total / x.rows;
}

/** Runs f over row batches of a (and b, aligned) inside tidy, passing each scalar result to sink. */
function forBatches(a: Matrix, b: Matrix | null, f: (a: tf.Tensor2D, b: tf.Tensor2D | null) => tf.Scalar, sink: (v: number) => void): void {
  const size = 2048;
  for (let start = 0; start < a.rows; start += size) {
    const end = Math.min(a.rows, start + size);
    const s = tf.tidy(() =>
      f(
        tf.tensor2d(a.values.subarray(start * a.cols, end * a.cols), [end - start, a.cols]),
        b ? tf.tensor2d(b.values.subarray(start * b.cols, end * b.cols), [end - start, b.cols]) : null,
      ),
    );
    sink(s.dataSync()[0]!);
    s.dispose();
  }
}

export function gatherRows(x: Matrix, rows: Int32Array): Matrix {
  const out = new Float32Array(rows.length * x.cols);
  for (let i = 0; i < rows.length; i++) out.set(x.values.subarray(rows[i]! * x.cols, (rows[i]! + 1) * x.cols), i * x.cols);
  return { rows: rows.length, cols: x.cols, values: out };
}

function validateInput(x: Matrix, options: AutoencoderOptions): void {
  if (x.cols !== options.inputSize) {
    throw new InputError(`the data has ${x.cols} columns but the autoencoder was built for ${options.inputSize}`, { field: 'input' });
  }
  if (x.values.length !== x.rows * x.cols) throw new Error(`matrix values length ${x.values.length} is not ${x.rows} x ${x.cols}`);
  const needed = options.validationSplit > 0 ? 2 : 1;
  if (x.rows < needed) {
    throw new InputError(`training needs at least ${needed} rows${needed === 2 ? ' (one for validation)' : ''}, got ${x.rows}`, { field: 'input' });
  }
  const v = x.values;
  for (let i = 0; i < v.length; i++) {
    const value = v[i]!;
    if (!Number.isFinite(value)) {
      throw new InputError(`row ${Math.floor(i / x.cols) + 1}, column ${(i % x.cols) + 1} is ${value}; use --missing mean or drop such rows`, {
        field: 'input',
      });
    }
    if (options.loss === 'bce' && (value < 0 || value > 1)) {
      throw new InputError(
        `binary cross-entropy needs every value in [0, 1], but row ${Math.floor(i / x.cols) + 1}, column ${(i % x.cols) + 1} is ${value}; ` +
          'use --loss mse or --scaling minmax',
        { field: 'loss' },
      );
    }
  }
}
