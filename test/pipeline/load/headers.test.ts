// Kind 2: headers and names. A header of numbers is still a header when it stands apart from the rows;
// --header / --no-header decide; the file's own names are kept and duplicates get names nothing else uses.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanNames } from '../../../pipeline/load/columns.js';
import { loadCsv } from '../../../pipeline/load/csv.js';
import { createRandom } from '../../../pipeline/random.js';
import { makeTempDir, writeText } from './fixtures.js';

const tmp = makeTempDir('latentmap-headers-');
afterAll(() => tmp.cleanup());

function spectra(rows: number, waves: number[], seed: number): string {
  const rnd = createRandom(seed);
  const lines = [waves.join(',')];
  for (let r = 0; r < rows; r++) lines.push(waves.map(() => (0.05 + 0.9 * rnd()).toFixed(3)).join(','));
  return `${lines.join('\n')}\n`;
}

describe('headers', () => {
  it('takes a first line of numbers that stand apart from the rows as the header, and says so', async () => {
    for (const [waves, rows] of [[[400, 450, 500, 550, 600, 650], 40], [[1100, 1200, 1300], 12], [[1, 2, 3, 4], 30]] as const) {
      const d = await loadCsv(writeText(tmp.path(`spectra-${waves[0]}.csv`), spectra(rows, [...waves], 3)));
      expect(d.matrix.rows).toBe(rows);
      expect(d.columns).toEqual(waves.map(String));
      expect(d.notes?.[0]).toMatch(/is all numbers but taken as the header: in \d+ of \d+ columns it stands apart.*pass --no-header if it is data/);
    }
  });

  it('reads a first line of numbers like the rows below it as data, and says so', async () => {
    const rnd = createRandom(5);
    const text = `${Array.from({ length: 50 }, () => [rnd(), rnd(), rnd()].map((v) => v.toFixed(4)).join(',')).join('\n')}\n`;
    const d = await loadCsv(writeText(tmp.path('headerless.csv'), text));
    expect(d.matrix.rows).toBe(50);
    expect(d.columns).toEqual(['col_1', 'col_2', 'col_3']);
    expect(d.notes?.[0]).toMatch(/is all numbers and taken as data.*pass --header if it names the columns/);
    // iris as UCI ships it: no header, a text class in the last column
    const iris = await loadCsv(writeText(tmp.path('iris.data'), '5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n6.4,3.2,4.5,1.5,Iris-versicolor\n'));
    expect(iris.matrix.rows).toBe(4);
    expect(iris.metadata[0]!.values[0]).toBe('Iris-setosa');
  });

  it('--header and --no-header override the guess', async () => {
    const p = writeText(tmp.path('forced.csv'), spectra(20, [400, 450, 500], 7));
    const no = await loadCsv(p, { header: 'no' });
    expect([no.matrix.rows, no.columns[0], no.matrix.values[0]]).toEqual([21, 'col_1', 400]);
    expect(no.notes).toBeUndefined();
    const rnd = createRandom(1);
    const q = writeText(tmp.path('forced2.csv'), `${Array.from({ length: 20 }, () => `${rnd().toFixed(3)},${rnd().toFixed(3)}`).join('\n')}\n`);
    const yes = await loadCsv(q, { header: 'yes' });
    expect(yes.matrix.rows).toBe(19);
  });
});

describe('names', () => {
  it("keeps the file's own names and gives duplicates names no column uses, with a note", () => {
    expect(cleanNames(['c', 'c', 'c', 'c_2', 'label'])).toEqual({
      names: ['c', 'c_3', 'c_4', 'c_2', 'label'],
      notes: ['duplicate column names: column 2 "c" is named "c_3", column 3 "c" is named "c_4" (names the file does not use)'],
    });
    expect(cleanNames(['a', 'a_2', 'a', 'a_3', 'a']).names).toEqual(['a', 'a_2', 'a_4', 'a_3', 'a_5']);
    expect(cleanNames([' x ', '', 'y']).names).toEqual(['x', 'column_2', 'y']);
  });

  it('names 20,000 copies of one name in one pass (each goes on from the last suffix) and lists the first 20 renames', () => {
    const { names, notes } = cleanNames([...Array<string>(20_000).fill('a'), 'a_5']);
    expect(names.slice(0, 6)).toEqual(['a', 'a_2', 'a_3', 'a_4', 'a_6', 'a_7']);
    expect(names[20_000]).toBe('a_5');
    expect(new Set(names).size).toBe(20_001);
    expect(notes).toEqual([expect.stringMatching(/^duplicate column names: column 2 "a" is named "a_2", .*column 21 "a" is named "a_22" and 19,979 more \(names the file does not use\)$/)]);
  });

  it('refuses a first line of more than 100,000 fields (a file without line breaks), naming the count', async () => {
    const p = writeText(tmp.path('endless.csv'), `${Array<string>(100_001).fill('a').join(',')}\n`);
    await expect(loadCsv(p)).rejects.toThrow(/endless\.csv:1: the first line has 100,001 fields; latentmap reads at most 100,000 columns/);
  });

  it('--label-column c_2 takes the file\'s own c_2, not a renamed duplicate', async () => {
    const p = writeText(tmp.path('dups.csv'), 'c,c,c,c_2,label\n1,2,3,9,k0\n4,5,6,8,k1\n7,8,9,7,k0\n');
    const d = await loadCsv(p, { labelColumn: 'c_2' });
    expect(Array.from(d.label!.values as Float64Array)).toEqual([9, 8, 7]);
    expect(d.columns).toEqual(['c', 'c_3', 'c_4']);
    expect(Array.from(d.matrix.values.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(d.notes).toEqual([expect.stringContaining('column 2 "c" is named "c_3"')]);
  });
});
