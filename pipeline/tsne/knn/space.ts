// Squared distances between rows for the approximate search, in the kernel's memory (kernel.ts).

import type { Matrix } from '../../types.js';
import { align16, ensureMemory, loadRows, sqDist } from './kernel.js';
import { permuteRows } from './forest.js';

/**
 * Squared distances between listed rows: the SIMD kernel in float32 (relative error ~1e-6, plenty for
 * an approximate search), or plain JavaScript without WebAssembly SIMD. measure(a, na, b, nb, tri)
 * fills out[r * nb + c] for r < na, c < nb (only c > r when tri).
 */
export interface DistanceSpace {
  /**
   * The rows the space measures (x's rows, renumbered by perm when given): a view of the kernel's memory when
   * its rows need no padding, else a copy in JavaScript memory.
   */
  rows: Matrix;
  out: Float64Array;
  measure(a: Int32Array, na: number, b: Int32Array, nb: number, tri: boolean): void;
  /** Per-row bounds (the heaps' bound array lives here, where the kernel reads it). */
  bound: Float32Array;
  /**
   * For the contiguous rows a0 + r (r < na) and b0 + c (c < nb; only c > r when tri): the pairs whose
   * distance is at most the bound of either row, as records t: candD[2t] the distance, candCode[2t + 1]
   * r << 16 | c. Returns the number of records.
   */
  candidates(a0: number, na: number, b0: number, nb: number, tri: boolean): number;
  candD: Float32Array;
  candCode: Int32Array;
  /** Puts rows renumbered in the caller's memory (KnnOptions.inPlace) back in order; null when they were copied. */
  restore: (() => void) | null;
}

/**
 * The distance space of x's rows, renumbered by perm when given (row i is x's row perm[i]): the rows go straight
 * into the kernel's memory, without a renumbered copy in JavaScript memory where the kernel needs no padding;
 * with inPlace (KnnOptions.inPlace), they are renumbered inside the memory x's values fill.
 */
export function distanceSpace(x0: Matrix, leafSize: number, perm: Int32Array | null = null, inPlace: WebAssembly.Memory | null = null): DistanceSpace {
  const maxList = leafSize + 8;
  const maxOut = leafSize * leafSize;
  const { rows: n, cols } = x0;
  const loaded = loadRows(x0, 'f32', n + 4, perm, inPlace);
  if (!loaded) {
    const x = perm ? permuteRows(x0, perm) : x0;
    const out = new Float64Array(maxOut + 4 * maxList);
    const candD = new Float32Array(2 * maxOut);
    const candCode = new Int32Array(2 * maxOut);
    const bound = new Float32Array(n).fill(Infinity);
    const v = x.values;
    return {
      rows: x,
      out,
      bound,
      candD,
      candCode,
      restore: null,
      measure(a, na, b, nb, tri) {
        for (let r = 0; r < na; r++) {
          for (let c = tri ? r + 1 : 0; c < nb; c++) out[r * nb + c] = sqDist(v, a[r]!, b[c]!, cols);
        }
      },
      candidates(a0, na, b0, nb, tri) {
        let count = 0;
        for (let r = 0; r < na; r++) {
          for (let c = tri ? r + 1 : 0; c < nb; c++) {
            const d = Math.fround(sqDist(v, a0 + r, b0 + c, cols));
            if (d <= bound[a0 + r]! || d <= bound[b0 + c]!) {
              candD[2 * count] = d;
              candCode[2 * count + 1] = (r << 16) | c;
              count++;
            }
          }
        }
        return count;
      },
    };
  }
  const { k: kern, rows, list } = loaded;
  const listA = align16(list + 4 * (n + 4));
  const listB = listA + 4 * (maxList + 8);
  const boundAt = align16(listB + 4 * (maxList + 8));
  const outAt = align16(boundAt + 4 * n);
  ensureMemory(kern, outAt + 8 * (maxOut + 4 * maxList));
  const la = new Int32Array(kern.memory.buffer, listA, maxList + 8);
  const lb = new Int32Array(kern.memory.buffer, listB, maxList + 8);
  const bound = new Float32Array(kern.memory.buffer, boundAt, n).fill(Infinity);
  const out = new Float64Array(kern.memory.buffer, outAt, maxOut + 4 * maxList);
  const candD = new Float32Array(kern.memory.buffer, outAt, 2 * (maxOut + 4 * maxList));
  const candCode = new Int32Array(kern.memory.buffer, outAt, 2 * (maxOut + 4 * maxList));
  // (the memory does not grow after this, so views of it stay valid)
  const per = kern.stride / 4;
  const rowsView: Matrix =
    per === cols ? { rows: n, cols, values: new Float32Array(kern.memory.buffer, 0, n * cols) } : perm ? permuteRows(x0, perm) : x0;
  return {
    rows: rowsView,
    out,
    bound,
    candD,
    candCode,
    restore: loaded.restore,
    measure(a, na, b, nb, tri) {
      la.set(a.subarray(0, na));
      // the kernel reads rows of A four at a time: pad with a valid row
      la[na] = la[na + 1] = la[na + 2] = a[0]!;
      if (a === b && tri) {
        kern.block(rows, listA, na, listA, nb, outAt, 1);
      } else {
        lb.set(b.subarray(0, nb));
        kern.block(rows, listA, na, listB, nb, outAt, tri ? 1 : 0);
      }
    },
    candidates(a0, na, b0, nb, tri) {
      // the identity list past row n - 1 names row 0, so the groups of four stay readable
      return kern.candidates(rows, list + 4 * a0, na, list + 4 * b0, nb, outAt, tri ? 1 : 0, boundAt);
    },
  };
}

