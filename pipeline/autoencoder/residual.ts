// The residual variant: an autoencoder that starts as PCA. Beside the encoder and decoder runs a linear path,
//   code = f(x) + (x - mean) P        (layer linear_in: weights P [inputSize x codeSize], bias -mean P)
//   x^   = g(code) + code P^T + mean  (layer linear_out: weights P^T, bias mean)
// where P holds the training rows' top principal axes and f's last layer (code) and g's last layer (output) start
// at zero, so training starts from PCA's reconstruction and its nonlinear layers learn what PCA misses, as residual
// networks learn a correction to the identity (He et al., 2016, "Deep residual learning for image recognition").
// The linear path is trained too, at a fraction of the learning rate (options.linearPath.rateScale): fixed, the
// codes stay PCA's; at the full rate they drift from the input's geometry (bench/QUALITY-NOTES.md, session 8).
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
