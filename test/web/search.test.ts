import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { samplePoints } from './sample-points.js';
import { CLUSTERS_OFF, countHiddenHits, featureSearchColumn, inputRows, matchCount } from '../../web/src/app/search.js';
import { clusterSearchColumn } from '../../web/src/app/map-layers.js';
import { featureColumn, decodePoints, type CategoryColumn } from '../../web/src/points.js';
import { absentRowReason, closeNames, outOfRange, parseRange, queryColumn, searchPoints, type SearchAnswer, type Searchable } from '../../web/src/search.js';

const points = samplePoints;

const rows = (a: SearchAnswer | null) => {
  if (!a || 'error' in a) throw new Error(`expected matches, got ${JSON.stringify(a)}`);
  return Array.from(a.mask);
};
const error = (a: SearchAnswer | null) => {
  if (!a || !('error' in a)) throw new Error(`expected an error, got ${a ? 'matches' : 'null'}`);
  return a.error;
};

describe('search over the points’ own columns', () => {
  it('matches a label exactly before matching substrings', () => {
    const p = points();
    expect(rows(searchPoints(p, '5'))).toEqual([1, 0, 1, 0]); // not 15
    expect(rows(searchPoints(p, 'BOB'))).toEqual([0, 1, 0, 0]);
    expect(rows(searchPoints(p, 'an'))).toEqual([1, 0, 0, 0]); // substring of text columns
  });

  it('supports column:value and #row queries, and returns null for an empty query', () => {
    const p = points();
    expect(rows(searchPoints(p, 'label:1'))).toEqual([0, 0, 0, 1]);
    expect(rows(searchPoints(p, '#12'))).toEqual([0, 0, 1, 0]);
    expect(rows(searchPoints(p, 'nothing-here'))).toEqual([0, 0, 0, 0]);
    expect(searchPoints(p, '   ')).toBeNull();
  });
});

function withError() {
  const t = tableFromArrays({
    index: Int32Array.from([0, 1, 2, 3, 4]),
    x: Float32Array.from([0, 1, 2, 3, 4]),
    y: Float32Array.from([0, 1, 2, 3, 4]),
    error: Float32Array.from([0.05, 0.2, 0.25, 0.5, NaN]),
    species: ['setosa', 'setosa', 'versicolor', 'virginica', 'virginica'],
  });
  return decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
}

/** iris-like input features, fetched as the viewer fetches them (float32 values, NaN for a missing row). */
const features = () => [
  featureSearchColumn(featureColumn('feature:petal_length', Float64Array.from([1.4, 1.9, 4.5, 6, NaN].map(Math.fround)))),
  featureSearchColumn(featureColumn('feature:petal_width', Float64Array.from([0.2, 0.4, 1.5, 2.5, 1.8].map(Math.fround)))),
];
const known = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

describe('numeric search over metadata, reconstruction error and input features', () => {
  it('matches comparisons and inclusive ranges on the reconstruction error, never a missing value', () => {
    const p = withError();
    expect(rows(searchPoints(p, 'error>0.2'))).toEqual([0, 0, 1, 1, 0]);
    expect(rows(searchPoints(p, 'error >= 0.2'))).toEqual([0, 1, 1, 1, 0]);
    expect(rows(searchPoints(p, 'error<0.2'))).toEqual([1, 0, 0, 0, 0]);
    expect(rows(searchPoints(p, 'reconstruction error:0.2..0.3'))).toEqual([0, 1, 1, 0, 0]);
  });

  it('matches ranges and comparisons on fetched feature columns, bounds compared in float32', () => {
    const p = withError();
    expect(rows(searchPoints(p, 'petal_length:1..2', features(), known))).toEqual([1, 1, 0, 0, 0]);
    expect(rows(searchPoints(p, 'Petal_Length:2..1', features(), known))).toEqual([1, 1, 0, 0, 0]);
    expect(rows(searchPoints(p, 'petal_width<=0.4', features(), known))).toEqual([1, 1, 0, 0, 0]);
    expect(rows(searchPoints(p, 'petal_width>0.4', features(), known))).toEqual([0, 0, 1, 1, 1]);
    expect(rows(searchPoints(p, 'petal_length=6', features(), known))).toEqual([0, 0, 0, 1, 0]);
    expect(rows(searchPoints(p, 'petal_width:2.5', features(), known))).toEqual([0, 0, 0, 1, 0]);
  });

  it('matches a metadata value exactly, and leaves features out of a plain-text search', () => {
    const p = withError();
    expect(rows(searchPoints(p, 'species:setosa', features(), known))).toEqual([1, 1, 0, 0, 0]);
    expect(rows(searchPoints(p, '6', features(), known))).toEqual([0, 0, 0, 0, 0]);
  });

  it('names a column the map lacks and lists the close names, rather than finding nothing', () => {
    const p = withError();
    expect(error(searchPoints(p, 'petal_lenght:1..2', features(), known))).toBe('No column “petal_lenght”. Did you mean “petal_length”?');
    expect(error(searchPoints(p, 'petal>1', features(), known))).toBe('No column “petal”. Did you mean “petal_length”, “petal_width”?');
    expect(error(searchPoints(p, 'zzz:1..2', features(), known))).toMatch(/^No column “zzz”\. Columns: “error”, “species”, “petal_length”/);
    expect(error(searchPoints(p, 'wingspan:large', features(), known))).toMatch(/^No column “wingspan”/);
    expect(error(searchPoints(p, 'species>2', features(), known))).toBe('“species” holds text, not numbers: search it as species:value.');
  });

  it('says why a run lacks a column when the caller knows (no reconstruction error under reducer none)', () => {
    const p = points();
    const why = 'This run has no reconstruction error: its reducer is none.';
    expect(error(searchPoints(p, 'error>0.2', [], [], { error: why }))).toBe(why);
    expect(error(searchPoints(p, 'ERROR:0..1', [], [], { error: why }))).toBe(why);
    // a bound that is not a number on the column the run lacks: the same reason, not "0 matches"
    expect(error(searchPoints(p, 'error>abc', [], [], { error: why }))).toBe(why);
  });

  it('says what a numeric column spans when a condition on it matches no row (a PCA run’s small errors)', () => {
    const p: Searchable = { n: 3, index: Int32Array.from([0, 1, 2]), raw: [{ name: 'error', kind: 'number', get: (i) => [0.0041556554, 0.02, 0.050977826][i] }] };
    const a = searchPoints(p, 'error>0.2');
    if (!a || 'error' in a) throw new Error('expected an answer with a mask');
    expect(Array.from(a.mask)).toEqual([0, 0, 0]);
    expect(a.note).toBe('the reconstruction error runs from 0.00416 to 0.051 on this map');
    const hit = searchPoints(p, 'error>0.01');
    expect(hit && 'note' in hit ? hit.note : undefined).toBeUndefined();
    expect(outOfRange('f2', -4.68712, -4.68712)).toBe('“f2” is -4.687 for every row of this map');
    expect(outOfRange('f2', Infinity, -Infinity)).toBe('“f2” has no value on this map');
  });

  it('treats text with a colon as a value when no column has that name but some row has that value', () => {
    const t = tableFromArrays({ index: Int32Array.from([0, 1]), x: Float32Array.from([0, 1]), y: Float32Array.from([0, 1]), time: ['10:30', '11:00'] });
    const p = decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
    expect(rows(searchPoints(p, '10:30'))).toEqual([1, 0]);
  });
});

describe('query parsing', () => {
  it('parses the numeric forms it accepts and leaves other text to the text search', () => {
    expect(parseRange('error>0.2')).toEqual({ column: 'error', lo: 0.2, hi: Infinity, loOpen: true, hiOpen: false });
    expect(parseRange('x:-1.5..1e2')).toEqual({ column: 'x', lo: -1.5, hi: 100, loOpen: false, hiOpen: false });
    expect(parseRange('species:adelie')).toBeNull();
    expect(parseRange('#12')).toBeNull();
  });

  it('names the column a query is about, so the viewer can fetch that feature first', () => {
    expect(queryColumn('petal_length:1..2')).toBe('petal_length');
    expect(queryColumn(' sepal_width <= 3 ')).toBe('sepal_width');
    expect(queryColumn('species:setosa')).toBe('species');
    expect(queryColumn('#12')).toBeNull();
    expect(queryColumn('index:12')).toBeNull();
    expect(queryColumn('setosa')).toBeNull();
  });

  it('ranks close names: containing the typed text first, then by edit distance', () => {
    expect(closeNames('width', known)).toEqual(['petal_width', 'sepal_width']);
    expect(closeNames('sepal_lenth', known)).toEqual(['sepal_length']);
    expect(closeNames('colour', known)).toEqual([]);
  });
});

describe('search by cluster', () => {
  const column: CategoryColumn = { name: 'cluster', kind: 'category', codes: Int32Array.from([0, 1, 1, -1, 2]), categories: ['C1 · setosa (100 %)', 'C2 · 3 (96 %)', 'C12 · 7 (80 %)'], counts: [1, 2, 1], missing: 1 };
  const clustered = (): Searchable => ({ n: 5, index: Int32Array.from([0, 1, 2, 3, 4]), raw: [clusterSearchColumn(column)] });

  it('finds a cluster by its id (cluster:C2), as by its whole label', () => {
    expect(rows(searchPoints(clustered(), 'cluster:C2'))).toEqual([0, 1, 1, 0, 0]);
    expect(rows(searchPoints(clustered(), 'cluster:c12'))).toEqual([0, 0, 0, 0, 1]);
    expect(rows(searchPoints(clustered(), 'cluster:C2 · 3 (96 %)'))).toEqual([0, 1, 1, 0, 0]);
    // the id alone, as plain text, too; not a prefix of another id
    expect(rows(searchPoints(clustered(), 'C1'))).toEqual([1, 0, 0, 0, 0]);
    expect(rows(searchPoints(clustered(), 'cluster:C3'))).toEqual([0, 0, 0, 0, 0]);
  });

  it('says that clusters must be on when the map has none to search', () => {
    const none: Searchable = { n: 5, index: Int32Array.from([0, 1, 2, 3, 4]), raw: [] };
    expect(error(searchPoints(none, 'cluster:C2', [], ['label'], { cluster: CLUSTERS_OFF }))).toBe(CLUSTERS_OFF);
    expect(CLUSTERS_OFF).toMatch(/Clusters are off/);
  });
});

describe('the search count says what the map draws', () => {
  it('counts the matches in hidden classes apart: "50 matches, all in hidden classes", not "50 matches"', () => {
    expect(matchCount(50, 0)).toBe('50 matches');
    expect(matchCount(50, 50)).toBe('50 matches, all in hidden classes');
    expect(matchCount(1, 1)).toBe('1 match, in a hidden class');
    expect(matchCount(1200, 300)).toBe('1,200 matches, 300 in hidden classes');
    expect(countHiddenHits(Uint8Array.from([1, 1, 0, 1]), Uint8Array.from([0, 1, 0, 0]))).toBe(2);
  });
});

describe('a #row search that finds nothing says why', () => {
  // input rows 0..5 read, rows 1 and 4 dropped for missing values
  const kept = (): Searchable => ({ n: 4, index: Int32Array.from([0, 2, 3, 5]), raw: [] });
  const note = (a: SearchAnswer | null) => {
    if (!a || 'error' in a) throw new Error(`expected matches, got ${JSON.stringify(a)}`);
    expect(Array.from(a.mask).every((v) => v === 0)).toBe(true);
    return a.note;
  };

  it('a row dropped for missing values: dropped, with the run’s count', () => {
    expect(note(searchPoints(kept(), '#4', [], [], {}, { rows: 6, dropped: 2 }))).toBe('row 4 was dropped: missing values (the run dropped 2 of 6 rows that had one)');
  });

  it('a row past the input’s end, a row of a run that dropped none, and a sampled overview', () => {
    expect(note(searchPoints(kept(), '#6', [], [], {}, { rows: 6, dropped: 2 }))).toBe("no row 6: the run's input has 6 rows (#0 to #5)");
    const all: Searchable = { n: 3, index: Int32Array.from([0, 1, 2]), raw: [] };
    // row numbers as the #row a search takes, never grouped; the count of rows grouped as every count
    expect(note(searchPoints(all, '#2000', [], [], {}, { rows: 1500, dropped: 0 }))).toBe("no row 2000: the run's input has 1,500 rows (#0 to #1499)");
    expect(note(searchPoints(kept(), '#1', [], [], {}, { rows: 6, dropped: 0, sampled: true }))).toMatch(/^row 1 is not among the points loaded/);
    expect(note(searchPoints(kept(), '#1', [], [], {}, null))).toBe('no row 1 in this map');
  });

  it('a row that is there has no note', () => {
    const a = searchPoints(kept(), '#5', [], [], {}, { rows: 6, dropped: 2 });
    expect(rows(a)).toEqual([0, 0, 0, 1]);
    expect(a && 'note' in a ? a.note : undefined).toBeUndefined();
  });

  it('writes a dropped row past a thousand as its #row, ungrouped (not "row 150,000")', () => {
    expect(absentRowReason(150000, { rows: 200000, dropped: 1500 }, 199999)).toBe('row 150000 was dropped: missing values (the run dropped 1,500 of 200,000 rows that had one)');
    expect(absentRowReason(150000, { rows: 200000, dropped: 0, sampled: true }, 199999)).toMatch(/^row 150000 is not among/);
    expect(absentRowReason(150000, null, 10)).toBe('no row 150000 in this map');
  });

  it('reads the rows read and dropped from the manifest’s prepare report', () => {
    const m = { prepare: { rows: 200000, keptRows: 199798, droppedRows: 202 }, dataset: { rows: 199798 } } as unknown as Parameters<typeof inputRows>[0];
    expect(inputRows(m, false)).toEqual({ rows: 200000, dropped: 202, sampled: false });
    const old = { dataset: { rows: 150 } } as unknown as Parameters<typeof inputRows>[0];
    expect(inputRows(old, true)).toEqual({ rows: 150, dropped: 0, sampled: true });
  });
});

describe('a condition whose bound is not a number', () => {
  const scored = (): Searchable => ({
    n: 3,
    index: Int32Array.from([0, 1, 2]),
    raw: [
      { name: 'error', kind: 'number', get: (i) => [0.1, 0.3, 0.5][i] },
      { name: 'group', kind: 'text', get: (i) => ['a>b', 'x', 'y'][i] },
    ],
  });

  it('is an error that says how to write one, not "0 matches"', () => {
    expect(error(searchPoints(scored(), 'error>abc'))).toBe('“abc” is not a number: write a condition as error>0.2, error<=3 or error:1..2 (both ends).');
    expect(error(searchPoints(scored(), 'error:1..x'))).toMatch(/^“1\.\.x” is not a number/);
    expect(error(searchPoints(scored(), 'error:..2'))).toMatch(/^“\.\.2” is not a number/);
    expect(error(searchPoints(scored(), 'error>'))).toMatch(/^a number is missing/);
    expect(error(searchPoints(scored(), 'group<3'))).toMatch(/holds text, not numbers/);
    // a feature of the run not fetched yet (a well-formed condition would fetch it)
    expect(error(searchPoints(scored(), 'petal_width>x', [], ['petal_width']))).toMatch(/^“x” is not a number: write a condition as petal_width>0.2/);
  });

  it('leaves alone text that names no column, and well-formed conditions', () => {
    expect(rows(searchPoints(scored(), 'a>b'))).toEqual([1, 0, 0]); // a value, not a condition on a column "a"
    expect(rows(searchPoints(scored(), 'error>0.2'))).toEqual([0, 1, 1]);
    expect(rows(searchPoints(scored(), 'error:0.2..0.4'))).toEqual([0, 1, 0]);
  });
});
