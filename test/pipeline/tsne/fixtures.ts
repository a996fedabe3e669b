// Seeded fixtures shared by the t-SNE tests.
import type { Matrix } from '../../../pipeline/types.js';
import { createRandom } from '../../../pipeline/random.js';

/** n points in `clusters` Gaussian blobs of unit spread around centres `separation` apart (seeded). */
export function blobs(n: number, cols: number, clusters: number, seed: number, separation = 6): { x: Matrix; labels: number[] } {
  const r = createRandom(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: cols }, () => r.normal() * separation));
  const values = new Float32Array(n * cols);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    labels.push(c);
    for (let j = 0; j < cols; j++) values[i * cols + j] = centres[c]![j]! + r.normal();
  }
  return { x: { rows: n, cols, values }, labels };
}

/** Random 2-D layout with clusters, like a t-SNE map, as float64 (n x 2). */
export function layout(n: number, spread: number, seed: number): Float64Array {
  const r = createRandom(seed);
  const centres = Array.from({ length: 8 }, () => [r.normal() * spread, r.normal() * spread]);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = centres[i % 8]!;
    y[2 * i] = c[0]! + (r.normal() * spread) / 6;
    y[2 * i + 1] = c[1]! + (r.normal() * spread) / 6;
  }
  return y;
}

export function relativeError(a: Float64Array, b: Float64Array): number {
  let s = 0;
  let t = 0;
  for (let i = 0; i < a.length; i++) {
    s += (a[i]! - b[i]!) ** 2;
    t += b[i]! ** 2;
  }
  return Math.sqrt(s / t);
}
