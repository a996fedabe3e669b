import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { parseRange, searchPoints, selectedRows, summarize, toCsv } from '../../web/src/export.js';
import { decodePoints } from '../../web/src/points.js';

function points() {
  const t = tableFromArrays({
    index: Int32Array.from([10, 11, 12, 13]),
    x: Float32Array.from([0, 1, 2, 3]),
    y: Float32Array.from([0, 1, 2, 3]),
    label: Int32Array.from([5, 15, 5, 1]),
    name: ['Ann, "the first"', 'bob', '=cmd()', 'Dora\nDee'],
  });
  return decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
}

describe('export', () => {
  it('exports the selected rows in input order with every column', () => {
    const rows = selectedRows(points(), Uint8Array.from([1, 0, 1, 0]));
    expect(rows).toEqual([
      { index: 10, x: 0, y: 0, label: 5, name: 'Ann, "the first"' },
      { index: 12, x: 2, y: 2, label: 5, name: '=cmd()' },
    ]);
  });

  it('writes RFC 4180 CSV, quoting commas, quotes and newlines, and defusing formulas', () => {
    const csv = toCsv(selectedRows(points(), Uint8Array.from([1, 0, 1, 1])));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('index,x,y,label,name');
    expect(lines[1]).toBe('10,0,0,5,"Ann, ""the first"""');
    expect(lines[2]).toBe(`12,2,2,5,"'=cmd()"`);
    expect(lines[3]).toBe('13,3,3,1,"Dora\nDee"'); // an embedded newline stays inside the quotes
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(toCsv([])).toBe('\r\n');
  });

  it('summarizes a selection per label, largest first', () => {
    const p = points();
    const s = summarize(p.label!.codes, p.label!.categories, Uint8Array.from([1, 1, 1, 0]));
    expect(s).toEqual([
      { name: '5', code: 1, count: 2 },
      { name: '15', code: 2, count: 1 },
    ]);
  });
});

describe('search', () => {
  it('matches a label exactly before matching substrings', () => {
    const p = points();
    expect(Array.from(searchPoints(p, '5')!)).toEqual([1, 0, 1, 0]); // not 15
    expect(Array.from(searchPoints(p, 'BOB')!)).toEqual([0, 1, 0, 0]);
    expect(Array.from(searchPoints(p, 'an')!)).toEqual([1, 0, 0, 0]); // substring of text columns
  });

  it('supports column:value and #row queries, and returns null for an empty query', () => {
    const p = points();
    expect(Array.from(searchPoints(p, 'label:1')!)).toEqual([0, 0, 0, 1]);
    expect(Array.from(searchPoints(p, '#12')!)).toEqual([0, 0, 1, 0]);
    expect(Array.from(searchPoints(p, 'nothing-here')!)).toEqual([0, 0, 0, 0]);
    expect(searchPoints(p, '   ')).toBeNull();
  });
});

describe('numeric range search', () => {
  function withError() {
    const t = tableFromArrays({
      index: Int32Array.from([0, 1, 2, 3, 4]),
      x: Float32Array.from([0, 1, 2, 3, 4]),
      y: Float32Array.from([0, 1, 2, 3, 4]),
      error: Float32Array.from([0.05, 0.2, 0.25, 0.5, NaN]),
      petal_length: Float64Array.from([1, 1.5, 2, 2.5, 0.9]),
    });
    return decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
  }

  it('matches comparisons and inclusive ranges on numeric columns, never a missing value', () => {
    const p = withError();
    expect(Array.from(searchPoints(p, 'error>0.2')!)).toEqual([0, 0, 1, 1, 0]);
    expect(Array.from(searchPoints(p, 'error >= 0.2')!)).toEqual([0, 1, 1, 1, 0]);
    expect(Array.from(searchPoints(p, 'error<0.2')!)).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(searchPoints(p, 'petal_length:1..2')!)).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(searchPoints(p, 'Petal_Length:2..1')!)).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(searchPoints(p, 'petal_length=2.5')!)).toEqual([0, 0, 0, 1, 0]);
  });

  it('parses the forms it accepts and leaves other text to the text search', () => {
    expect(parseRange('error>0.2')).toEqual({ column: 'error', lo: 0.2, hi: Infinity, loOpen: true, hiOpen: false });
    expect(parseRange('x:-1.5..1e2')).toEqual({ column: 'x', lo: -1.5, hi: 100, loOpen: false, hiOpen: false });
    expect(parseRange('species:adelie')).toBeNull();
    expect(parseRange('#12')).toBeNull();
  });
});
