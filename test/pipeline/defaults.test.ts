// Every built-in dataset runs with the default configuration; the automatic choices are recorded with their
// reasons; the metrics judge the map against the prepared input; the README's configuration example runs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../pipeline/cli.js';
import { resolveConfig } from '../../pipeline/config.js';
import { listDatasets } from '../../pipeline/load/builtin.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import type { RunConfig } from '../../pipeline/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-defaults-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Rows used per built-in: all of the small tables, a slice of the image sets (every digit is in it). */
const LIMIT: Record<string, number | null> = { iris: null, penguins: null, mnist: 1000, 'fashion-mnist': 1000 };

describe('every built-in dataset with the default configuration', async () => {
  const available = (await listDatasets()).filter((d) => d.available).map((d) => d.name);
  it('lists the small tables and mnist as available', () => {
    expect(available).toEqual(expect.arrayContaining(['iris', 'penguins', 'mnist']));
  });
  for (const name of available) {
    it(`${name}: succeeds, records each automatic choice with its reason, and judges the map against the input`, async () => {
      const limit = LIMIT[name] ?? null;
      const config = resolveConfig({ dataset: name, ...(limit ? { limit } : {}), runsDir: dir });
      expect(config).toMatchObject({ reducer: 'auto', codeSize: 'auto', layers: 'auto', scaling: 'auto' });
      const logs: string[] = [];
      const { manifest: m, dir: runDir } = await runPipeline(config, { log: (l) => logs.push(l) });
      for (const key of ['reducer', 'codeSize', 'layers', 'scaling']) {
        expect(m.choices![key], key).toMatchObject({ auto: true });
        expect(m.choices![key]!.reason.length, key).toBeGreaterThan(10);
      }
      expect(['autoencoder', 'pca', 'none']).toContain(m.choices!.reducer!.value);
      expect(m.choices!.reducer!.figures).toMatchObject({ rows: m.dataset.rows, columns: m.dataset.columns });
      expect(logs.some((l) => l.startsWith(`auto reducer: ${String(m.choices!.reducer!.value)}: `))).toBe(true);
      // the autoencoder's inputs are moved by a pixel only for pictures inside their frame (MNIST's digits)
      expect(m.choices!.augmentShift, 'augmentShift').toMatchObject({ auto: true, value: name === 'mnist' ? 1 : 0 });
      if (name === 'fashion-mnist') expect(m.choices!.augmentShift!.reason).toMatch(/reach the frame's edge in 9\d\.\d% of the rows/);
      if (name === 'iris') expect(m.choices!.augmentShift!.reason).toMatch(/not images/);
      // 1,000 images are too few values for an autoencoder candidate: the shift is said to be unused, and not logged
      if (name === 'mnist') expect(m.choices!.augmentShift!.reason).toMatch(/\(not used: no autoencoder was trained \(auto chose (pca|none)\)\)$/);
      expect(logs.some((l) => l.startsWith('augment shift'))).toBe(false);
      // the headline metrics are the map against the prepared input; the codes' and the map-vs-codes figures beside them
      expect(m.metrics.trustworthiness).toBeGreaterThan(0.9);
      expect(m.metrics.labelAccuracy).toBeGreaterThan(0.6);
      expect(m.metrics.codes!.trustworthiness).toBeGreaterThan(0.8);
      expect(m.metrics.mapVsCodes!.trustworthiness).toBeGreaterThan(0.8);
      const points = tableFromIPC(await readFile(path.join(runDir, 'points.arrow')));
      const pres = points.getChild('preservation')!.toArray() as Float32Array;
      expect(pres).toHaveLength(m.dataset.rows);
      expect(pres.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(pres.reduce((s, v) => s + v, 0) / pres.length).toBeCloseTo(m.metrics.knnPreservation!, 5);
    }, 300_000);
  }

  it('an autoencoder that trains says in the log how its inputs are moved (MNIST: by a pixel)', async () => {
    const logs: string[] = [];
    const config = resolveConfig({ dataset: 'mnist', limit: 300, reducer: 'autoencoder', epochs: 2, runsDir: dir });
    const { manifest: m } = await runPipeline(config, { log: (l) => logs.push(l) });
    expect(m.choices!.augmentShift).toMatchObject({ value: 1, auto: true });
    expect(logs).toContain(`augment shift 1: ${m.choices!.augmentShift!.reason}`);
    expect(m.choices!.augmentShift!.reason).toMatch(/^28x28 images that sit inside their frame/);
  }, 300_000);

  it('iris and penguins (4 columns) get t-SNE on the prepared columns, standardized: penguins (mm beside g) and iris (a few measurements)', async () => {
    const runs = await Promise.all(['iris', 'penguins'].map((d) => runPipeline(resolveConfig({ dataset: d, runsDir: dir }))));
    const [iris, penguins] = runs.map((r) => r.manifest);
    expect(iris!.choices!.reducer!.value).toBe('none');
    expect(iris!.choices!.scaling!.value).toBe('standardize');
    expect(iris!.choices!.scaling!.reason).toMatch(/^a table of 4 varying columns \(fewer than 16\)/);
    expect(penguins!.choices!.scaling!.value).toBe('standardize');
    expect(penguins!.choices!.scaling!.reason).toMatch(/do not share one unit/);
    expect(iris!.metrics.codes).toEqual({ trustworthiness: 1, knnPreservation: 1 });
    // small labelled maps: t-SNE at perplexity 30 and 10, both measured, the kept one's figures are the run's
    for (const m of [iris!, penguins!]) {
      const ch = m.choices!.perplexity!;
      expect(ch.auto).toBe(true);
      expect([30, 10]).toContain(ch.value);
      const candidates = (ch.figures as { candidates: Record<string, { trustworthiness: number; labelAccuracy: number }> }).candidates;
      expect(Object.keys(candidates).sort()).toEqual(['10', '30']);
      expect(candidates[String(ch.value)]!.trustworthiness).toBeCloseTo(m.metrics.trustworthiness!, 10);
      expect(candidates[String(ch.value)]!.labelAccuracy).toBeCloseTo(m.metrics.labelAccuracy!, 10);
      expect(m.config.perplexity).toBe('auto');
    }
  }, 300_000);
});

describe('a table of y/n answers with no column of numbers (UCI house votes as R writes it)', () => {
  it('runs with defaults: the truth values are the features, NA votes drop their rows with a note, and the parties separate', async () => {
    // 200 rows, 8 votes: each party votes its own way on each bill with probability 0.85; every 10th row has an NA
    let s = 7;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const lines = ['"Class","V1","V2","V3","V4","V5","V6","V7","V8"'];
    for (let r = 0; r < 200; r++) {
      const party = r % 2 === 0 ? 'democrat' : 'republican';
      const votes: string[] = Array.from({ length: 8 }, (_, v) => ((v % 2 === 0) === (party === 'democrat') ? rnd() < 0.85 : rnd() < 0.15) ? '"y"' : '"n"');
      if (r % 10 === 3) votes[r % 8] = 'NA';
      lines.push([`"${party}"`, ...votes].join(','));
    }
    const csv = path.join(dir, 'votes.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const logs: string[] = [];
    const { manifest: m } = await runPipeline(resolveConfig({ input: csv, runsDir: dir }), { log: (l) => logs.push(l) });
    expect(m.dataset.features).toEqual(['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8']);
    expect(m.dataset.rows).toBe(180);
    expect(m.notes).toEqual(expect.arrayContaining([expect.stringMatching(/^"V1", "V2", .* hold truth values \(true\/false, yes\/no\): used as 0\/1 features$/), "dropped 20 of 200 rows with missing values (--missing drop); --missing mean or --missing zero keeps them, filling each gap with its column's mean or 0"]));
    expect(m.metrics.labelAccuracy).toBeGreaterThan(0.9);
  }, 300_000);
});

describe('autoencoder options under reducer auto', () => {
  it('are accepted, and the manifest says they were not used when auto chose another reducer', async () => {
    const { manifest: m } = await runPipeline(resolveConfig({ dataset: 'iris', epochs: 7, variant: 'vae', runsDir: dir }));
    expect(m.choices!.reducer!.value).toBe('none');
    expect(m.choices!.reducer!.figures).toMatchObject({ autoencoderOptionsUsed: false, unusedOptions: ['variant', 'epochs'] });
  }, 300_000);
});

describe("the README's configuration example", () => {
  it('runs as written on a 20-column table (only the input path changed)', async () => {
    const readme = await readFile(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /```yaml\n(# nightly\.yaml\n[\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const doc = YAML.parse(block![1]!) as Record<string, unknown>;
    expect(doc.input).toBeTypeOf('string');
    // 300 customers x 20 numeric columns in three segments, plus the label column the example names
    const header = [...Array.from({ length: 20 }, (_, c) => `f${c}`), String(doc.labelColumn)];
    const lines = [header.join(',')];
    let s = 7;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let r = 0; r < 300; r++) {
      const seg = r % 3;
      lines.push([...Array.from({ length: 20 }, (_, c) => (seg * 3 + (c % 5) * 0.1 * seg + rnd()).toFixed(3)), `s${seg}`].join(','));
    }
    const csv = path.join(dir, 'customers.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    const job = path.join(dir, 'nightly.yaml');
    await writeFile(job, YAML.stringify({ ...doc, input: csv, runsDir: path.join(dir, 'nightly-runs') }));
    const config: RunConfig = resolveConfig(await readConfigFile(job));
    const { manifest: m } = await runPipeline(config);
    expect(m.dataset).toMatchObject({ rows: 300, columns: 20 });
    expect(m.metrics.labelAccuracy).toBeGreaterThan(0.9);
  }, 300_000);
});

describe('reducer auto where reducing pays', () => {
  it('records how the autoencoder candidate trained (epochs, trainer, threads) among its figures, chosen or not', async () => {
    const { fitRunReducer } = await import('../../pipeline/reduce/choose.js');
    const { createRandom } = await import('../../pipeline/random.js');
    const rnd = createRandom(5);
    const n = 1000;
    const d = 1000;
    // no low-rank structure: PCA keeps little, so the autoencoder is trained as a candidate
    const values = Float32Array.from({ length: n * d }, () => rnd.normal());
    const config = resolveConfig({ dataset: 'x', runsDir: dir, backend: 'cpu', epochs: 2, layers: [64] });
    const { reducer, choices } = await fitRunReducer({ rows: n, cols: d, values }, { config, loss: 'mse' });
    try {
      const figures = choices.reducer!.figures as { candidates: Record<string, { training?: Record<string, unknown> }> };
      expect(Object.keys(figures.candidates).sort()).toEqual(['autoencoder', 'pca']);
      expect(figures.candidates.pca!.training).toBeUndefined();
      expect(figures.candidates.autoencoder!.training).toMatchObject({ epochs: 2, trainer: 'engine', workers: 2 });
      expect(figures.candidates.autoencoder!.training!.bestEpoch).toBeGreaterThanOrEqual(1);
    } finally {
      reducer.dispose();
    }
  }, 300_000);

  it('measures PCA on a sample, uses it when it keeps the neighbourhoods, and spares the autoencoder\'s training when PCA keeps nearly all (1,000 x 1,000, rank 5)', async () => {
    const { fitRunReducer } = await import('../../pipeline/reduce/choose.js');
    const { createRandom } = await import('../../pipeline/random.js');
    const rnd = createRandom(3);
    const n = 1000;
    const d = 1000;
    const z = Float32Array.from({ length: n * 5 }, () => rnd.normal());
    const w = Float32Array.from({ length: 5 * d }, () => rnd.normal());
    const values = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) for (let t = 0; t < 5; t++) values[i * d + j]! += z[i * 5 + t]! * w[t * d + j]!;
    const logs: string[] = [];
    const config = resolveConfig({ dataset: 'x', runsDir: dir, backend: 'cpu', epochs: 20 });
    const { reducer, choices } = await fitRunReducer({ rows: n, cols: d, values }, { config, loss: 'mse' }, { log: (l) => logs.push(l) });
    try {
      const figures = choices.reducer!.figures as { candidates: Record<string, { trustworthiness: number }>; autoencoderOptionsUsed: boolean; autoencoder: string };
      expect(Object.keys(figures.candidates)).toEqual(['pca']);
      expect(figures.candidates.pca!.trustworthiness).toBeGreaterThan(0.995);
      expect(figures.autoencoder).toMatch(/^not trained: PCA already keeps trustworthiness/);
      expect(choices.reducer!.value).toBe('pca');
      expect(reducer.name).toBe('pca');
      expect(reducer.codeSize).toBe(32);
      expect(figures.autoencoderOptionsUsed).toBe(false);
      expect(choices.reducer!.reason).toMatch(/^pca keeps trustworthiness (1\.0000|0\.99\d+) of the input's neighbourhoods/);
      expect(logs.filter((l) => l.startsWith('auto reducer: ') && l.includes('keeps trustworthiness'))).toHaveLength(3); // PCA measured, autoencoder spared, the choice
    } finally {
      reducer.dispose();
    }
  }, 600_000);
});

describe('reducer auto where PCA denoises', () => {
  it('takes PCA on a table whose classes live in 6 of 156 columns and the other 150 are noise, with labels and without, though reducing does not pay', async () => {
    const { fitRunReducer } = await import('../../pipeline/reduce/choose.js');
    const { createRandom } = await import('../../pipeline/random.js');
    const rnd = createRandom(5);
    const n = 1200;
    const d = 156; // 1200 x 156 = 187,200 values: reducing does not pay
    const values = new Float32Array(n * d);
    const labels: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      labels.push(`c${c}`);
      for (let j = 0; j < d; j++) values[i * d + j] = (j < 6 && j % 3 === c ? 1.2 : 0) + rnd.normal() * 0.5;
    }
    const config = resolveConfig({ dataset: 'x', runsDir: dir, seed: 1 });
    for (const withLabels of [true, false]) {
      const { reducer, choices } = await fitRunReducer({ rows: n, cols: d, values }, { config, loss: 'mse', labels: withLabels ? labels : null });
      try {
        expect(choices.reducer!.value).toBe('pca');
        expect(reducer.codeSize).toBe(32);
        const figures = choices.reducer!.figures as { candidates: { pca: { trustworthiness: number; labelShare?: number; inputLabelShare?: number } }; pcaLeftOut: { varianceShare: number; components: number } };
        expect(figures.candidates.pca.trustworthiness).toBeLessThan(0.97); // below KEEP_MIN: the old rule kept the columns
        expect(figures.pcaLeftOut.varianceShare).toBeGreaterThan(0.5);
        expect(figures.pcaLeftOut.components).toBeGreaterThanOrEqual(32);
        if (withLabels) {
          expect(figures.candidates.pca.labelShare! - figures.candidates.pca.inputLabelShare!).toBeGreaterThan(0.05);
          expect(choices.reducer!.reason).toMatch(/^PCA's 32 components denoise the 156 prepared columns: a sampled row's nearest neighbours share its label 0\.\d{3} of the time in PCA's codes/);
        } else {
          expect(figures.candidates.pca.labelShare).toBeUndefined();
          expect(choices.reducer!.reason).toMatch(/^PCA denoises the 156 prepared columns: its 32 components keep \d+\.\d% of the variance and the \d+\.\d% left out spreads over at least \d+ components/);
        }
      } finally {
        reducer.dispose();
      }
    }
  }, 120_000);
});
