import { describe, expect, it } from 'vitest';
import { addableFeatures, autoFeatureCharts, chartColumns, chartedFeatures, FEATURE_CHARTS, parseFilters } from '../../web/src/app/filters.js';
import { numberColumn, numericCategoryColumn, type DecodedPoints } from '../../web/src/points.js';
import { barLabels } from '../../web/src/ui/filter-charts.js';

const WINE = ['alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids', 'nonflavanoid_phenols', 'proanthocyanins', 'color_intensity', 'hue', 'od280/od315_of_diluted_wines', 'proline'];

describe('filter charts: which columns', () => {
  it('charts a table’s input features besides label and preservation (wine: all 13), not only point columns', () => {
    const charted = chartedFeatures(WINE, [], [], WINE, autoFeatureCharts(178));
    expect(charted).toEqual(WINE.map((n) => `feature:${n}`));
    expect(addableFeatures(WINE, charted)).toEqual([]);
    // the point columns stay as they were, a fetched feature is not counted among them twice
    const n = 3;
    const points = {
      n,
      columns: [numericCategoryColumn('label', [0, 1, 2]), numberColumn('preservation', Float64Array.of(0.1, 0.5, 0.9)), numberColumn('feature:alcohol', Float64Array.of(12, 13, 14))],
    } as unknown as DecodedPoints;
    expect(chartColumns(points).map((c) => c.name)).toEqual(['label', 'preservation']);
  });

  it('keeps the clusters among the charts, after the label, however many metadata columns the table has (penguins: cut off before)', () => {
    const n = 3;
    const num = (name: string) => numberColumn(name, Float64Array.of(1, 2, 3));
    const cat = (name: string) => numericCategoryColumn(name, [0, 1, 0]);
    const points = {
      n,
      columns: [cat('label'), num('error'), num('preservation'), cat('island'), cat('sex'), num('year'), cat('cluster')],
    } as unknown as DecodedPoints;
    expect(chartColumns(points).map((c) => c.name)).toEqual(['label', 'cluster', 'error', 'preservation', 'island', 'sex']);
    // no clusters found: as before
    expect(chartColumns({ ...points, columns: points.columns.slice(0, 6) } as DecodedPoints).map((c) => c.name)).toEqual(['label', 'error', 'preservation', 'island', 'sex', 'year']);
    // no label: the clusters first
    expect(chartColumns({ ...points, columns: points.columns.slice(1) } as DecodedPoints).map((c) => c.name)[0]).toBe('cluster');
  });

  it('on image runs (pixels: no table features) charts none at once; a pixel added by name, or filtered in the URL, is charted', () => {
    const pixels = Array.from({ length: 784 }, (_, i) => `pixel${i}`);
    const filters = parseFilters('feature%3Apixel300:0.2..1;label:3');
    const charted = chartedFeatures([], ['pixel400', 'nope'], filters, pixels);
    expect(charted).toEqual(['feature:pixel400', 'feature:pixel300']);
    const addable = addableFeatures(pixels, charted);
    expect(addable).toHaveLength(782);
    expect(addable).not.toContain('pixel400');
  });

  it('charts fewer features at once on big maps (the values are fetched)', () => {
    expect(autoFeatureCharts(150)).toBe(FEATURE_CHARTS);
    expect(autoFeatureCharts(1_000_000)).toBe(2);
    expect(autoFeatureCharts(10_000_000)).toBe(0);
  });
});

describe('filter charts: bar labels', () => {
  it('writes short names whole and level when they fit (wine’s class_0/1/2 on three bars)', () => {
    const l = barLabels(['class_0', 'class_1', 'class_2'], 95);
    expect(l.rotate).toBe(false);
    expect(l.texts).toEqual(['class_0', 'class_1', 'class_2']);
  });

  it('turns names that do not fit, keeping them distinct and readable (cluster labels on eight bars)', () => {
    const names = Array.from({ length: 8 }, (_, i) => `C${i + 1} · ${i} (53 %)`);
    const l = barLabels(names, 35);
    expect(l.rotate).toBe(true);
    expect(l.texts).toEqual(names);
    expect(new Set(l.texts).size).toBe(8);
    expect(l.bottom).toBeGreaterThan(50);
    // the first bars' turned labels run past the chart's left edge: room is made for them (the cluster chart's
    // "C1 · 1 (54 %)" lost its end)
    const centres = names.map((_, c) => 8 + 35 * c + 17.5);
    const placed = barLabels(names, 35, centres);
    expect(placed.left).toBeGreaterThan(0);
    for (const [c, t] of placed.texts.entries()) expect(centres[c] - t.length * 5.2 * Math.SQRT1_2).toBeGreaterThanOrEqual(-placed.left);
    expect(barLabels(['a', 'b'], 95, [50, 150]).left).toBe(0);
    // very long names are cut, still distinct by their start
    const long = barLabels(['a very long category name one', 'another very long name'], 40);
    expect(long.texts.map((t) => t.length)).toEqual([16, 16]);
    expect(long.texts[0]).toMatch(/…$/);
  });
});
