import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodePoints } from '../../web/src/points.js';
import { samplePoints } from './sample-points.js';
import { selectedRows, summarize, toCsv } from '../../web/src/export.js';

const points = samplePoints;

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

  it('writes float32 columns (x, y, preservation) as their shortest decimal, float64 columns as they are', () => {
    const t = tableFromArrays({
      index: Int32Array.from([0, 1]),
      x: Float32Array.from([0.1, 1.7]),
      y: Float32Array.from([-2.3, 1e-7]),
      preservation: Float32Array.from([0.2, 0.8333333]),
      score: Float64Array.from([0.20000000298023224, 1 / 3]),
    });
    const p = decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
    const lines = toCsv(selectedRows(p, Uint8Array.from([1, 1]))).split('\r\n');
    expect(lines[0]).toBe('index,x,y,preservation,score');
    expect(lines[1]).toBe('0,0.1,-2.3,0.2,0.20000000298023224');
    expect(lines[2]).toBe(`1,1.7,1e-7,0.8333333,${1 / 3}`);
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
