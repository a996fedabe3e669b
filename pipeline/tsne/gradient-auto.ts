// 'auto' repulsion: each iteration picks Barnes-Hut or FFT by a cost model measured on the 2-core
// reference machine (npm run bench:tsne). FFT costs grow with the grid (the map's extent squared), Barnes-Hut
// with n log n, so small or compact maps favour FFT and small n or widely spread maps favour Barnes-Hut.
// The choice depends on the positions only, so the same seed still gives the same map.

import { PARALLEL_MIN_ROWS, sharedEngine } from './forces-parallel.js';
import { fftLength, mapRange } from './gradient-fft.js';
import type { Forces } from './forces.js';

/**
 * Cost of one FFT evaluation in model units (one unit: Barnes-Hut's cost per point and log2 n): grid
 * transforms plus per-point interpolation. Fitted to the process CPU time of single-thread evaluations of
 * both methods on Fashion-MNIST maps (10,000 and 70,000 points, FFT lengths 384-1024): FFT / Barnes-Hut
 * measured 2.5-2.7 at 10k with m = 384 (model 2.6) and 11.7 with m = 768 (10.9); at 70k 0.41-0.46 with
 * m = 384 (0.44), 0.65 with 512 (0.60), 1.30 with 768 (1.43), 2.16 with 1024 (2.12). Both methods share
 * their work with the helper thread the same way, so single-thread costs decide.
 */
export function fftCost(m: number, n: number): number {
  const radix3 = (m & (m - 1)) !== 0;
  return 0.211 * m * m * Math.log2(m) * (radix3 ? 1.2 : 1) + 2.5 * n;
}

/** Cost of one Barnes-Hut (theta 0.5, grouped walk) evaluation in the same units. */
export function bhCost(n: number): number {
  return n * Math.log2(Math.max(2, n));
}

/**
 * The 'auto' Forces: Barnes-Hut or FFT, whichever fftCost/bhCost says is cheaper for the current positions,
 * both sharing one helper thread (forces-parallel.ts). usage counts the evaluations of each.
 */
export function autoForces(theta = 0.5, minRows = PARALLEL_MIN_ROWS): Forces {
  const engine = sharedEngine(theta, minRows);
  const usage = { bh: 0, fft: 0 };
  /** Whether FFT is the cheaper method for these positions (they alone decide, so the same seed gives the same map). */
  const chooseFft = (y: Float64Array, n: number): boolean => {
    const m = fftLength(mapRange(y, n).extent);
    const useFft = fftCost(m, n) < bhCost(n);
    if (useFft) usage.fft++;
    else usage.bh++;
    return useFft;
  };
  return {
    method: 'auto',
    repulsion: (y, n, out) => engine.repulsion(chooseFft(y, n), y, n, out),
    evaluate: (y, n, p, rep, attr, computeKl) => engine.evaluate(chooseFft(y, n), y, n, p, rep, attr, computeKl),
    prestart: engine.prestart,
    dispose: engine.dispose,
    usage,
  };
}
