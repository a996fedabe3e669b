// The optimizers (adam, sgd, rmsprop) as plain loops over one flat Float32Array of every weight and bias.
// tfjs' optimizers run about a dozen kernels per variable per step; on the wasm backend that was a large part
// of each training step. A flat loop costs about one pass over the parameters, and it can update any range,
// so two threads can each update half of a shared parameter array (see parallel.ts).
// The arithmetic follows tfjs' optimizers (same defaults: adam beta1 0.9, beta2 0.999, epsilon 1e-7 with bias
// correction; rmsprop decay 0.9, epsilon 1e-7 inside the square root, no momentum), so the choice of
// implementation does not change what a learning rate means.

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/** tfjs' adam defaults (epsilon: its float32 backend epsilon). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
const BETA1 = ADAM.beta1;
const BETA2 = ADAM.beta2;
const DECAY = 0.9;
const EPSILON = ADAM.epsilon;

/** Optimizer state: one or two Float32Arrays as long as the parameters (shared memory when two threads train). */
export interface OptimizerState {
  /** adam: first moments; rmsprop: mean squares; sgd: unused (length 0). */
  m: Float32Array;
  /** adam: second moments; otherwise unused (length 0). */
  v: Float32Array;
}

/** Zeroed state for `count` parameters; `alloc` makes each array (e.g. over a SharedArrayBuffer). */
export function optimizerState(name: OptimizerName, count: number, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)): OptimizerState {
  return {
    m: alloc(name === 'sgd' ? 0 : count),
    v: alloc(name === 'adam' ? count : 0),
  };
}

/**
 * Updates parameters w[from..to) in place with the gradient g0 (+ g1 when two threads each computed the
 * gradient of part of the batch; the sum is taken in that order on every thread). `step` counts updates
 * from 1 (adam's bias correction).
 */
export function optimizerStep(
  name: OptimizerName,
  learningRate: number,
  step: number,
  w: Float32Array,
  state: OptimizerState,
  g0: Float32Array,
  g1: Float32Array | null,
  from: number,
  to: number,
): void {
  const { m, v } = state;
  switch (name) {
    case 'adam': {
      // tfjs: m̂ = m / (1 - beta1^t), v̂ = v / (1 - beta2^t), w -= lr * m̂ / (sqrt(v̂) + eps)
      const c1 = 1 / (1 - BETA1 ** step);
      const c2 = 1 / (1 - BETA2 ** step);
      for (let i = from; i < to; i++) {
        const g = g1 ? g0[i]! + g1[i]! : g0[i]!;
        const mi = BETA1 * m[i]! + (1 - BETA1) * g;
        const vi = BETA2 * v[i]! + (1 - BETA2) * g * g;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! - (learningRate * (mi * c1)) / (Math.sqrt(vi * c2) + EPSILON);
      }
      return;
    }
    case 'rmsprop': {
      for (let i = from; i < to; i++) {
        const g = g1 ? g0[i]! + g1[i]! : g0[i]!;
        const ms = DECAY * m[i]! + (1 - DECAY) * g * g;
        m[i] = ms;
        w[i] = w[i]! - (learningRate * g) / Math.sqrt(ms + EPSILON);
      }
      return;
    }
    case 'sgd': {
      for (let i = from; i < to; i++) {
        const g = g1 ? g0[i]! + g1[i]! : g0[i]!;
        w[i] = w[i]! - learningRate * g;
      }
      return;
    }
  }
}
