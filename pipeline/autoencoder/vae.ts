// Variational autoencoder: the encoder gives the mean and log-variance of q(z|x); z = mean + exp(logVar / 2) * eps
// (the reparameterization trick) feeds the decoder during training; codes are the means.
import * as tf from '@tensorflow/tfjs';

/** Mean over rows of KL(N(mean, exp(logVar)) || N(0, I)) = -0.5 * sum(1 + logVar - mean² - exp(logVar)). */
export function klDivergence(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  const perRow = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mean)), tf.exp(logVar)), 1), -0.5);
  return tf.mean(perRow) as tf.Scalar;
}

/** The vae's KL term on the per-value scale of the reconstruction loss: klWeight * KL / inputSize. */
export function vaePenalty(mean: tf.Tensor2D, logVar: tf.Tensor2D, klWeight: number, inputSize: number): tf.Scalar {
  return tf.mul(klDivergence(mean, logVar), klWeight / inputSize);
}
