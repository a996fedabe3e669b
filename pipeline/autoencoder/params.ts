// Every weight and bias of a network laid out in one flat Float32Array (in allLayers order, w then b), the
// form the optimizer updates and the two training threads share. Copies between it and the tfjs variables.
import * as tf from '@tensorflow/tfjs';

/** Number of values in all the variables. */
export function paramCount(vars: tf.Variable[]): number {
  return vars.reduce((n, v) => n + v.size, 0);
}

/** Copies the variables' current values into flat (length paramCount). */
export function readParams(vars: tf.Variable[], flat: Float32Array): void {
  let off = 0;
  for (const v of vars) {
    flat.set(v.dataSync() as Float32Array, off);
    off += v.size;
  }
}

/** Sets each variable from its slice of flat. */
export function writeParams(vars: tf.Variable[], flat: Float32Array): void {
  let off = 0;
  for (const v of vars) {
    const slice = flat.subarray(off, off + v.size);
    tf.tidy(() => v.assign(tf.tensor(slice, v.shape, 'float32')));
    off += v.size;
  }
}

/** Copies the gradients (keyed by variable name, as tf.variableGrads returns them) into flat, in variable order. */
export function readGradients(vars: tf.Variable[], grads: tf.NamedTensorMap, flat: Float32Array): void {
  let off = 0;
  for (const v of vars) {
    const g = grads[v.name];
    if (!g) throw new Error(`no gradient for a ${v.shape.join(' x ')} variable`);
    flat.set(g.dataSync() as Float32Array, off);
    off += v.size;
  }
}
