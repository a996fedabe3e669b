// The training objective of one (part of a) batch, shared by the main thread and the gradient worker.
import * as tf from '@tensorflow/tfjs';
import { reconstructionLoss } from './loss.js';
import { forwardTrain, type Network } from './model.js';
import type { AutoencoderOptions } from './options.js';
import { sparsityPenalty } from './sparse.js';
import { vaePenalty } from './vae.js';

export interface BatchTensors {
  /** Network input [rows, inputSize] (noisy for denoising). */
  input: tf.Tensor2D;
  /** Its transpose [inputSize, rows]. */
  inputT: tf.Tensor2D;
  /** Clean target [rows, inputSize] (the input itself unless denoising). */
  target: tf.Tensor2D;
  /** vae: standard normal draws [rows, codeSize]. */
  eps: tf.Tensor2D | null;
}

/**
 * reconstruction loss (mean over values) + sparsity penalty (sparse) + weighted KL / inputSize (vae),
 * multiplied by `scale` (the part's share of the batch rows when a batch is split across threads, else 1).
 * With a split batch the kl sparsity penalty's mean activation is estimated from each part separately.
 */
export function objective(net: Network, options: AutoencoderOptions, b: BatchTensors, scale: number): tf.Scalar {
  const f = forwardTrain(net, b.input, b.inputT, b.eps);
  let total = reconstructionLoss(f.logits, b.target, options.loss);
  if (options.sparsity) total = tf.add(total, sparsityPenalty(f.code, options.sparsity));
  if (f.logVar && options.klWeight !== null) total = tf.add(total, vaePenalty(f.code, f.logVar, options.klWeight, options.inputSize));
  return scale === 1 ? total : tf.mul(total, scale);
}
