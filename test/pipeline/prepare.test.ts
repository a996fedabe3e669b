import { describe, expect, it } from 'vitest';
import { matchFeatures, applyPreprocessing, invertPreprocessing, prepare, type PrepareOptions } from '../../pipeline/prepare.js';
import { createRandom } from '../../pipeline/random.js';
import type { Dataset, Matrix, Preprocessing } from '../../pipeline/types.js';

const AUTO: PrepareOptions = { scaling: 'auto', missing: 'drop', loss: 'auto' };

function dataset(rows: number[][], columns?: string[], extra: Partial<Dataset> = {}): Dataset {
  const cols = rows[0]?.length ?? 0;
  return {
    name: 't',
    source: '/data/t.csv',
    matrix: { rows: rows.length, cols, values: Float32Array.from(rows.flat()) },
    columns: columns ?? Array.from({ length: cols }, (_, i) => `f${String.fromCharCode(97 + i)}`),
    metadata: [],
    sha256: 'x',
    ...extra,
  };
}

function randomDataset(rows: number, cols: number, seed: number, scale = 10, shift = 5): Dataset {
  const rnd = createRandom(seed);
  return dataset(Array.from({ length: rows }, () => Array.from({ length: cols }, () => rnd.normal() * scale + shift)));
}

function column(m: Matrix, c: number): number[] {
  return Array.from({ length: m.rows }, (_, r) => m.values[r * m.cols + c]!);
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));

describe('prepare: loss and scaling', () => {
  it('data in [0, 1] → BCE, left as they are', () => {
    const d = dataset([
      [0, 0.5],
      [1, 0.25],
      [0.5, 0.75],
      [0.25, 0],
    ]);
    const p = prepare(d, AUTO);
    expect(p.loss).toBe('bce');
    expect(p.report.scaling).toBe('none');
    expect(Array.from(p.matrix.values)).toEqual(Array.from(d.matrix.values));
    expect(p.preprocessing).toMatchObject({ kind: 'none', offset: [0, 0], scale: [1, 1], loss: 'bce' });
  });

  it('columns in different units (spreads 1, 100, 10,000) → MSE with standardization (mean 0, sd 1 per column)', () => {
    const d = randomDataset(200, 3, 1);
    for (let r = 0; r < 200; r++) {
      d.matrix.values[r * 3 + 1]! *= 100;
      d.matrix.values[r * 3 + 2]! *= 10000;
    }
    const p = prepare(d, AUTO);
    expect(p.loss).toBe('mse');
    expect(p.report.scaling).toBe('standardize');
    expect(p.report.scalingReason).toMatch(/do not share one unit/);
    // the reason names the widest column (where a label or an identifier read as a feature would show)
    expect(p.report.scalingReason).toMatch(new RegExp(`the largest is column "${d.columns[2]}"'s, sd \\d+\\.\\d\\d, the next \\d+\\.\\d\\d\\)`));
    for (let c = 0; c < 3; c++) {
      expect(mean(column(p.matrix, c))).toBeCloseTo(0, 5);
      expect(sd(column(p.matrix, c))).toBeCloseTo(1, 4);
    }
  });

  it('16 or more columns sharing one unit → one offset and scale for all (distances keep their proportions), BCE', () => {
    // four rows of 16 columns: the same three-column pattern repeated, values 10..40
    const base = [
      [10, 20, 40],
      [12, 26, 30],
      [15, 21, 35],
      [11, 28, 38],
    ];
    const d = dataset(base.map((r) => Array.from({ length: 16 }, (_, c) => r[c % 3]!)));
    const p = prepare(d, AUTO);
    expect([p.loss, p.report.scaling]).toEqual(['bce', 'uniform']);
    expect(p.report.scalingReason).toMatch(/share one unit/);
    expect(p.preprocessing.offset).toEqual(Array(16).fill(10));
    expect(p.preprocessing.scale).toEqual(Array(16).fill(30));
    const dist = (m: Matrix, a: number, b: number): number => Math.hypot(...Array.from({ length: 16 }, (_, c) => m.values[a * 16 + c]! - m.values[b * 16 + c]!));
    expect(dist(p.matrix, 0, 1) / dist(p.matrix, 2, 3)).toBeCloseTo(dist(d.matrix, 0, 1) / dist(d.matrix, 2, 3), 5);
  });

  it('a table of a few measurements in one unit (iris-like: 4 lengths) is standardized, and says why', () => {
    const d = randomDataset(50, 4, 9);
    const p = prepare(d, AUTO);
    expect([p.loss, p.report.scaling]).toEqual(['mse', 'standardize']);
    expect(p.report.scalingReason).toBe('a table of 4 varying columns (fewer than 16): each column is standardized, so no one measurement decides the distances');
  });

  it('two-valued columns beside a measurement (zoo-like: 15 truth values and legs 0-8) are standardized; all two-valued (votes) keep their geometry', () => {
    const rnd = createRandom(3);
    const legs = [0, 2, 4, 6, 8];
    const zoo = dataset(Array.from({ length: 100 }, () => [...Array.from({ length: 15 }, () => rnd.int(2)), legs[rnd.int(5)]!]));
    const p = prepare(zoo, AUTO);
    expect([p.loss, p.report.scaling]).toEqual(['mse', 'standardize']);
    expect(p.report.scalingReason).toBe('15 of the 16 varying columns take two values (indicators, truth values) beside columns of measurements, which are not one unit: each column is standardized');
    expect(p.report.scalingFigures!.twoValued).toBe(15);
    expect(sd(column(p.matrix, 15))).toBeCloseTo(1, 4);

    const votes = dataset(Array.from({ length: 100 }, () => Array.from({ length: 16 }, () => rnd.int(2))));
    const v = prepare(votes, AUTO);
    expect([v.loss, v.report.scaling]).toEqual(['bce', 'none']);
    expect(v.report.scalingFigures!.twoValued).toBe(16);
    expect(v.report.scalingReason).toMatch(/spreads are alike/);
  });

  describe('wide data in one unit whose spreads differ 50-fold', () => {
    // 20 columns; column c spreads 0.005 .. 0.25 (a factor of 50)
    const spreadOf = (c: number): number => 0.005 * 50 ** (c / 19);
    const build = (value: (rnd: ReturnType<typeof createRandom>, c: number) => number): Dataset => {
      const rnd = createRandom(5);
      return dataset(Array.from({ length: 300 }, () => Array.from({ length: 20 }, (_, c) => value(rnd, c))));
    };

    it('separate measurements (sonar-like: positive band energies in [0, 1], neither sparse nor centred) are standardized, and say why', () => {
      const p = prepare(
        build((rnd, c) => Math.min(1, Math.abs(2 * spreadOf(c) + spreadOf(c) * rnd.normal()))),
        AUTO,
      );
      expect([p.loss, p.report.scaling]).toEqual(['mse', 'standardize']);
      expect(p.report.scalingReason).toMatch(/^the columns share one unit but are separate measurements whose spreads differ/);
      expect(p.report.scalingFigures).toMatchObject({ columns: 20, atMinimum: expect.any(Number), meanOverSd: expect.any(Number) });
      expect(p.report.scalingFigures!.smallestRatio).toBeLessThan(0.1);
      for (const c of [0, 19]) expect(sd(column(p.matrix, c))).toBeCloseTo(1, 4);
    });

    it('sparse data (pixel-like: 60% of values at the background 0) keep their geometry', () => {
      const p = prepare(
        build((rnd, c) => (rnd.int(10) < 6 ? 0 : Math.abs(spreadOf(c) * 4 * rnd.normal()))),
        AUTO,
      );
      expect(p.report.scaling).not.toBe('standardize');
      expect(p.report.scalingReason).toMatch(/of the values sit at their column's minimum/);
      expect(p.report.scalingFigures!.atMinimum).toBeGreaterThan(0.5);
    });

    it('centred coordinates (PCA-score-like: mean 0, unequal spreads) keep their geometry: standardizing would whiten them', () => {
      const p = prepare(
        build((rnd, c) => spreadOf(19 - c) * 20 * rnd.normal()),
        AUTO,
      );
      expect([p.loss, p.report.scaling]).toEqual(['bce', 'uniform']);
      expect(p.report.scalingReason).toMatch(/centred coordinates/);
      const offsets = new Set(p.preprocessing.offset);
      expect(offsets.size).toBe(1); // one offset and one scale for every column
    });
  });

  it('--loss bce on wider one-unit data → uniform onto exactly [0, 1]; --scaling minmax with loss auto → BCE, each column onto [0, 1]', () => {
    const d = randomDataset(100, 16, 2);
    const uniform = prepare(d, { ...AUTO, loss: 'bce' });
    expect([uniform.loss, uniform.report.scaling]).toEqual(['bce', 'uniform']);
    const all = Array.from(uniform.matrix.values);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(1);
    const p = prepare(d, { ...AUTO, scaling: 'minmax' });
    expect([p.loss, p.report.scaling]).toEqual(['bce', 'minmax']);
    for (let c = 0; c < 16; c++) {
      const col = column(p.matrix, c);
      expect(Math.min(...col)).toBe(0);
      expect(Math.max(...col)).toBe(1);
    }
  });

  it('--loss mse on [0, 1] data keeps it as it is; --scaling none on wider data picks MSE', () => {
    expect(prepare(dataset([[0], [1], [0.5], [0.25]]), { ...AUTO, loss: 'mse' }).report.scaling).toBe('none');
    const p = prepare(randomDataset(20, 2, 3), { ...AUTO, scaling: 'none' });
    expect([p.loss, p.report.scaling]).toEqual(['mse', 'none']);
  });

  it('BCE with a scaling that leaves [0, 1] is an InputError naming the loss', () => {
    const d = randomDataset(50, 2, 4);
    expect(() => prepare(d, { ...AUTO, loss: 'bce', scaling: 'standardize' })).toThrow(/field "loss": bce needs every input in \[0, 1\], but with --scaling standardize the values range from/);
    expect(() => prepare(d, { ...AUTO, loss: 'bce', scaling: 'none' })).toThrow(/field "loss"/);
  });

  it('constant columns stay finite (scale 1) and are reported', () => {
    const d = dataset([
      [7, 1, 0],
      [7, 2, 0],
      [7, 3, 0],
      [7, 4, 0],
    ]);
    for (const opts of [AUTO, { ...AUTO, scaling: 'minmax' as const }, { ...AUTO, scaling: 'standardize' as const }]) {
      const p = prepare(d, opts);
      expect(p.report.constantColumns).toEqual(['fa', 'fc']);
      expect(p.matrix.values.every(Number.isFinite)).toBe(true);
      const first = column(p.matrix, 0);
      expect(first).toEqual([first[0], first[0], first[0], first[0]]);
      if (opts.scaling !== 'auto') expect(first).toEqual([0, 0, 0, 0]);
    }
  });
});

describe('prepare: missing values', () => {
  const holes = dataset([
    [1, 10],
    [NaN, 20],
    [3, NaN],
    [5, 40],
  ]);

  it('drop (default): rows with a missing value go, rowIndex names the rows kept', () => {
    const p = prepare(dataset([[1, 10], [NaN, 20], [3, NaN], [5, 40], [6, 50], [7, 60], [8, 70]]), AUTO);
    expect(Array.from(p.rowIndex)).toEqual([0, 3, 4, 5, 6]);
    expect(p.report).toMatchObject({ rows: 7, keptRows: 5, droppedRows: 2, imputedValues: 0, missingByColumn: { fa: 1, fb: 1 } });
  });

  it('mean and zero impute, keep every row, and save the fill values for new rows', () => {
    const m = prepare(holes, { ...AUTO, missing: 'mean', scaling: 'none' });
    expect(m.report).toMatchObject({ keptRows: 4, imputedValues: 2 });
    expect(Array.from(m.matrix.values)).toEqual([1, 10, 3, 20, 3, 70 / 3, 5, 40].map(Math.fround));
    expect(m.preprocessing.fill).toEqual([3, 70 / 3]);
    const z = prepare(holes, { ...AUTO, missing: 'zero', scaling: 'none' });
    expect(Array.from(z.matrix.values)).toEqual([1, 10, 0, 20, 3, 0, 5, 40]);
  });

  it('error names the first row and column', () => {
    expect(() => prepare(holes, { ...AUTO, missing: 'error' })).toThrow(/\/data\/t\.csv, field "fa": row 2 has no value in column "fa" \(2 missing values in all\); choose --missing drop, mean or zero/);
  });

  it('dropping every row, or having fewer rows than a map needs, is an InputError', () => {
    const allHoles = dataset([
      [NaN, 1],
      [2, NaN],
      [NaN, 3],
      [4, NaN],
    ]);
    expect(() => prepare(allHoles, AUTO)).toThrow(/every row has a missing value .* use --missing mean or zero/);
    for (const rows of [1, 2, 3]) {
      expect(() => prepare(dataset(Array.from({ length: rows }, (_, r) => [r, 2 * r])), AUTO)).toThrow(`/data/t.csv: a map needs at least 4 rows; the data has ${rows === 1 ? '1 row' : `${rows} rows`}: add rows`);
    }
  });

  it('an infinite value is refused', () => {
    expect(() => prepare(dataset([[1], [Infinity], [2], [3]]), AUTO)).toThrow(/row 2, column "fa" is infinite/);
  });
});

describe('applyPreprocessing / invertPreprocessing', () => {
  it('reapplying the saved preprocessing (through JSON) to the kept rows gives the prepared matrix; inverting restores them', () => {
    const d = randomDataset(60, 4, 9, 3, -2);
    for (const opts of [AUTO, { ...AUTO, loss: 'bce' as const }]) {
      const p = prepare(d, opts);
      const saved = JSON.parse(JSON.stringify(p.preprocessing)) as Preprocessing;
      const again = applyPreprocessing(d.matrix, saved);
      for (let i = 0; i < again.values.length; i++) expect(again.values[i]).toBeCloseTo(p.matrix.values[i]!, 5);
      const back = invertPreprocessing(again, saved);
      for (let i = 0; i < back.values.length; i++) expect(back.values[i]).toBeCloseTo(d.matrix.values[i]!, 4);
    }
  });

  it('fills missing values of new rows with the saved fill value', () => {
    const p = prepare(
      dataset([
        [0, 2],
        [4, 6],
        [0, 6],
        [4, 2],
      ]),
      { ...AUTO, scaling: 'standardize', missing: 'mean' },
    );
    const y = applyPreprocessing({ rows: 1, cols: 2, values: Float32Array.of(NaN, 6) }, p.preprocessing);
    expect(y.values[0]).toBeCloseTo(0, 6); // the mean, standardized
  });

  it('a width mismatch is an InputError', () => {
    const p = prepare(dataset([[0, 1], [1, 0], [0.5, 0.5], [0, 0]]), AUTO);
    expect(() => applyPreprocessing({ rows: 1, cols: 3, values: new Float32Array(3) }, p.preprocessing)).toThrow(/the rows have 3 columns but the run was trained on 2/);
  });
});

describe('matchFeatures', () => {
  it('picks the run’s columns by name, in the run’s order, ignoring extra columns and case', () => {
    const d = dataset([[1, 2, 3]], ['b', 'extra', 'A']);
    expect(matchFeatures(d, ['a', 'b'])).toEqual([2, 0]);
  });

  it('falls back to position when the widths match and the names are generic', () => {
    const d = dataset([[1, 2]], ['col_1', 'col_2']);
    expect(matchFeatures(d, ['sepal', 'petal'])).toEqual([0, 1]);
    const pixels = dataset([[5, 6]], ['pixel_0', 'pixel_1']);
    expect(matchFeatures(pixels, ['col_1', 'col_2'])).toEqual([0, 1]);
  });

  it('a missing feature is an InputError naming it (and saying when it became the label)', () => {
    const d = dataset([[1, 2]], ['a', 'b']);
    expect(() => matchFeatures(d, ['a', 'c'])).toThrow(/\/data\/t\.csv, field "c": column "c" is missing, but the run was trained on it; the numeric columns here are: "a", "b"/);
    const labelled = dataset([[1]], ['a'], { label: { name: 'y', kind: 'number', values: Float64Array.of(1) } });
    expect(() => matchFeatures(labelled, ['a', 'y'])).toThrow(/column "y" is not numeric here \(it was taken as the label column\)/);
  });
});

describe('the note for rows dropped for missing values', () => {
  it('counts them against all rows, and names the options that keep them when they are a tenth or more', async () => {
    const { droppedRowsNote } = await import('../../pipeline/prepare.js');
    expect(droppedRowsNote(11, 344)).toBe('dropped 11 of 344 rows with missing values (--missing drop)');
    expect(droppedRowsNote(203, 435)).toBe(
      "dropped 203 of 435 rows with missing values (--missing drop); --missing mean or --missing zero keeps them, filling each gap with its column's mean or 0",
    );
  });
});
