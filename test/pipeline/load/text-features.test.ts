// Truth-valued and category text columns become features (pipeline/load/text-features.ts), through loadDataset
// on CSV and Arrow files, for a first run and for a saved run's new rows.
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../pipeline/load/index.js';
import { categoriesOf, truthValues } from '../../../pipeline/load/text-features.js';
import type { Dataset } from '../../../pipeline/types.js';
import { makeTempDir, writeArrow, writeText } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());
const base = { dataset: null, labelColumn: null, dataDir: null, limit: null };

function column(d: Dataset, name: string): number[] {
  const c = d.columns.indexOf(name);
  expect(c, `feature ${name} among ${d.columns.join(',')}`).toBeGreaterThanOrEqual(0);
  return Array.from({ length: d.matrix.rows }, (_, r) => d.matrix.values[r * d.matrix.cols + c]!);
}

describe('truthValues', () => {
  it('reads one truth pair in any case, missing as NaN', () => {
    expect(Array.from(truthValues(['TRUE', 'false', null, ' True '])!)).toEqual([1, 0, NaN, 1]);
    expect(Array.from(truthValues(['y', 'n', 'Y'])!)).toEqual([1, 0, 1]);
    expect(Array.from(truthValues(['Yes', 'No'])!)).toEqual([1, 0]);
  });

  it('refuses words of two pairs, other words, and columns with no value', () => {
    expect(truthValues(['yes', 'true'])).toBeNull();
    expect(truthValues(['yes', 'maybe'])).toBeNull();
    expect(truthValues(['male', 'female'])).toBeNull();
    expect(truthValues([null, null])).toBeNull();
  });
});

describe('categoriesOf', () => {
  it('lists distinct values, most frequent first, ties in order of appearance', () => {
    expect(categoriesOf(['b', 'a', null, 'a', 'c', 'b', 'a'])).toEqual(['a', 'b', 'c']);
  });
});

describe('text columns as features', () => {
  it('uses truth-valued columns (R logicals) as 0/1 features beside the numbers, and says so', async () => {
    const input = writeText(tmp.path('zoo.csv'), '"name","hair","legs","tail","type"\n"aardvark",TRUE,4,FALSE,"mammal"\n"bass",FALSE,0,TRUE,"fish"\n"crab",FALSE,8,NA,"invertebrate"\n');
    const d = await loadDataset({ ...base, input });
    expect(d.columns).toEqual(['legs', 'hair', 'tail']);
    expect(column(d, 'hair')).toEqual([1, 0, 0]);
    expect(column(d, 'tail')).toEqual([0, 1, NaN]);
    expect(d.metadata.map((m) => m.name)).toEqual(['name', 'type']);
    expect(d.notes?.join(' ')).toContain('"hair", "tail" hold truth values (true/false, yes/no): used as 0/1 features');
  });

  it('maps a table of y/n votes that has no column of numbers (it was refused before)', async () => {
    const input = writeText(tmp.path('votes.csv'), 'Class,V1,V2,V3\nrepublican,n,y,n\ndemocrat,y,n,NA\ndemocrat,y,y,y\n');
    const d = await loadDataset({ ...base, input });
    expect(d.label?.name).toBe('Class');
    expect(d.columns).toEqual(['V1', 'V2', 'V3']);
    expect(column(d, 'V3')).toEqual([0, NaN, 1]);
  });

  it('encodes category columns one-hot only when the table has fewer than two columns of numbers', async () => {
    // 15 rows: a category column encoded automatically has at most a fifth as many values as rows
    const tension = ['L', 'M', 'L', 'H', 'L'];
    const rows = Array.from({ length: 15 }, (_, i) => `${20 + ((i * 7) % 13)},${i % 3 === 2 ? 'B' : 'A'},${tension[i % 5]}`);
    const one = writeText(tmp.path('warpbreaks.csv'), `breaks,wool,tension\n${rows.join('\n')}\n`);
    const d = await loadDataset({ ...base, input: one });
    expect(d.columns).toEqual(['breaks', 'wool=A', 'wool=B', 'tension=L', 'tension=M', 'tension=H']);
    expect(column(d, 'tension=L').slice(0, 5)).toEqual([1, 0, 1, 0, 1]);
    expect(column(d, 'wool=B').slice(0, 3)).toEqual([0, 0, 1]);
    expect(d.metadata.map((m) => m.name)).toEqual(['wool', 'tension']);
    expect(d.notes?.join(' ')).toMatch(/category columns "wool" \(2 values\), "tension" \(3 values\) encoded as one 0\/1 feature per value .*one column of numbers/);

    const two = writeText(tmp.path('penguins.csv'), 'species,island,bill,flipper\nA,Biscoe,39,181\nB,Dream,46,195\nA,Biscoe,38,190\nC,Torgersen,50,210\n');
    const p = await loadDataset({ ...base, input: two });
    expect(p.columns).toEqual(['bill', 'flipper']);
    expect(p.metadata.map((m) => m.name)).toEqual(['island']);
  });

  it('encodes a category column named in --features on any table', async () => {
    const input = writeText(tmp.path('named.csv'), 'a,b,kind\n1,2,x\n3,4,y\n5,6,x\n');
    const d = await loadDataset({ ...base, input, selection: { features: ['a', 'kind'], exclude: [] } });
    expect(d.columns).toEqual(['a', 'kind=x', 'kind=y']);
    expect(column(d, 'kind=y')).toEqual([0, 1, 0]);
  });

  it('leaves identifier-like and many-valued text alone, and refuses a table with nothing to map, naming each column', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `name${i},${i % 2 ? 'Paris' : 'Lyon'}${i}`).join('\n');
    const input = writeText(tmp.path('names.csv'), `name,city\n${rows}\n`);
    await expect(loadDataset({ ...base, input })).rejects.toThrow(/no numeric columns to map; the columns are "name" \(text\), "city" \(text\)\. latentmap needs at least one column of numbers, truth values \(true\/false, yes\/no\) or categories/);
  });

  it("rebuilds a saved run's text features for new rows with the run's categories only", async () => {
    const input = writeText(tmp.path('new-rows.csv'), 'breaks,wool,flag,note\n31,B,yes,x\n40,C,no,y\n');
    const d = await loadDataset({ ...base, input, selection: { features: null, exclude: [], runFeatures: ['breaks', 'wool=A', 'wool=B', 'flag'] } });
    expect(d.columns).toEqual(['breaks', 'flag', 'wool=A', 'wool=B']);
    expect(column(d, 'wool=A')).toEqual([0, 0]);
    expect(column(d, 'wool=B')).toEqual([1, 0]);
    expect(column(d, 'flag')).toEqual([1, 0]);
    expect(d.metadata.map((m) => m.name)).toEqual(['wool', 'note']);
  });

  it('reads truth-valued text columns of an Arrow file the same way', async () => {
    const t = tableFromArrays({ x: Float32Array.of(1.5, 2, 7), ok: ['true', 'false', 'true'], label: ['a', 'b', 'a'] });
    const d = await loadDataset({ ...base, input: writeArrow(tmp.path('t.arrow'), t) });
    expect(d.columns).toEqual(['x', 'ok']);
    expect(column(d, 'ok')).toEqual([1, 0, 1]);
  });
});
