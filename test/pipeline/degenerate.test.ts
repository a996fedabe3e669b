// Kind 7: degenerate data. One minimum-row rule for every reducer; constant features and values float32
// training cannot square are refused naming the columns, and the remedy the message names works.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { MIN_ROWS } from '../../pipeline/min-rows.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import { createRandom } from '../../pipeline/random.js';
import type { RunConfig } from '../../pipeline/types.js';

let dir: string;
let runs: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-degenerate-'));
  runs = path.join(dir, 'runs');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, header: string, rows: string[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, `${header}\n${rows.join('\n')}\n`);
  return p;
}

const config = (input: string, over: Partial<RunConfig> = {}): RunConfig =>
  resolveConfig({ input, codeSize: 2, ...(over.map === 'umap' ? {} : { iterations: 250 }), runsDir: runs, backend: 'cpu', seed: 1, ...over });

async function visibleRuns(): Promise<string[]> {
  try {
    return (await readdir(runs)).filter((e) => !e.startsWith('.'));
  } catch {
    return [];
  }
}

describe('degenerate data', () => {
  it(`states one minimum row count (${MIN_ROWS}) for 1, 2 and 3 rows, every reducer and both map methods, and writes nothing`, async () => {
    const rnd = createRandom(2);
    for (const n of [1, 2, 3]) {
      const p = await csv(`tiny_${n}.csv`, 'm1,m2,m3,label', Array.from({ length: n }, () => `${rnd().toFixed(3)},${rnd().toFixed(3)},${rnd().toFixed(3)},a`));
      const variants: Partial<RunConfig>[] = [{ reducer: 'autoencoder', layers: [4], epochs: 2 }, { reducer: 'pca' }, { reducer: 'none' }, { reducer: 'none', map: 'umap' }];
      for (const over of variants) {
        await expect(runPipeline(config(p, over))).rejects.toThrow(
          `${p}: a map needs at least 4 rows; the data has ${n === 1 ? '1 row' : `${n} rows`}: add rows`,
        );
      }
    }
    expect(await visibleRuns()).toEqual([]);
  });

  it('refuses data whose every feature column is constant', async () => {
    const p = await csv('zeros.csv', 'a,b,c,label', Array.from({ length: 200 }, (_, i) => `0,0,0,${i % 2 ? 'x' : 'y'}`));
    await expect(runPipeline(config(p, { reducer: 'pca' }))).rejects.toThrow(/every feature column is constant \("a" = 0, "b" = 0, "c" = 0\): all 200 rows are the same point/);
    expect(await visibleRuns()).toEqual([]);
  });

  it('names a constant column among varying ones in its notes, and keeps it (an outside tester read only "1 constant columns kept")', async () => {
    const rnd = createRandom(5);
    const p = await csv('one_constant.csv', 'x1,x2,k,x3,label', Array.from({ length: 40 }, (_, i) => `${rnd().toFixed(3)},${rnd().toFixed(3)},5,${rnd().toFixed(3)},${i % 2 ? 'a' : 'b'}`));
    const logged: string[] = [];
    const result = await runPipeline(config(p, { reducer: 'pca', runsDir: path.join(dir, 'runs-constant') }), { log: (l) => logged.push(l) });
    expect(result.manifest.notes).toContain('column "k" is constant: kept, it adds nothing to the distances');
    expect(logged.join('\n')).toContain('column "k" is constant');
    expect(result.manifest.dataset.features).toContain('k');
  });

  it('refuses --scaling none on values near 1e30 and 1e-30 naming the columns and the scaling that works, which then does', async () => {
    const rnd = createRandom(3);
    const rows = Array.from({ length: 60 }, (_, i) => `${(rnd.normal() * 3e29).toExponential(6)},${(rnd.normal() * 5e-31).toExponential(6)},${(rnd.normal() * 50).toFixed(3)},c${i % 3}`);
    const p = await csv('huge_tiny.csv', 'huge,tiny,mid,label', rows);
    await expect(runPipeline(config(p, { scaling: 'none', reducer: 'pca' }))).rejects.toThrow(
      /field "scaling": with --scaling none, "huge" \(up to [\d.]+e\+29\) is too large and "tiny" \(at most [\d.]+e-30\) is too small to train on unscaled .*use --scaling standardize/,
    );
    expect(await visibleRuns()).toEqual([]);
    const ok = await runPipeline(config(p, { scaling: 'standardize', layers: [4], epochs: 3 }));
    expect(ok.manifest.dataset.rows).toBe(60);
    expect(Number.isFinite(ok.manifest.metrics.tsne?.kl ?? NaN)).toBe(true);
  });
});
