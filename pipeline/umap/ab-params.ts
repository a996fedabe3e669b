// The a, b of UMAP's low-dimensional similarity 1 / (1 + a d^(2b)), fitted to the membership curve that
// min_dist and spread describe: 1 for d < min_dist, exp(-(d - min_dist) / spread) beyond (umap-learn's
// find_ab_params: least squares over 300 evenly spaced d in [0, 3 spread], from a = b = 1).

import { InputError } from '../errors.js';

export interface AbParams {
  a: number;
  b: number;
}

const SAMPLES = 300;

/**
 * Least-squares fit of 1 / (1 + a x^(2b)) to the target curve, by Levenberg-Marquardt with the analytic
 * Jacobian (umap-learn uses scipy's curve_fit, the same method with finite differences; both reach the
 * same minimum: a = 1.5769, b = 0.8951 for min_dist 0.1, spread 1).
 * Throws InputError unless 0 <= minDist <= spread and spread > 0.
 */
export function findAbParams(spread: number, minDist: number): AbParams {
  if (!(spread > 0)) throw new InputError(`spread must be positive, got ${spread}`, { field: 'spread' });
  if (!(minDist >= 0) || minDist > spread) {
    throw new InputError(`minDist must be between 0 and spread (${spread}), got ${minDist}`, { field: 'minDist' });
  }
  const xs = new Float64Array(SAMPLES);
  const ys = new Float64Array(SAMPLES);
  for (let t = 0; t < SAMPLES; t++) {
    const x = (3 * spread * t) / (SAMPLES - 1);
    xs[t] = x;
    ys[t] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
  }
  const cost = (a: number, b: number): number => {
    let s = 0;
    for (let t = 0; t < SAMPLES; t++) {
      const r = 1 / (1 + a * xs[t]! ** (2 * b)) - ys[t]!;
      s += r * r;
    }
    return s;
  };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let current = cost(a, b);
  for (let iter = 0; iter < 500; iter++) {
    // normal equations J^T J, J^T r of the residuals r_t = f(x_t) - y_t
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let t = 0; t < SAMPLES; t++) {
      const x = xs[t]!;
      if (x === 0) continue; // f(0) = 1 whatever a and b: no derivative
      const p = x ** (2 * b);
      const f = 1 / (1 + a * p);
      const r = f - ys[t]!;
      const da = -p * f * f;
      const db = -a * p * 2 * Math.log(x) * f * f;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    while (lambda < 1e12) {
      const m00 = jaa * (1 + lambda);
      const m11 = jbb * (1 + lambda);
      const det = m00 * m11 - jab * jab;
      const stepA = -(m11 * ga - jab * gb) / det;
      const stepB = -(m00 * gb - jab * ga) / det;
      const na = a + stepA;
      const nb = b + stepB;
      const c = na > 0 && nb > 0 ? cost(na, nb) : Infinity;
      if (c < current) {
        const done = Math.abs(stepA) <= 1e-12 * (1 + Math.abs(a)) && Math.abs(stepB) <= 1e-12 * (1 + Math.abs(b));
        const small = current - c <= 1e-15 * current;
        a = na;
        b = nb;
        current = c;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = !(done || small);
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}
