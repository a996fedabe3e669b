// Reconstruction losses, both computed from the output layer's pre-activation ("logits"), so BCE is
// numerically stable (no log(0)) and its gradient is the simple sigmoid(z) - x.
import * as tf from '@tensorflow/tfjs';

/**
 * Mean reconstruction loss over every value of the batch, with a hand-written gradient.
 * bce: mean(softplus(z) - z x) = binary cross-entropy of sigmoid(z) against x;
 * mse: mean((z - x)²). target is constant (no gradient flows into it).
 */
export function reconstructionLoss(logits: tf.Tensor2D, target: tf.Tensor2D, loss: 'mse' | 'bce'): tf.Scalar {
  const n = logits.size;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([z]);
    const value = tf.mean(elementLoss(z, target, loss)) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const zs = saved[0] as tf.Tensor2D;
        const diff = loss === 'bce' ? tf.sub(tf.sigmoid(zs), target) : tf.mul(tf.sub(zs, target), 2);
        return tf.mul(diff, tf.div(dy, n));
      },
    };
  });
  return op(logits) as tf.Scalar;
}

/** Per-value loss (no reduction). */
export function elementLoss(z: tf.Tensor2D, x: tf.Tensor2D, loss: 'mse' | 'bce'): tf.Tensor2D {
  if (loss === 'mse') return tf.squaredDifference(z, x);
  // softplus(z) - z x  =  max(z, 0) - z x + log(1 + exp(-|z|)); tfjs' softplus is the stable form.
  return tf.sub(tf.softplus(z), tf.mul(z, x));
}

/** Per-row mean loss: [rows]. */
export function rowLoss(z: tf.Tensor2D, x: tf.Tensor2D, loss: 'mse' | 'bce'): tf.Tensor1D {
  return tf.mean(elementLoss(z, x, loss), 1) as tf.Tensor1D;
}

/** The output values from logits: sigmoid for bce, identity for mse. */
export function outputFromLogits(z: tf.Tensor2D, loss: 'mse' | 'bce'): tf.Tensor2D {
  return loss === 'bce' ? tf.sigmoid(z) : z;
}
