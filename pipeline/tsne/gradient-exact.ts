// Exact O(n^2) repulsive forces: the reference the approximations are tested against.

import type { RepulsionFn } from '../types.js';

/** Exact repulsion: every pair, each unordered pair once. */
export const exactRepulsion: RepulsionFn = (y, n, out) => {
  out.fill(0, 0, 2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    let fx = 0;
    let fy = 0;
    for (let j = i + 1; j < n; j++) {
      const dx = xi - y[2 * j]!;
      const dy = yi - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      const q2 = q * q;
      fx += q2 * dx;
      fy += q2 * dy;
      out[2 * j]! -= q2 * dx;
      out[2 * j + 1]! -= q2 * dy;
    }
    out[2 * i]! += fx;
    out[2 * i + 1]! += fy;
  }
  return 2 * z;
};
