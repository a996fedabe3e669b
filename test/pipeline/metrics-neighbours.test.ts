import { describe, expect, it } from 'vitest';
import { inputNeighbourMethod, inputNeighbours, rerank, SEARCH_WORK_LIMIT } from '../../pipeline/metrics-neighbours.js';
import { knnExact } from '../../pipeline/tsne/index.js';
import type { Matrix, NeighborGraph } from '../../pipeline/types.js';
import { blobs } from './tsne/fixtures.js';
import { createRandom } from '../../pipeline/random.js';

/** x's values copied into a WebAssembly memory from byte 0, as the run's read-back input is held. */
function held(x: Matrix): { x: Matrix; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(x.values.byteLength / 65536) });
  new Float32Array(memory.buffer, 0, x.values.length).set(x.values);
  return { x: { ...x, values: new Float32Array(memory.buffer, 0, x.values.length) }, memory };
}

/** Share of a's neighbours that are among b's, over every row. */
function recall(a: NeighborGraph, b: NeighborGraph): number {
  let hit = 0;
  for (let i = 0; i < a.n; i++) {
    const own = new Set(b.indices.subarray(i * b.k, (i + 1) * b.k));
    for (let t = i * a.k; t < (i + 1) * a.k; t++) if (own.has(a.indices[t]!)) hit++;
  }
  return hit / (a.n * a.k);
}

describe('input neighbours for the per-row preservation', () => {
  it('searches the input itself up to n x columns = 2e8 (250,000 x 784), re-ranks the codes\' neighbours beyond, and always searches without codes', () => {
    expect(SEARCH_WORK_LIMIT).toBe(2e8);
    expect(inputNeighbourMethod(250000, 784, true)).toBe('search');
    expect(inputNeighbourMethod(1000000, 784, true)).toBe('codes');
    expect(inputNeighbourMethod(1000000, 50, true)).toBe('search');
    expect(inputNeighbourMethod(1000000, 784, false)).toBe('search');
  });

  it('re-ranking every other row as a candidate gives the exact neighbours, in JavaScript and in the kernel over the input\'s own memory', () => {
    const { x } = blobs(300, 12, 4, 1);
    const all = knnExact({ ...x }, 299);
    const exact = knnExact(x, 10);
    const js = rerank(x, all, 10, null);
    expect(Array.from(js.indices)).toEqual(Array.from(exact.indices));
    const h = held(x);
    const simd = rerank(h.x, all, 10, h.memory);
    expect(Array.from(simd.indices)).toEqual(Array.from(exact.indices));
    for (let t = 0; t < exact.distances.length; t++) expect(simd.distances[t]!).toBeCloseTo(exact.distances[t]!, 3);
    // the input is left as it was
    expect(Array.from(new Float32Array(h.memory.buffer, 0, x.values.length))).toEqual(Array.from(x.values));
  });

  it('from codes that keep the input\'s neighbourhoods, finds most of the input\'s true neighbours (and all the same with or without the kernel)', () => {
    // codes: 8 columns of clustered rows; input: a linear map of them into 24 columns, plus a little noise
    const { x: codes } = blobs(4000, 8, 8, 2);
    const r0 = createRandom(9);
    const w = Array.from({ length: 8 * 24 }, () => r0.normal());
    const x: Matrix = { rows: 4000, cols: 24, values: new Float32Array(4000 * 24) };
    for (let i = 0; i < 4000; i++) {
      for (let o = 0; o < 24; o++) {
        let v = 0.3 * r0.normal();
        for (let c = 0; c < 8; c++) v += codes.values[i * 8 + c]! * w[c * 24 + o]!;
        x.values[i * 24 + o] = v;
      }
    }
    const exact = knnExact(x, 10);
    const viaCodes = inputNeighbours(x, codes, 10, 'codes', { seed: 3, inPlace: null });
    const h = held(x);
    const viaKernel = inputNeighbours(h.x, codes, 10, 'codes', { seed: 3, inPlace: h.memory });
    expect(Array.from(viaKernel.indices)).toEqual(Array.from(viaCodes.indices));
    const r = recall(exact, viaCodes);
    // the codes' own 10 nearest find fewer: re-ranking 30 candidates by input distance recovers most of the rest
    const codesOnly = recall(exact, knnExact(codes, 10));
    expect(codesOnly).toBeLessThan(r - 0.1);
    expect(r).toBeGreaterThan(0.9);
  });
});
