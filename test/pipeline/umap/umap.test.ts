import { describe, expect, it } from 'vitest';
import { prepareUmap, runUmap, umap, umapTransform, leadingEigenvectors, connectedComponents, spectralLayout } from '../../../pipeline/umap/index.js';
import { tridiagonalEigen } from '../../../pipeline/umap/spectral.js';
import { stepSize } from '../../../pipeline/umap/layout.js';
import { mapMetrics } from '../../../pipeline/metrics.js';
import { createRandom } from '../../../pipeline/random.js';
import type { Matrix, SparseMatrix, UmapOptions } from '../../../pipeline/types.js';
import { blobs } from '../tsne/fixtures.js';

const OPTIONS: UmapOptions = {
  nNeighbors: 15,
  minDist: 0.1,
  spread: 1,
  epochs: 100,
  negativeSampleRate: 5,
  learningRate: 1,
  repulsionStrength: 1,
  localConnectivity: 1,
  init: 'spectral',
  seed: 7,
};

function rowsOf(x: Matrix, from: number, to: number): Matrix {
  return { rows: to - from, cols: x.cols, values: x.values.slice(from * x.cols, to * x.cols) };
}

describe('umap', () => {
  it('separates well separated clusters: 10-NN label accuracy 1 and high trustworthiness', async () => {
    const { x, labels } = blobs(600, 10, 4, 3, 8);
    const res = await runUmap(x, OPTIONS);
    expect(res.embedding.length).toBe(1200);
    expect(res.epochs).toBe(100);
    expect(res.a).toBeCloseTo(1.577, 3);
    const m = mapMetrics(x, res.embedding, labels, { k: 10 });
    expect(m.labelAccuracy).toBe(1);
    expect(m.trustworthiness).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed, and the seed matters', async () => {
    const { x } = blobs(400, 6, 3, 4);
    const a = await runUmap(x, OPTIONS);
    const b = await runUmap(x, OPTIONS);
    expect(Buffer.from(a.embedding.buffer).equals(Buffer.from(b.embedding.buffer))).toBe(true);
    const c = await runUmap(x, { ...OPTIONS, seed: 8 });
    expect(Buffer.from(a.embedding.buffer).equals(Buffer.from(c.embedding.buffer))).toBe(false);
  });

  it('gives the same map to the bit whether the second block runs on a helper thread or not', async () => {
    const { x } = blobs(1500, 8, 5, 5);
    const one = await runUmap(x, OPTIONS, {}, Infinity);
    const { layout } = prepareUmap(x, OPTIONS, {}, { helperMinRows: 0, waitForHelper: true });
    while (!layout.done) layout.step();
    expect(layout.helperEpochs).toBeGreaterThan(0);
    const two = layout.embedding();
    expect(Buffer.from(one.embedding.buffer).equals(Buffer.from(two.buffer))).toBe(true);
  });

  it('runs in a worker thread with progress on the umap stage and the same result as in this thread', async () => {
    const { x } = blobs(300, 5, 3, 6);
    const seen: { p: number; stage: string; epoch?: number }[] = [];
    const res = await umap(x, OPTIONS, { onProgress: (p, stage, info) => seen.push({ p, stage, epoch: info?.epoch }) });
    const here = await runUmap(x, OPTIONS);
    expect(Buffer.from(res.embedding.buffer).equals(Buffer.from(here.embedding.buffer))).toBe(true);
    expect(seen.every((s) => s.stage === 'umap')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ p: 1, epoch: 100 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.p).toBeGreaterThanOrEqual(seen[i - 1]!.p);
  });

  it('stops with an AbortError when cancelled', async () => {
    const { x } = blobs(1500, 10, 5, 7);
    const controller = new AbortController();
    const run = umap(x, { ...OPTIONS, epochs: 5000 }, { signal: controller.signal, onProgress: (p) => p > 0.25 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses non-finite input naming the row and column', async () => {
    const { x } = blobs(50, 3, 2, 8);
    x.values[3 * 7 + 2] = NaN;
    await expect(runUmap(x, OPTIONS)).rejects.toThrow(/row 7 \(0-based\), column 2 is NaN/);
  });

  it('lowers nNeighbors for tiny inputs and says so', async () => {
    const { x } = blobs(8, 3, 2, 9);
    const res = await runUmap(x, OPTIONS);
    expect(res.notes.join(' ')).toMatch(/nNeighbors lowered from 15 to 7/);
    expect(res.embedding.every(Number.isFinite)).toBe(true);
  });
});

describe('umap transform', () => {
  it('places new rows beside their own cluster without moving the base map', async () => {
    const { x, labels } = blobs(800, 8, 4, 10, 8);
    const base = rowsOf(x, 0, 600);
    const fitted = await runUmap(base, OPTIONS);
    const before = Float32Array.from(fitted.embedding);
    const added = rowsOf(x, 600, 800);
    const placed = await umapTransform({ x: base, embedding: fitted.embedding }, added, OPTIONS, { worker: false });
    expect(Buffer.from(fitted.embedding.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(placed.embedding.length).toBe(400);
    expect(placed.epochs).toBe(33); // a third of the run's 100 epochs, as umap-learn
    // each new point's nearest base point in the map carries its label
    let right = 0;
    for (let i = 0; i < 200; i++) {
      let best = Infinity;
      let label = -1;
      for (let j = 0; j < 600; j++) {
        const d = (placed.embedding[2 * i]! - before[2 * j]!) ** 2 + (placed.embedding[2 * i + 1]! - before[2 * j + 1]!) ** 2;
        if (d < best) {
          best = d;
          label = labels[j]!;
        }
      }
      if (label === labels[600 + i]) right++;
    }
    expect(right).toBe(200);
  });

  it('uses 100 epochs for automatic runs and is deterministic', async () => {
    const { x } = blobs(300, 4, 3, 11);
    const base = rowsOf(x, 0, 250);
    const fitted = await runUmap(base, { ...OPTIONS, epochs: null });
    const a = await umapTransform({ x: base, embedding: fitted.embedding }, rowsOf(x, 250, 300), { ...OPTIONS, epochs: null });
    const b = await umapTransform({ x: base, embedding: fitted.embedding }, rowsOf(x, 250, 300), { ...OPTIONS, epochs: null }, { worker: false });
    expect(a.epochs).toBe(100);
    expect(Buffer.from(a.embedding.buffer).equals(Buffer.from(b.embedding.buffer))).toBe(true);
  });

  it('refuses new rows with other columns', async () => {
    const { x } = blobs(100, 4, 2, 12);
    const fitted = await runUmap(x, OPTIONS);
    await expect(umapTransform({ x, embedding: fitted.embedding }, { rows: 2, cols: 3, values: new Float32Array(6) }, OPTIONS)).rejects.toThrow(/3 columns but the reference run has 4/);
  });
});

describe('the learning-rate schedule', () => {
  it("steps as umap-learn's optimize_layout_euclidean: lowered after each epoch, linearly towards 0", () => {
    // umap-learn: alpha = 1 for epochs 0 and 1, then 1 - (n - 1) / n_epochs; 0.01 in the last of 200
    const steps = [0, 1, 2, 100, 199].map((e) => stepSize(1, e, 200));
    expect(steps).toEqual([1, 1, 0.995, 0.505, 0.01].map((v) => expect.closeTo(v, 12)));
    expect(stepSize(0.25, 2, 100)).toBeCloseTo(0.2475, 12);
  });
});

describe('spectral initialization', () => {
  it('decomposes a tridiagonal matrix', () => {
    // the path Laplacian-like tridiagonal(-1, 2, -1) of size 5: eigenvalues 2 - 2 cos(k pi / 6)
    const d = Float64Array.from([2, 2, 2, 2, 2]);
    const e = Float64Array.from([0, -1, -1, -1, -1]);
    tridiagonalEigen(d, e);
    const expected = [1, 2, 3, 4, 5].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 6)).sort();
    expect(Array.from(d).sort()).toEqual(expected.map((v) => expect.closeTo(v, 10)));
  });

  it('finds the two leading non-trivial eigenvectors of a path graph', () => {
    // a path of n vertices: D^-1/2 W D^-1/2 has the eigenvalues cos(pi k / (n - 1)), k = 0 .. n-1
    const n = 40;
    const indptr = new Int32Array(n + 1);
    const idx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) idx.push(i - 1);
      if (i < n - 1) idx.push(i + 1);
      indptr[i + 1] = idx.length;
    }
    const path: SparseMatrix = { rows: n, cols: n, indptr, indices: Int32Array.from(idx), values: new Float64Array(idx.length).fill(1) };
    const { vectors, converged } = leadingEigenvectors(path, 2, createRandom(1), { maxSteps: 39 });
    expect(converged).toBe(true);
    const deg = Array.from({ length: n }, (_, i) => indptr[i + 1]! - indptr[i]!);
    for (let c = 0; c < 2; c++) {
      const v = Array.from({ length: n }, (_, i) => vectors[2 * i + c]!);
      const nv = v.map((_, i) => {
        let s = 0;
        for (let p = indptr[i]!; p < indptr[i + 1]!; p++) s += v[idx[p]!]! / Math.sqrt(deg[i]! * deg[idx[p]!]!);
        return s;
      });
      const norm2 = v.reduce((s, t) => s + t * t, 0);
      const lambda = v.reduce((s, t, i) => s + t * nv[i]!, 0) / norm2;
      expect(lambda).toBeCloseTo(Math.cos((Math.PI * (c + 1)) / (n - 1)), 6);
      const residual = Math.sqrt(nv.reduce((s, t, i) => s + (t - lambda * v[i]!) ** 2, 0) / norm2);
      expect(residual).toBeLessThan(1e-4);
    }
  });

  it('lays out each connected component around its own centre', () => {
    const { x } = blobs(200, 3, 2, 13, 50);
    // two disconnected cliques of 100
    const indptr = new Int32Array(201);
    const idx: number[] = [];
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 200; j++) if (j !== i && j % 2 === i % 2 && Math.abs(j - i) <= 10) idx.push(j);
      indptr[i + 1] = idx.length;
    }
    const g: SparseMatrix = { rows: 200, cols: 200, indptr, indices: Int32Array.from(idx), values: new Float64Array(idx.length).fill(0.5) };
    expect(connectedComponents(g).count).toBe(2);
    const { embedding, notes } = spectralLayout(g, x, 1);
    expect(notes.join(' ')).toMatch(/2 connected components/);
    // the components are centred at (1, 0) and (-1, 0), each coordinate within half the distance between centres
    let outside = 0;
    for (let i = 0; i < 200; i++) {
      const cx = i % 2 === 0 ? 1 : -1;
      if (Math.abs(embedding[2 * i]! - cx) > 1 + 1e-9 || Math.abs(embedding[2 * i + 1]!) > 1 + 1e-9) outside++;
    }
    expect(outside).toBe(0);
    const meanX = (parity: number) => Array.from({ length: 100 }, (_, t) => embedding[2 * (2 * t + parity)]!).reduce((s, v) => s + v, 0) / 100;
    expect(meanX(0)).toBeGreaterThan(0.5);
    expect(meanX(1)).toBeLessThan(-0.5);
  });
});
