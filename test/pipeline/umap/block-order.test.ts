import { describe, expect, it } from 'vitest';
import { blockOrder, permuteGraph } from '../../../pipeline/umap/block-order.js';
import { UmapLayout } from '../../../pipeline/umap/optimizer.js';
import type { SparseMatrix } from '../../../pipeline/types.js';

/** A symmetric CSR graph from undirected weighted pairs. */
function graphOf(n: number, pairs: [number, number, number][]): SparseMatrix {
  const rows: [number, number][][] = Array.from({ length: n }, () => []);
  for (const [i, j, w] of pairs) {
    rows[i]!.push([j, w]);
    rows[j]!.push([i, w]);
  }
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  rows.forEach((r, i) => {
    r.sort((p, q) => p[0] - q[0]);
    for (const [j, w] of r) {
      indices.push(j);
      values.push(w);
    }
    indptr[i + 1] = indices.length;
  });
  return { rows: n, cols: n, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

// two groups of four points, interleaved in the input (even rows: group A, odd rows: group B), each a
// clique of weight 1, joined by one edge of weight 0.5 between rows 6 and 7
const pairs: [number, number, number][] = [];
for (const g of [0, 1]) {
  const members = [0, 2, 4, 6].map((v) => v + g);
  for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) pairs.push([members[a]!, members[b]!, 1]);
}
pairs.push([6, 7, 0.5]);
const graph = graphOf(8, pairs);
// the initial layout separates the groups along y (A below, B above) and mixes them along x
const init = Float32Array.from([0, 0, 1, 5, 2, 0.1, 3, 5.1, 4, 0.2, 5, 5.2, 6, 0.3, 7, 5.3]);

describe('the two-block order of the layout', () => {
  it('splits along the axis that cuts the least edge weight, each block in input order', () => {
    const b = blockOrder(graph, init);
    expect(b.axis).toBe(1);
    expect(b.split).toBe(4);
    expect(Array.from(b.order)).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    for (let r = 0; r < 8; r++) expect(b.rank[b.order[r]!]).toBe(r);
    // total weight counts each pair twice (both directions): 2 * (12 + 0.5); crossing: the one bridge
    expect(b.crossing).toBeCloseTo((2 * 0.5) / (2 * 12.5), 12);
    // along x (interleaved groups) nearly every clique edge would cross
    const alongX = blockOrder(graph, Float32Array.from(init.map((v, t) => (t % 2 === 0 ? v : 0))));
    expect(alongX.axis).toBe(0);
    expect(alongX.crossing).toBeGreaterThan(0.4);
  });

  it('renumbers the graph without losing or changing an edge', () => {
    const b = blockOrder(graph, init);
    const p = permuteGraph(graph, b.order, b.rank);
    const edges = (g: SparseMatrix, name: (i: number) => number) => {
      const out: string[] = [];
      for (let i = 0; i < g.rows; i++) for (let q = g.indptr[i]!; q < g.indptr[i + 1]!; q++) out.push(`${name(i)}-${name(g.indices[q]!)}:${g.values[q]}`);
      return out.sort();
    };
    expect(edges(p, (r) => b.order[r]!)).toEqual(edges(graph, (i) => i));
    for (let r = 0; r < 8; r++) for (let q = p.indptr[r]! + 1; q < p.indptr[r + 1]!; q++) expect(p.indices[q]!).toBeGreaterThan(p.indices[q - 1]!);
  });

  it('answers positions in the caller’s order, and pulls the clique mates together', () => {
    const layout = new UmapLayout(graph, init, { a: 1.577, b: 0.895, epochs: 50, learningRate: 1, repulsionStrength: 1, negativeSampleRate: 5, seed: 3, helperMinRows: Infinity });
    expect(Array.from(layout.embedding())).toEqual(Array.from(init));
    expect(layout.crossing).toBeCloseTo(0.04, 12);
    while (!layout.done) layout.step();
    const e = layout.embedding();
    const dist = (i: number, j: number) => Math.hypot(e[2 * i]! - e[2 * j]!, e[2 * i + 1]! - e[2 * j + 1]!);
    // mean distance within the groups below the mean distance between them
    let within = 0;
    let between = 0;
    for (let i = 0; i < 8; i++) {
      for (let j = i + 1; j < 8; j++) {
        if (i % 2 === j % 2) within += dist(i, j) / 12;
        else between += dist(i, j) / 16;
      }
    }
    expect(within).toBeLessThan(between / 2);
  });
});
