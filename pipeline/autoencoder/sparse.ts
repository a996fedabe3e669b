// Sparse variant: a penalty on the code activations that pushes most of them toward zero.
import * as tf from '@tensorflow/tfjs';
import type { SparsityOptions } from './options.js';

/**
 * The sparsity penalty of one batch of code activations [batch, codeSize] (differentiable).
 * l1: weight * mean over rows of sum over units |a|;
 * kl: weight * sum over units of KL(rho || rhoHat_j), rhoHat_j = mean activation of unit j over the batch
 *     (activations must lie in (0, 1): the sparse kl variant uses a sigmoid code layer).
 */
export function sparsityPenalty(code: tf.Tensor2D, options: SparsityOptions): tf.Scalar {
  const { weight, target: rho } = options;
  if (options.penalty === 'l1') return tf.mul(tf.mean(tf.sum(tf.abs(code), 1)), weight);
  const eps = 1e-6;
  const rhoHat = tf.clipByValue(tf.mean(code, 0), eps, 1 - eps);
  const kl = tf.add(
    tf.mul(rho, tf.log(tf.div(rho, rhoHat))),
    tf.mul(1 - rho, tf.log(tf.div(1 - rho, tf.sub(1, rhoHat)))),
  );
  return tf.mul(tf.sum(kl), weight);
}

/** Threshold above which a code activation counts as active (in the units of the code activation). */
export const ACTIVE_THRESHOLD = 0.1;

/**
 * Sparsity statistics of codes (rows x codeSize, flat): mean activation, and the fraction of
 * (row, unit) activations above ACTIVE_THRESHOLD, i.e. the average share of units active per row.
 */
export function activationStats(codes: Float32Array): { meanActivation: number; activeFraction: number } {
  let sum = 0;
  let active = 0;
  for (let i = 0; i < codes.length; i++) {
    const v = codes[i]!;
    sum += v;
    if (v > ACTIVE_THRESHOLD) active++;
  }
  const n = Math.max(1, codes.length);
  return { meanActivation: sum / n, activeFraction: active / n };
}
