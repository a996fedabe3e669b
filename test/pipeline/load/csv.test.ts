import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCancelled } from '../../../pipeline/errors.js';
import { loadCsv } from '../../../pipeline/load/csv.js';
import { loadDataset } from '../../../pipeline/load/index.js';
import type { MetaColumn } from '../../../pipeline/types.js';
import { makeTempDir, seededFloats, writeText } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** Index of the first element that differs (NaN equals NaN), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function strings(m: MetaColumn | undefined): (string | null)[] {
  if (!m || m.kind !== 'string') throw new Error(`expected a string column, got ${m?.kind}`);
  return m.values;
}

function numbers(m: MetaColumn | undefined): number[] {
  if (!m || m.kind !== 'number') throw new Error(`expected a number column, got ${m?.kind}`);
  return Array.from(m.values);
}

describe('loadCsv: valid input', () => {
  it('reads a BOM, CRLF, quoted commas, doubled quotes, newlines in quotes and duplicate rows', async () => {
    const d = await loadCsv(join(FIXTURES, 'awkward.csv'));
    // The id column identifies rows: metadata, with a note, not a feature.
    expect(d.columns).toEqual(['sepal length', 'petal, width']);
    expect(d.matrix.rows).toBe(5);
    expect(Array.from(d.matrix.values)).toEqual([5.1, 0.2, 4.9, 0.2, 4.7, 0.2, 4.7, 0.2, 7, 7].map(Math.fround));
    expect(d.label).toBeUndefined();
    expect(d.metadata.map((m) => m.name)).toEqual(['id', 'kind']);
    expect(numbers(d.metadata[0])).toEqual([1, 2, 3, 3, 4]);
    expect(d.notes).toEqual([expect.stringMatching(/^"id" looks like an identifier \(by name\) and is kept as metadata, not used as a feature/)]);
    expect(strings(d.metadata[1])).toEqual(['setosa', 'a "quoted" name', 'two\r\nlines', 'two\r\nlines', 'dup, constant']);
    expect(d.name).toBe('awkward');
    expect(d.sha256).toBe(createHash('sha256').update(readFileSync(join(FIXTURES, 'awkward.csv'))).digest('hex'));
  });

  it('takes a column named species/label/class/target/y as the label, or the one asked for', async () => {
    const p = writeText(tmp.path('label.tsv'), 'x\tSpecies\tz\n1\ta\t9\n2\tb\t8\n');
    const d = await loadCsv(p);
    expect(d.columns).toEqual(['x', 'z']);
    expect(strings(d.label)).toEqual(['a', 'b']);
    const byName = await loadCsv(p, { labelColumn: 'z' });
    expect(byName.columns).toEqual(['x']);
    expect(numbers(byName.label)).toEqual([9, 8]);
    expect(byName.metadata.map((m) => m.name)).toEqual(['Species']);
  });

  it('turns empty, NA, NaN and null cells into NaN in numeric columns and null in text columns', async () => {
    const p = writeText(tmp.path('missing.csv'), 'a,b,name\n1,,x\nNA,2,NA\nnull,NaN,\n4,5,y\n');
    const d = await loadCsv(p);
    expect(Array.from(d.matrix.values)).toEqual([1, NaN, NaN, 2, NaN, NaN, 4, 5]);
    expect(strings(d.metadata[0])).toEqual(['x', null, null, 'y']);
  });

  it('reads a gzipped copy to the same data, hashing the compressed bytes', async () => {
    const text = 'a,b\n' + Array.from({ length: 500 }, (_, i) => `${i},${i / 4}`).join('\n') + '\n';
    const plain = await loadCsv(writeText(tmp.path('g.csv'), text));
    const gzPath = writeText(tmp.path('g.csv.gz'), text, true);
    const gz = await loadCsv(gzPath);
    expect(gz.matrix).toEqual(plain.matrix);
    expect(gz.name).toBe('g');
    expect(gz.sha256).toBe(createHash('sha256').update(readFileSync(gzPath)).digest('hex'));
    expect(gz.sha256).not.toBe(plain.sha256);
  });

  it('--limit takes the first N rows but still hashes the whole file', async () => {
    const text = 'a,b\n' + Array.from({ length: 3000 }, (_, i) => `${i},${-i}`).join('\n') + '\n';
    const p = writeText(tmp.path('limit.csv'), text);
    const d = await loadCsv(p, { limit: 7 });
    expect(d.matrix.rows).toBe(7);
    expect(Array.from(d.matrix.values.subarray(12, 14))).toEqual([6, -6]);
    expect(d.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('reads a file without a header (all header cells numbers) with generic column names', async () => {
    const d = await loadCsv(writeText(tmp.path('nohead.csv'), '1,2,3\n4,5,6\n'));
    expect(d.columns).toEqual(['col_1', 'col_2', 'col_3']);
    expect(d.matrix.rows).toBe(2);
  });

  it('makes duplicate and empty header names unique, sniffs ; and tolerates a trailing delimiter', async () => {
    const d = await loadCsv(writeText(tmp.path('semi.csv'), 'a;a;;b;\n1;2;3;4;\n5;6;7;8;\n'));
    expect(d.columns).toEqual(['a', 'a_2', 'column_3', 'b']);
    expect(d.metadata.map((m) => m.name)).toEqual(['column_5']);
    const t = await loadCsv(writeText(tmp.path('trail.csv'), 'a,b\n1,2,\n3,4,\n'));
    expect(Array.from(t.matrix.values)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the exact text of a column that turns out to be text only after many numeric rows', async () => {
    const lines = ['n,code'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i < 2500 ? String(i).padStart(4, '0') : `K${i}`}`);
    const d = await loadCsv(writeText(tmp.path('late-text.csv'), lines.join('\n')));
    expect(d.columns).toEqual(['n']);
    const code = strings(d.metadata[0]);
    expect(code.length).toBe(3000);
    expect(code[7]).toBe('0007');
    expect(code[2000]).toBe('2000');
    expect(code[2999]).toBe('K2999');
  });

  it('keeps the text of a column that turns to text within the first rows', async () => {
    const d = await loadCsv(writeText(tmp.path('early-text.csv'), 'n,code\n1,007\n2,\n3,abc\n4,1e3\n'));
    expect(strings(d.metadata[0])).toEqual(['007', null, 'abc', '1e3']);
  });

  it('streams a file larger than one read chunk with quoted fields across chunk boundaries', async () => {
    const rows = 40000;
    const cols = 6;
    const vals = seededFloats(rows * cols, 11);
    const lines = ['c0,c1,c2,c3,c4,c5,note'];
    for (let r = 0; r < rows; r++) {
      const cells = Array.from(vals.subarray(r * cols, (r + 1) * cols), (v, c) => (c === 2 ? `"${v}"` : String(v)));
      lines.push(`${cells.join(',')},"row ${r}, ""q""\nend"`);
    }
    const text = lines.join('\r\n') + '\r\n';
    expect(text.length).toBeGreaterThan(3 << 20);
    for (const gzip of [false, true]) {
      const d = await loadCsv(writeText(tmp.path(`big${gzip ? '.csv.gz' : '.csv'}`), text, gzip));
      expect(d.matrix.rows).toBe(rows);
      expect(d.matrix.cols).toBe(cols);
      expect(firstDifference(d.matrix.values, vals)).toBe(-1);
      const note = strings(d.metadata[0]);
      expect(note[rows - 1]).toBe(`row ${rows - 1}, "q"\nend`);
    }
  });

  it('grows its row buffer correctly when the first rows misjudge the row count', async () => {
    const lines = ['a,b,note'];
    for (let i = 0; i < 400; i++) lines.push(`${i},${-i},${'long text '.repeat(30)}`);
    for (let i = 400; i < 30000; i++) lines.push(`${i},${-i},`);
    const d = await loadCsv(writeText(tmp.path('skewed.csv'), lines.join('\n')));
    expect(d.matrix.rows).toBe(29999 + 1);
    expect(Array.from(d.matrix.values.subarray(2 * 29999))).toEqual([29999, -29999]);
    expect(d.matrix.values.length).toBe(2 * 30000);
  });

  it('reports progress up to 1 and stops when aborted', async () => {
    const text = 'a\n' + Array.from({ length: 200000 }, (_, i) => String(i)).join('\n');
    const p = writeText(tmp.path('progress.csv'), text);
    const seen: number[] = [];
    await loadCsv(p, {}, { onProgress: (f, stage) => (expect(stage).toBe('load'), seen.push(f)) });
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    const ctl = new AbortController();
    ctl.abort();
    const err = await loadCsv(p, {}, { signal: ctl.signal }).catch((e: unknown) => e);
    expect(isCancelled(err)).toBe(true);
  });
});

describe('loadCsv: bad input says what and where', () => {
  const cases: [string, string, RegExp][] = [
    ['empty.csv', '', /empty\.csv: the file is empty/],
    ['header-only.csv', 'a,b,c\n', /header-only\.csv:1: the file has a header but no data rows/],
    ['blank.csv', '\ufeff\r\n\n\n', /blank\.csv: the file holds only blank lines/],
    ['short-row.csv', 'a,b,c\n1,2,3\n4,5\n', /short-row\.csv:3: this row has 2 fields but the header has 3/],
    ['long-row.csv', 'a,b\n1,2\n3,4,5,6\n', /long-row\.csv:3: this row has 4 fields but the header has 2; a value containing the separator/],
    ['unclosed.csv', 'a,b\n1,"2\n3,4\n', /unclosed\.csv:2: a quoted field starts on this line and is never closed/],
    ['inf.csv', 'a,b\n1,2\n3,-Infinity\n', /inf\.csv:3:2: "-Infinity" in column "b" is infinite/],
    ['f32.csv', 'a,b\n1,2\n3e39,4\n', /f32\.csv:3:1: "3e39" in column "a" is too large for a 32-bit float/],
    ['text.csv', 'x,v\n' + Array.from({ length: 60 }, (_, i) => `${i},${i === 41 ? 'n/a?' : i}`).join('\n'), /text\.csv:43:2: column "v" holds numbers, but "n\/a\?" is not a number/],
    ['comma.csv', 'a;b\n1,5;2,25\n3,5;4,75\n', /comma\.csv: no numeric columns to map; .*\(decimal commas such as 1,5 are text: write 1\.5\)/],
    ['words.csv', 'name,town\nann,oslo\nbob,rome\n', /words\.csv: no numeric columns to map; the columns are "name" \(text\), "town" \(text\)/],
  ];
  // text columns may still become features (truth values, categories), so "no numeric columns" comes from loadDataset
  for (const [name, text, pattern] of cases) {
    const load = (path: string) => (/^(comma|words)\./.test(name) ? loadDataset({ dataset: null, labelColumn: null, dataDir: null, limit: null, input: path }) : loadCsv(path));
    it(name, async () => {
      await expect(load(writeText(tmp.path(name), text))).rejects.toThrow(pattern);
      await expect(load(tmp.path(name))).rejects.toHaveProperty('name', 'InputError');
    });
  }

  it('a missing label column names it and lists the columns', async () => {
    const p = writeText(tmp.path('nolabel.csv'), 'a,b\n1,2\n');
    await expect(loadCsv(p, { labelColumn: 'species' })).rejects.toThrow(/nolabel\.csv, field "labelColumn": label column "species" not found; the columns are: "a", "b"/);
  });

  it('truncated and corrupt gzip data', async () => {
    const text = 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i * 7}`).join('\n');
    const whole = Buffer.from(readFileSync(writeText(tmp.path('whole.csv.gz'), text, true)));
    const truncated = tmp.path('truncated.csv.gz');
    writeText(truncated, '');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
    await expect(loadCsv(truncated)).rejects.toThrow(/truncated\.csv\.gz: the gzip data is truncated/);
    const corrupt = Buffer.from(whole);
    for (let i = 20; i < 200; i++) corrupt[i] = (corrupt[i]! * 31 + 7) & 255;
    writeFileSync(tmp.path('corrupt.csv.gz'), corrupt);
    await expect(loadCsv(tmp.path('corrupt.csv.gz'))).rejects.toThrow(/corrupt\.csv\.gz: the gzip data is (corrupt|truncated)/);
  });

  it('a file that does not exist, and a directory', async () => {
    await expect(loadCsv(tmp.path('nope.csv'))).rejects.toThrow(/nope\.csv: file not found/);
    mkdirSync(tmp.path('adir.csv'));
    await expect(loadCsv(tmp.path('adir.csv'))).rejects.toThrow(/adir\.csv: is a directory/);
  });
});
