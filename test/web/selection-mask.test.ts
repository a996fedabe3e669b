// Which rows a selection holds (rectangle, cluster, filter) and the bit set the decode endpoint reads.
import { describe, expect, it } from 'vitest';
import { indexBitset, selectionMask } from '../../web/src/app/selection-mask.js';
import { numericCategoryColumn, type DecodedPoints } from '../../web/src/points.js';
import { maskOf } from '../../server/selection.js';

const n = 10;
const points = {
  n,
  x: Float32Array.from({ length: n }, (_, i) => i),
  y: Float32Array.from({ length: n }, () => 0),
  index: Int32Array.from({ length: n }, (_, i) => 100 + i * 3),
} as unknown as DecodedPoints;
const none = { visible: null, filterRows: null, clusters: null };

describe('selectionMask', () => {
  it('takes a rectangle’s points, leaving hidden ones out', () => {
    const rect = { kind: 'rect' as const, polygon: [1.5, -1, 4.5, -1, 4.5, 1, 1.5, 1] };
    expect(selectionMask(points, rect, none)).toEqual({ mask: Uint8Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, 0]), count: 3 });
    const visible = Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
    expect(selectionMask(points, rect, { ...none, visible })!.count).toBe(2);
  });

  it('takes a cluster by its number, through the label its category carries', () => {
    const column = numericCategoryColumn('cluster', Float64Array.from([1, 1, 2, NaN, 2, 2, 1, 3, 3, NaN]));
    const labels = [1, 2, 3].map((id) => ({ id, text: `C${id} · x` }));
    column.categories = column.categories.map((c) => labels[Number(c) - 1]!.text);
    const got = selectionMask(points, { kind: 'cluster', cluster: 2 }, { ...none, clusters: { column, labels } });
    expect(got).toEqual({ mask: Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 0, 0, 0]), count: 3 });
    expect(selectionMask(points, { kind: 'cluster', cluster: 9 }, { ...none, clusters: { column, labels } })).toBeNull();
    expect(selectionMask(points, { kind: 'cluster', cluster: 1 }, none)).toBeNull();
  });

  it('takes the rows passing the filters, and nothing without a filter', () => {
    const filterRows = Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(selectionMask(points, { kind: 'filter' }, { ...none, filterRows })).toEqual({ mask: filterRows, count: 3 });
    expect(selectionMask(points, { kind: 'filter' }, none)).toBeNull();
  });
});

describe('indexBitset', () => {
  it('sets the bit of each selected row’s index value, as the server reads it', () => {
    const mask = Uint8Array.from([1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    // rows at positions 0, 3, 9 have index values 100, 109, 127
    expect(indexBitset(points.index, mask)).toBe(maskOf([100, 109, 127]));
    const bits = Buffer.from(indexBitset(points.index, mask), 'base64');
    expect(bits.length).toBe(16);
    expect(bits[12]).toBe(1 << 4); // 100 = 12 * 8 + 4
  });

  it('encodes a large selection in chunks', () => {
    const big = 300_000;
    const index = Int32Array.from({ length: big }, (_, i) => i);
    const mask = Uint8Array.from({ length: big }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const bits = Buffer.from(indexBitset(index, mask), 'base64');
    expect(bits.length).toBe(Math.ceil((big - 6) / 8));
    let set = 0;
    for (const b of bits) for (let x = b; x; x &= x - 1) set++;
    expect(set).toBe(Math.ceil(big / 7));
  });
});
