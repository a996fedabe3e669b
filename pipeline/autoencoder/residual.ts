// The residual variant: an autoencoder that starts as PCA. Beside the encoder and decoder runs a linear path,
//   code = f(x) + (x - mean) P        (layer linear_in: weights P [inputSize x codeSize], bias -mean P)
//   x^   = g(code) + code P^T + mean  (layer linear_out: weights P^T, bias mean)
// where P holds the training rows' top principal axes and f's last layer (code) and g's last layer (output) start
// at zero, so training starts from PCA's reconstruction and its nonlinear layers learn what PCA misses, as residual
// networks learn a correction to the identity (He et al., 2016, "Deep residual learning for image recognition").
// The linear path is trained too, at a fraction of the learning rate (options.linearPath.rateScale): fixed, the
// codes stay PCA's; at the full rate they drift from the input's geometry (bench/QUALITY-NOTES.md, session 8).
// Its two layers share one mean: linear_in's bias is not a free parameter but -mean P_in, with mean linear_out's
// bias, so the path always projects the centred input, (x - mean) P_in. Trained with a free input bias instead,
// the same recipe lost most of its gain over PCA (Fashion-MNIST label accuracy 0.8080 against 0.8140 on three
// seeds, bench/QUALITY-NOTES.md, session 9). tieMeanGradients and tieMeanBias keep the tie in any trainer.
import { createRandom, deriveSeed, permutation } from '../random.js';
import { FIT_MAX_ROWS, fitPca } from '../reduce/pca.js';
import type { Matrix } from '../types.js';
import { LINEAR_IN, LINEAR_OUT, type AutoencoderOptions } from './options.js';

/**
 * The starting weights of the linear path (by layer name, for buildNetwork): PCA with codeSize components of at
 * most FIT_MAX_ROWS training rows (a seeded sample when there are more). x: the prepared matrix [rows x
 * inputSize]; trainRows: the rows of x that train. Throws InputError when the training rows are fewer than the
 * code size (PCA cannot find that many axes).
 */
export function linearPathInit(x: Matrix, trainRows: Int32Array, options: AutoencoderOptions): Map<string, { w: Float32Array; b: Float32Array }> {
  const D = options.inputSize;
  const C = options.codeSize;
  const pick =
    trainRows.length <= FIT_MAX_ROWS
      ? trainRows
      : permutation(trainRows.length, createRandom(deriveSeed(options.seed, 'linear-path')))
          .slice(0, FIT_MAX_ROWS)
          .sort()
          .map((i) => trainRows[i]!);
  const sample = new Float32Array(pick.length * D);
  for (let i = 0; i < pick.length; i++) sample.set(x.values.subarray(pick[i]! * D, (pick[i]! + 1) * D), i * D);
  const pca = fitPca({ rows: pick.length, cols: D, values: sample }, C, deriveSeed(options.seed, 'linear-path'));
  const axes = pca.components.values; // [C x D]
  const wIn = new Float32Array(D * C);
  const bIn = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let d = 0; d < D; d++) {
      wIn[d * C + c] = axes[c * D + d]!;
      s += pca.mean[d]! * axes[c * D + d]!;
    }
    bIn[c] = -s;
  }
  return new Map([
    [LINEAR_IN, { w: wIn, b: bIn }],
    [LINEAR_OUT, { w: Float32Array.from(axes), b: Float32Array.from(pca.mean) }],
  ]);
}

/** Offsets of the linear path's parameters in the flat parameter array (params.ts order: linear_in, linear_out last). */
export interface LinearPathOffsets {
  /** linear_in's weights [inputSize x codeSize], row-major. */
  wIn: number;
  /** linear_in's bias [codeSize]: tied, -mean · W_in. */
  bIn: number;
  /** linear_out's bias [inputSize]: the shared mean. */
  mean: number;
  inputSize: number;
  codeSize: number;
}

/** The offsets for a flat array of `count` parameters whose last two layers are the linear path. */
export function linearPathOffsets(count: number, inputSize: number, codeSize: number): LinearPathOffsets {
  const D = inputSize;
  const C = codeSize;
  const wIn = count - (D * C + C + C * D + D);
  if (wIn < 0) throw new Error(`linearPathOffsets: ${count} parameters cannot hold a ${D} x ${C} linear path`);
  return { wIn, bIn: wIn + D * C, mean: count - D, inputSize: D, codeSize: C };
}

/**
 * The chain rule of the tie b_in = -mean · W_in, applied to gradients computed as if b_in were free: with
 * gb = dL/db_in (the sum g0 + g1 of two threads' parts), dL/dW_in[d][c] += -mean[d] gb[c] and
 * dL/dmean[d] += -Σ_c W_in[d][c] gb[c], then dL/db_in = 0 (the optimizer leaves it alone; tieMeanBias sets it).
 * Corrections go into g0; `weights` are the values the gradients were taken at. In place; call between the
 * gradient and the optimizer update.
 */
export function tieMeanGradients(o: LinearPathOffsets, weights: Float32Array, g0: Float32Array, g1: Float32Array | null): void {
  const D = o.inputSize;
  const C = o.codeSize;
  const gb = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    gb[c] = g0[o.bIn + c]! + (g1 ? g1[o.bIn + c]! : 0);
    g0[o.bIn + c] = 0;
    if (g1) g1[o.bIn + c] = 0;
  }
  for (let d = 0; d < D; d++) {
    const m = weights[o.mean + d]!;
    const row = o.wIn + d * C;
    let s = 0;
    for (let c = 0; c < C; c++) {
      s += weights[row + c]! * gb[c]!;
      g0[row + c] = g0[row + c]! - m * gb[c]!;
    }
    g0[o.mean + d] = g0[o.mean + d]! - s;
  }
}

/** Sets linear_in's bias to -mean · W_in from the current weights (after each optimizer update). In place. */
export function tieMeanBias(o: LinearPathOffsets, weights: Float32Array): void {
  const D = o.inputSize;
  const C = o.codeSize;
  const b = new Float64Array(C);
  for (let d = 0; d < D; d++) {
    const m = weights[o.mean + d]!;
    const row = o.wIn + d * C;
    for (let c = 0; c < C; c++) b[c] = b[c]! - m * weights[row + c]!;
  }
  for (let c = 0; c < C; c++) weights[o.bIn + c] = b[c]!;
}
