import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { loadDataset } from '../../pipeline/load/index.js';
import { runPipeline, selectRows } from '../../pipeline/pipeline.js';
import { planPrepare, prepare, type PrepareOptions } from '../../pipeline/prepare.js';
import { preparedInput } from '../../pipeline/prepared-input.js';
import { runQuality } from '../../pipeline/quality.js';
import { createRandom, deriveSeed } from '../../pipeline/random.js';
import { readCodes, writeData } from '../../pipeline/runs/artifacts.js';
import type { Dataset } from '../../pipeline/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-prepared-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** rows x cols of seeded values, every 7th value missing (NaN), and a numeric metadata column. */
function messy(rows: number, cols: number, seed: number, spread: (c: number) => number): Dataset {
  const r = createRandom(seed);
  const values = new Float32Array(rows * cols);
  for (let t = 0; t < values.length; t++) values[t] = t % 7 === 3 ? NaN : r.normal() * spread(t % cols) + 3;
  return {
    name: 'messy',
    source: '/data/messy.csv',
    matrix: { rows, cols, values },
    columns: Array.from({ length: cols }, (_, c) => `f${c}`),
    metadata: [{ name: 'weight', kind: 'number', values: Float64Array.from({ length: rows }, (_, i) => i / 2) }],
    sha256: 'x',
  };
}

/** Writes the kept rows' original values as a run does, scales in place, and returns both ends. */
async function prepared(d: Dataset, opts: PrepareOptions, name: string) {
  const expected = prepare(d, opts).matrix.values.slice();
  const plan = planPrepare(d, opts);
  const runDir = path.join(dir, name);
  await (await import('node:fs/promises')).mkdir(runDir);
  await writeData(runDir, d.matrix, plan.rowIndex, plan.rowIndex);
  const x = plan.scale(true);
  return { expected, plan, x, dataFile: path.join(runDir, 'data.arrow') };
}

describe('the prepared input released for the map stage and read back', () => {
  const cases: [string, PrepareOptions, (c: number) => number][] = [
    ['standardized, missing values imputed with the mean', { scaling: 'standardize', missing: 'mean', loss: 'auto' }, (c) => 1 + c],
    ['min-max for BCE (clamped to [0, 1]), rows with missing values dropped', { scaling: 'minmax', missing: 'drop', loss: 'bce' }, () => 2],
    ['kept geometry (uniform), zeros imputed', { scaling: 'uniform', missing: 'zero', loss: 'auto' }, () => 5],
  ];
  for (const [what, opts, spread] of cases) {
    it(`gives back the same float32 rows, bit for bit: ${what}`, async () => {
      const d = messy(300, 6, 11, spread);
      const { expected, plan, x, dataFile } = await prepared(d, opts, what.replace(/\W+/g, '-'));
      const input = preparedInput(x, { dataFile, plan, dataset: d, exact: true });
      const bytes = d.matrix.values.buffer.byteLength;
      expect(input.release()).toBe(bytes);
      expect(x.values.length).toBe(0); // detached: its memory is gone
      const back = await input.get();
      expect(back.rows).toBe(plan.rowIndex.length);
      expect(Buffer.from(back.values.buffer, 0, back.values.byteLength).equals(Buffer.from(expected.buffer))).toBe(true);
      expect(input.memory).not.toBeNull(); // read into a WebAssembly memory, for the metrics' search to work in
      expect(back.values.buffer).toBe(input.memory!.buffer);
      expect((await input.get()).values).toEqual(back.values); // read once
    });
  }

  it('keeps the matrix when a column the run still writes views its buffer, or the data file is not its source', async () => {
    const d = messy(120, 4, 3, () => 1);
    const { x, plan, dataFile } = await prepared(d, { scaling: 'standardize', missing: 'mean', loss: 'auto' }, 'shared');
    const sharing: Dataset = { ...d, metadata: [{ name: 'view', kind: 'number', values: new Float64Array(d.matrix.values.buffer, 0, 10) }] };
    expect(preparedInput(x, { dataFile, plan, dataset: sharing, exact: true }).release()).toBe(0);
    const centred = preparedInput(x, { dataFile, plan, dataset: d, exact: false });
    expect(centred.release()).toBe(0);
    expect(await centred.get()).toBe(x);
    expect(x.values.length).toBe(120 * 4);
  });
});

describe('a run releases its input for the map stage', () => {
  it('and its metrics are those of the prepared input it trained on (iris, PCA codes, both perplexities)', async () => {
    const lines: string[] = [];
    const config = resolveConfig({ dataset: 'iris', reducer: 'pca', codeSize: 2, iterations: 250, runsDir: dir, backend: 'cpu' });
    const result = await runPipeline(config, { log: (m) => lines.push(m) });
    expect(lines.some((l) => /^released the prepared input \(\d+ MB\) for the map stage/.test(l))).toBe(true);
    const dataset = await loadDataset({ dataset: 'iris', input: null, labelColumn: null, dataDir: null, limit: null });
    const x = prepare(dataset, { scaling: config.scaling, missing: config.missing, loss: config.loss });
    const { codes } = await readCodes(result.dir);
    const points = tableFromIPC(await readFile(path.join(result.dir, 'points.arrow')));
    const px = points.getChild('x')!.toArray() as Float32Array;
    const py = points.getChild('y')!.toArray() as Float32Array;
    const embedding = new Float32Array(2 * px.length);
    for (let i = 0; i < px.length; i++) [embedding[2 * i], embedding[2 * i + 1]] = [px[i]!, py[i]!];
    const labels = selectRows(dataset.label!, x.rowIndex).values;
    const q = await runQuality(x.matrix, codes, embedding, labels, { k: 10, sample: config.metricsSample, seed: deriveSeed(config.seed, 'metrics') });
    const m = result.manifest.metrics;
    expect(m.trustworthiness).toBe(q.trustworthiness);
    expect(m.knnPreservation).toBe(q.knnPreservation);
    expect(m.labelAccuracy).toBe(q.labelAccuracy);
    expect(m.codes).toEqual(q.codes);
    expect(Array.from(points.getChild('preservation')!.toArray() as Float32Array)).toEqual(Array.from(q.preservation));
  });
});
