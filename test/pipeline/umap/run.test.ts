// UMAP through the pipeline, the configuration schema, the CLI and transform.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../../pipeline/cli.js';
import { parsePartialConfig, resolveConfig } from '../../../pipeline/config.js';
import { runPipeline } from '../../../pipeline/pipeline.js';
import { transformRun } from '../../../pipeline/commands/transform.js';
import type { RunConfig } from '../../../pipeline/types.js';

let dir: string;
const umapRun = (over: Partial<RunConfig> = {}): RunConfig =>
  resolveConfig({ dataset: 'iris', reducer: 'pca', codeSize: 3, map: 'umap', umapEpochs: 200, runsDir: dir, backend: 'cpu', ...over });

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), tty: false, env: {}, stdout: () => out, stderr: () => err };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-umap-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('UMAP options in the one schema', () => {
  it('defaults to t-SNE and to umap-learn values for UMAP', () => {
    const c = resolveConfig({});
    expect(c.map).toBe('tsne');
    expect({ n: c.nNeighbors, minDist: c.minDist, spread: c.spread, epochs: c.umapEpochs, neg: c.negativeSampleRate, init: c.umapInit }).toEqual({
      n: 15,
      minDist: 0.1,
      spread: 1,
      epochs: null,
      neg: 5,
      init: 'spectral',
    });
  });

  it('refuses UMAP options on a t-SNE run and t-SNE options on a UMAP run, naming the field', () => {
    expect(() => resolveConfig({ nNeighbors: 30 })).toThrow(/field "nNeighbors": applies only with --map umap \(this run uses tsne\)/);
    expect(() => resolveConfig({ map: 'tsne', umapEpochs: 10 })).toThrow(/field "umapEpochs": applies only with --map umap/);
    expect(() => resolveConfig({ map: 'umap', perplexity: 20 })).toThrow(/field "perplexity": applies only with --map tsne \(this run uses umap\)/);
    expect(() => resolveConfig({ map: 'umap', tsneEngine: 'bh' })).toThrow(/field "tsneEngine": applies only with --map tsne/);
    expect(() => resolveConfig({ map: 'umap', theta: 0.3 })).toThrow(/field "theta": applies only with --map tsne/);
    expect(resolveConfig({ map: 'umap', nNeighbors: 30, minDist: 0.5 }).nNeighbors).toBe(30);
  });

  it('refuses values out of range and a min_dist above the spread', () => {
    expect(() => parsePartialConfig({ map: 'pca' }, 'request body')).toThrow(/must be one of tsne, umap; got "pca"/);
    expect(() => parsePartialConfig({ nNeighbors: 1 }, 'job.json')).toThrow(/field "nNeighbors": must be at least 2, got 1 \(from job.json\)/);
    expect(() => resolveConfig({ map: 'umap', minDist: 2 })).toThrow(/field "minDist": must not exceed spread \(1\), got 2/);
    expect(() => resolveConfig({ map: 'umap', localConnectivity: 15 })).toThrow(/field "localConnectivity": must be less than nNeighbors/);
  });

  it('makes every option a CLI flag, and the CLI refuses a misplaced one with exit 2 and nothing written', async () => {
    const help = capture();
    expect(await main(['run', '--help'], help)).toBe(0);
    for (const f of ['--map', '--n-neighbors', '--min-dist', '--spread', '--umap-epochs', '--negative-sample-rate', '--umap-init']) expect(help.stdout()).toContain(f);
    expect(help.stdout()).toMatch(/--map VALUE\s+map method.*\[tsne\|umap\] \(default tsne\)/);
    const io = capture();
    const runsDir = path.join(dir, 'refused');
    expect(await main(['run', '--dataset', 'iris', '--n-neighbors', '10', '--runs-dir', runsDir], io)).toBe(2);
    expect(io.stderr()).toMatch(/nNeighbors.*applies only with --map umap/);
    await expect(readdir(runsDir)).rejects.toThrow();
  });
});

describe('a UMAP run', () => {
  let result: Awaited<ReturnType<typeof runPipeline>>;
  const stages = new Set<string>();

  beforeAll(async () => {
    result = await runPipeline(umapRun(), { onProgress: (_p, s) => stages.add(s) });
  });

  it('names its map stage umap in progress, timings and metrics', () => {
    const m = result.manifest;
    expect(stages.has('umap')).toBe(true);
    expect(stages.has('tsne')).toBe(false);
    expect(m.timings.umap).toBeGreaterThan(0);
    expect(m.timings.tsne).toBeUndefined();
    expect(m.metrics.tsne).toBeNull();
    expect(m.metrics.umap).toMatchObject({ epochs: 200, init: 'spectral' });
    expect(m.metrics.umap!.a).toBeCloseTo(1.577, 3);
    expect(m.config.map).toBe('umap');
    // iris's species separate in a UMAP map as in a t-SNE one
    expect(m.metrics.labelAccuracy).toBeGreaterThan(0.9);
    expect(m.metrics.trustworthiness).toBeGreaterThan(0.9);
  });

  it('gives the same map for the same seed', async () => {
    const again = await runPipeline(umapRun({ name: 'again' }));
    const a = tableFromIPC(await readFile(path.join(result.dir, 'points.arrow')));
    const b = tableFromIPC(await readFile(path.join(again.dir, 'points.arrow')));
    expect(Array.from(b.getChild('x')!.toArray() as Float32Array)).toEqual(Array.from(a.getChild('x')!.toArray() as Float32Array));
    expect(Array.from(b.getChild('y')!.toArray() as Float32Array)).toEqual(Array.from(a.getChild('y')!.toArray() as Float32Array));
  });

  it('transform places new rows with the UMAP transform and leaves the base points where they were', async () => {
    const input = path.join(dir, 'new-iris.csv');
    const src = (await readFile(path.join(import.meta.dirname, '../../../datasets/iris/iris.csv'), 'utf8')).split(/\r?\n/);
    await writeFile(input, [src[0], ...src.slice(1, 6), ...src.slice(101, 106)].join('\n'));
    const t = await transformRun({ run: result.dir, input, runsDir: dir, name: null, labelColumn: null, iterations: null, perplexity: null, id: null });
    expect(t.manifest.base).toBe(result.id);
    expect(t.manifest.metrics.transform).toEqual({ newRows: 10, epochs: 66 });
    expect(t.manifest.timings.umap).toBeGreaterThan(0);
    const before = tableFromIPC(await readFile(path.join(result.dir, 'points.arrow')));
    const after = tableFromIPC(await readFile(path.join(t.dir, 'points.arrow')));
    expect(after.numRows).toBe(160);
    for (const axis of ['x', 'y']) {
      const b = before.getChild(axis)!.toArray() as Float32Array;
      const a = after.getChild(axis)!.toArray() as Float32Array;
      expect(Array.from(a.subarray(0, 150))).toEqual(Array.from(b));
    }
    // the new rows copy rows 0-4 (setosa) and 100-104 (virginica): each lands among the map neighbours of the
    // row it copies (its twin is among its 10 nearest base points), and the setosa copies nearest a setosa point
    const xs = after.getChild('x')!.toArray() as Float32Array;
    const ys = after.getChild('y')!.toArray() as Float32Array;
    const label = after.getChild('label')!;
    for (let i = 150; i < 160; i++) {
      const twin = i < 155 ? i - 150 : i - 155 + 100;
      const order = Array.from({ length: 150 }, (_, j) => j).sort((a, b) => (xs[i]! - xs[a]!) ** 2 + (ys[i]! - ys[a]!) ** 2 - ((xs[i]! - xs[b]!) ** 2 + (ys[i]! - ys[b]!) ** 2));
      expect(order.slice(0, 10), `new row ${i}`).toContain(twin);
      if (i < 155) expect(label.get(order[0]!)).toBe('setosa');
    }
  });

  it('transform refuses t-SNE placement options on a UMAP run, and --epochs on a t-SNE run', async () => {
    const input = path.join(dir, 'one.csv');
    await writeFile(input, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n');
    await expect(transformRun({ run: result.dir, input, runsDir: dir, name: null, labelColumn: null, iterations: 100, perplexity: null, id: null })).rejects.toThrow(
      /is a UMAP map: --iterations and --perplexity place points into a t-SNE map; use --epochs/,
    );
    const tsneRun = await runPipeline(resolveConfig({ dataset: 'iris', reducer: 'pca', codeSize: 3, iterations: 250, runsDir: dir, backend: 'cpu', name: 'tsne' }));
    await expect(transformRun({ run: tsneRun.dir, input, runsDir: dir, name: null, labelColumn: null, iterations: null, perplexity: null, epochs: 10, id: null })).rejects.toThrow(
      /is a t-SNE map: --epochs places points into a UMAP map/,
    );
  });
});
