import { describe, expect, it } from 'vitest';
import type { TsneOptions } from '../../../pipeline/types.js';
import {
  tsne,
  prepareTsne,
  TsneOptimizer,
  exactRepulsion,
  bhRepulsion,
  fftRepulsion,
  parallelForces,
  serialForces,
  type Forces,
} from '../../../pipeline/tsne/index.js';
import { isCancelled, isInputError } from '../../../pipeline/errors.js';
import { mapMetrics } from '../../../pipeline/metrics.js';
import { blobs } from './fixtures.js';

const base: TsneOptions = {
  engine: 'bh',
  perplexity: 20,
  iterations: 300,
  theta: 0.5,
  earlyExaggeration: 12,
  exaggerationIterations: 100,
  learningRate: null,
  seed: 7,
};

describe('tsne', () => {
  it('separates well-separated clusters (labels recoverable from the map)', async () => {
    const { x, labels } = blobs(400, 10, 4, 1);
    const res = await tsne(x, base, { worker: false });
    expect(res.embedding.length).toBe(800);
    expect(res.engine).toBe('bh');
    const m = mapMetrics(x, res.embedding, labels);
    expect(m.labelAccuracy).toBeGreaterThan(0.98);
    expect(m.trustworthiness).toBeGreaterThan(0.9);
  });

  it('the same seed gives the identical embedding (every engine)', async () => {
    const { x } = blobs(150, 5, 3, 2);
    for (const [engine, iterations] of [['bh', 40], ['fft', 8]] as const) {
      const a = await tsne(x, { ...base, engine, iterations, exaggerationIterations: 5 }, { worker: false });
      const b = await tsne(x, { ...base, engine, iterations, exaggerationIterations: 5 }, { worker: false });
      expect(b.embedding).toEqual(a.embedding);
    }
  });

  it('exact, Barnes-Hut and FFT reach maps of similar KL from the same affinities and start', () => {
    // One 200-point map after 200 iterations lands in one of several nearby minima whatever the gradient
    // (Barnes-Hut at theta 0.2 ends up to 6% from exact on some seeds), so the check is on the mean over
    // maps of three data sets, with a looser bound on each. The FFT grid is a little coarser than the
    // default (40 intervals, not 50) to keep the test quick; the default grid is checked in gradient.test.ts.
    const diffs: Record<'bh' | 'fft', number[]> = { bh: [], fft: [] };
    for (const seed of [3, 4, 5]) {
      const { x } = blobs(200, 8, 5, seed);
      const opts = { ...base, iterations: 200, exaggerationIterations: 80 };
      const { optimizer } = prepareTsne(x, { ...opts, engine: 'exact' });
      const init = optimizer.y.slice();
      const kls: Record<string, number> = {};
      for (const [name, repulsion] of [
        ['exact', exactRepulsion],
        ['bh', bhRepulsion(0.5)],
        ['fft', fftRepulsion({ minBoxes: 40 })],
      ] as const) {
        const o = new TsneOptimizer(optimizer.p, init, {
          learningRate: 200,
          iterations: opts.iterations,
          earlyExaggeration: 12,
          exaggerationIterations: opts.exaggerationIterations,
          forces: serialForces(name, repulsion),
        });
        let kl = NaN;
        while (!o.done) kl = o.step(o.iteration === opts.iterations - 1);
        kls[name] = kl;
      }
      for (const m of ['bh', 'fft'] as const) {
        const d = Math.abs(kls[m]! - kls.exact!) / kls.exact!;
        expect(d, `${m}, seed ${seed}`).toBeLessThan(0.1);
        diffs[m].push(d);
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(diffs.bh)).toBeLessThan(0.04);
    expect(mean(diffs.fft)).toBeLessThan(0.05);
  });

  it('sharing the attraction with the helper thread gives the single-thread maps (Barnes-Hut and FFT)', () => {
    const { x } = blobs(3000, 8, 5, 11);
    const prep = prepareTsne(x, { ...base, engine: 'exact', perplexity: 10 });
    const init = prep.optimizer.y.slice();
    const par = parallelForces('bh', 0.5, 1000);
    const parFft = parallelForces('fft', 0.5, 1000);
    try {
      for (const [serial, shared] of [
        [serialForces('bh', bhRepulsion(0.5)), par],
        [serialForces('fft', fftRepulsion()), parFft],
      ] as const) {
        const run = (forces: Forces) => {
          const o = new TsneOptimizer(prep.optimizer.p, init, {
            learningRate: 250,
            iterations: 12,
            earlyExaggeration: 12,
            exaggerationIterations: 6,
            forces,
          });
          const kls: number[] = [];
          while (!o.done) kls.push(o.step(o.iteration % 4 === 3));
          return { y: o.y.slice(), kls };
        };
        const a = run(serial);
        const b = run(shared);
        expect(b.y).toEqual(a.y);
        expect(b.kls).toEqual(a.kls);
      }
    } finally {
      par.dispose();
      parFft.dispose();
      prep.dispose();
    }
  });

  it('auto resolves to Barnes-Hut for small inputs', async () => {
    const { x } = blobs(60, 3, 2, 4);
    const res = await tsne(x, { ...base, engine: 'auto', iterations: 60, perplexity: 5 }, { worker: false });
    expect(res.engine).toBe('bh');
    expect(res.notes.join(' ')).toMatch(/Barnes-Hut for 60/);
  });

  it('reports progress with KL every 50 iterations and a decreasing KL after exaggeration', async () => {
    const { x } = blobs(200, 6, 4, 5);
    const reports: { p: number; it?: number; kl?: number }[] = [];
    const res = await tsne(x, { ...base, iterations: 300 }, {
      worker: false,
      onProgress: (p, stage, info) => {
        expect(stage).toBe('tsne');
        reports.push({ p, it: info?.iteration, kl: info?.kl });
      },
    });
    const withKl = reports.filter((r) => r.kl !== undefined).map((r) => r.it);
    expect(withKl).toEqual([50, 100, 150, 200, 250, 300]);
    expect(res.klHistory.map((h) => h.iteration)).toEqual([50, 100, 150, 200, 250, 300]);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.p).toBeGreaterThanOrEqual(reports[i - 1]!.p);
    expect(reports[reports.length - 1]!.p).toBe(1);
    const after = res.klHistory.filter((h) => h.iteration > 100).map((h) => h.kl);
    expect(after[after.length - 1]!).toBeLessThan(after[0]!);
    expect(res.kl).toBe(after[after.length - 1]);
  });

  it('is cancelled by its signal (in this thread and in the worker)', async () => {
    const { x } = blobs(1500, 10, 5, 6);
    for (const worker of [false, true]) {
      const controller = new AbortController();
      const run = tsne(x, { ...base, iterations: 100000, exaggerationIterations: 10 }, {
        worker,
        signal: controller.signal,
        onProgress: (_p, _s, info) => {
          if (info?.iteration === 20) controller.abort();
        },
      });
      const err = await run.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isCancelled(err)).toBe(true);
    }
  });

  it('runs in a worker thread by default with the same result as in this thread', async () => {
    const { x } = blobs(120, 4, 3, 7);
    const opts = { ...base, iterations: 80, perplexity: 10 };
    const inWorker = await tsne(x, opts, { onProgress: () => {} });
    const here = await tsne(x, opts, { worker: false });
    expect(inWorker.embedding).toEqual(here.embedding);
    expect(inWorker.klHistory).toEqual(here.klHistory);
  });

  it('lowers a perplexity too large for n and says so', async () => {
    const { x } = blobs(31, 3, 2, 8);
    const res = await tsne(x, { ...base, perplexity: 30, iterations: 50 }, { worker: false });
    expect(res.notes.join(' ')).toMatch(/perplexity lowered from 30 to 10/);
    for (const v of res.embedding) expect(Number.isFinite(v)).toBe(true);
  });

  it('rejects fewer than 4 rows and non-finite values with an InputError naming the row', async () => {
    const tiny = { rows: 3, cols: 2, values: new Float32Array(6) };
    await expect(tsne(tiny, base, { worker: false })).rejects.toSatisfy(isInputError);
    const { x } = blobs(20, 3, 2, 9);
    x.values[5 * 3 + 1] = Number.NaN;
    const err = await tsne(x, base, { worker: false }).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/row 5 .*column 1 is NaN/);
    // through the worker the error keeps its kind
    const err2 = await tsne(x, base).catch((e: unknown) => e);
    expect(isInputError(err2)).toBe(true);
  });

  it('duplicate points never give NaN coordinates (every engine)', async () => {
    const { x } = blobs(40, 3, 2, 10);
    const values = new Float32Array(80 * 3);
    values.set(x.values);
    values.set(x.values, 40 * 3); // every row twice
    for (const engine of ['exact', 'bh', 'fft'] as const) {
      const iterations = engine === 'fft' ? 10 : 40;
      const res = await tsne({ rows: 80, cols: 3, values }, { ...base, engine, perplexity: 10, iterations, exaggerationIterations: 5 }, { worker: false });
      for (const v of res.embedding) expect(Number.isFinite(v)).toBe(true);
    }
    const same = { rows: 30, cols: 4, values: new Float32Array(120).fill(1) };
    const res = await tsne(same, { ...base, perplexity: 5, iterations: 60 }, { worker: false });
    for (const v of res.embedding) expect(Number.isFinite(v)).toBe(true);
    expect(res.notes.join(' ')).toMatch(/random initialization/);
  });

  it('uses PCA initialization scaled to standard deviation 1e-4', () => {
    const { x } = blobs(100, 5, 2, 11);
    const { optimizer } = prepareTsne(x, base);
    let mean = 0;
    for (let i = 0; i < 100; i++) mean += optimizer.y[2 * i]!;
    mean /= 100;
    let sd = 0;
    for (let i = 0; i < 100; i++) sd += (optimizer.y[2 * i]! - mean) ** 2;
    expect(Math.sqrt(sd / 100)).toBeCloseTo(1e-4, 9);
  });
});

describe('tsne-js engine (baseline)', () => {
  it('runs small inputs with the same seed giving the same map', async () => {
    const { x, labels } = blobs(60, 4, 3, 12);
    const opts: TsneOptions = { ...base, engine: 'tsne-js', perplexity: 10, iterations: 200 };
    const a = await tsne(x, opts, { worker: false });
    const b = await tsne(x, opts, { worker: false });
    expect(a.engine).toBe('tsne-js');
    expect(a.embedding).toEqual(b.embedding);
    expect(Number.isFinite(a.kl)).toBe(true);
    expect(mapMetrics(x, a.embedding, labels).labelAccuracy).toBeGreaterThan(0.9);
  });

  it('refuses more than 2,000 rows and names the fast engine', async () => {
    const x = { rows: 2001, cols: 2, values: new Float32Array(4002).map((_, i) => i % 97) };
    const err = await tsne(x, { ...base, engine: 'tsne-js' }, { worker: false }).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/--tsne-engine bh or auto/);
  });
});
