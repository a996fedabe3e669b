import { tableFromArrays, tableFromIPC, tableToIPC, vectorFromArray, Table, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { categoryColumn, compareCategories, decodeAttributes, decodeCoordinates, decodePoints, fitExtent, indexLookup, readIndex } from '../../web/src/points.js';

function roundTrip(t: Table): Table {
  return tableFromIPC(tableToIPC(t, 'stream'));
}

describe('decodePoints', () => {
  it('reads coordinates, index, error and a numeric label as categories in numeric order', () => {
    const t = roundTrip(
      tableFromArrays({
        index: Int32Array.from([0, 1, 2, 3]),
        x: Float32Array.from([0, 1, 2, 3]),
        y: Float32Array.from([3, 2, 1, 0]),
        error: Float32Array.from([0.1, 0.2, 0.3, 0.4]),
        label: Int32Array.from([10, 2, 10, 1]),
      }),
    );
    const p = decodePoints(t);
    expect(p.n).toBe(4);
    expect(Array.from(p.x)).toEqual([0, 1, 2, 3]);
    expect(p.error).not.toBeNull();
    expect(p.label!.categories).toEqual(['1', '2', '10']);
    expect(Array.from(p.label!.codes)).toEqual([2, 1, 2, 0]);
    expect(p.label!.counts).toEqual([1, 1, 2]);
    expect(p.columns.map((c) => c.name)).toEqual(['label', 'error']);
    expect(p.extent).toEqual({ xmin: 0, xmax: 3, ymin: 0, ymax: 3 });
  });

  it('decodes coordinates without an index in input order, and takes the run\'s index into the same array later', () => {
    const first = roundTrip(tableFromArrays({ x: Float32Array.from([0, 1, 2]), y: Float32Array.from([2, 1, 0]), label: Int8Array.from([1, 0, 1]) }));
    const coords = decodeCoordinates(first);
    const index = coords.index;
    expect(Array.from(index)).toEqual([0, 1, 2]);
    const rest = roundTrip(tableFromArrays({ index: Int32Array.from([7, 3, 9]), label: Int8Array.from([1, 0, 1]), error: Float32Array.from([0.5, 0.25, 1]) }));
    expect(readIndex(rest, coords.index)).toBe(true);
    expect(coords.index).toBe(index);
    expect(Array.from(index)).toEqual([7, 3, 9]);
    const p = decodeAttributes(coords, rest);
    expect(p.index).toBe(index);
    expect(p.columns.map((c) => c.name)).toEqual(['label', 'error']);
    expect(readIndex(first, new Int32Array(3))).toBe(false);
    expect(() => readIndex(rest, new Int32Array(2))).toThrow(/3 rows, their coordinates 2/);
  });

  it('codes narrow integer labels as it codes the same labels stored as floats', () => {
    const labels = [3, 0, 3, 9, -1, 0];
    const base = { x: Float32Array.from(labels, (_, i) => i), y: Float32Array.from(labels, (_, i) => -i) };
    const ints = decodePoints(roundTrip(tableFromArrays({ ...base, label: Int8Array.from(labels) })));
    const floats = decodePoints(roundTrip(tableFromArrays({ ...base, label: Float64Array.from(labels) })));
    expect(ints.label!.categories).toEqual(['-1', '0', '3', '9']);
    expect(ints.label).toEqual(floats.label);
    expect(ints.raw[0].get(3)).toBe(9);
  });

  it('keeps text metadata as categories, marks new points, and treats nulls as missing', () => {
    const t = roundTrip(
      new Table({
        x: vectorFromArray([0, 1, 2], undefined),
        y: vectorFromArray([0, 1, 2], undefined),
        species: vectorFromArray(['b', null, 'a'], new Utf8()),
        isNew: vectorFromArray([false, true, false]),
      }),
    );
    const p = decodePoints(t);
    const species = p.columns.find((c) => c.name === 'species')!;
    expect(species.kind).toBe('category');
    if (species.kind !== 'category') return;
    expect(species.categories).toEqual(['a', 'b']);
    expect(Array.from(species.codes)).toEqual([1, -1, 0]);
    expect(species.missing).toBe(1);
    expect(Array.from(p.isNew!)).toEqual([0, 1, 0]);
    const placement = p.columns.find((c) => c.name === 'placement')!;
    expect(placement.kind === 'category' && placement.categories).toEqual(['base run', 'new (transform)']);
    expect(Array.from(p.index)).toEqual([0, 1, 2]); // no index column: input order
    expect(p.raw.find((c) => c.name === 'species')!.get(1)).toBeNull();
  });

  it('treats a real-valued metadata column as numeric with its range', () => {
    const p = decodePoints(roundTrip(tableFromArrays({ x: Float32Array.from([0, 1]), y: Float32Array.from([0, 1]), score: Float64Array.from([0.5, 2.25]) })));
    const score = p.columns.find((c) => c.name === 'score')!;
    expect(score.kind).toBe('number');
    if (score.kind === 'number') expect([score.min, score.max]).toEqual([0.5, 2.25]);
  });

  it('refuses a table without coordinates, naming the missing column', () => {
    expect(() => decodePoints(roundTrip(tableFromArrays({ x: Float32Array.from([1]) })))).toThrow(/no y column/);
  });
});

describe('categories and lookups', () => {
  it('orders numbers numerically before text', () => {
    expect(['b', '10', 'a', '9'].sort(compareCategories)).toEqual(['9', '10', 'a', 'b']);
  });

  it('counts every category', () => {
    const c = categoryColumn('c', ['x', 'y', 'x', null]);
    expect(c.counts).toEqual([2, 1]);
    expect(c.missing).toBe(1);
  });

  it('maps row indexes to positions, identity or not', () => {
    const id = indexLookup(Int32Array.from([0, 1, 2]));
    expect([id(0), id(2), id(3), id(-1)]).toEqual([0, 2, -1, -1]);
    const shuffled = indexLookup(Int32Array.from([5, 3, 9]));
    expect([shuffled(9), shuffled(5), shuffled(0)]).toEqual([2, 0, -1]);
  });
});

describe('fitExtent', () => {
  it('fits the full range of a compact map', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 100) / 10);
    const y = Float32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
    const e = fitExtent(x, y);
    expect([e.xmin, e.ymin, e.ymax]).toEqual([0, 0, 9]);
    expect(e.xmax).toBeCloseTo(9.9, 5);
  });

  it('leaves a far outlier outside so it cannot squeeze the rest of the map', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 100) / 10);
    const y = Float32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
    x[0] = 500;
    const e = fitExtent(x, y);
    expect(e.xmax).toBeLessThan(12);
    expect(e.xmax).toBeGreaterThanOrEqual(9.9);
    expect(e.xmin).toBe(0);
  });

  it('fits every cluster of a million rows stored in a repeating order (row i in cluster i % 10)', () => {
    const n = 1_000_000;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * (i % 10)) / 10;
      x[i] = 30 * Math.cos(a) + ((i * 7919) % 1000) / 500 - 1;
      y[i] = 30 * Math.sin(a) + ((i * 104729) % 1000) / 500 - 1;
    }
    const e = fitExtent(x, y);
    expect(e.xmin).toBeLessThan(-29);
    expect(e.xmax).toBeGreaterThan(29);
    expect(e.ymin).toBeLessThan(-27);
    expect(e.ymax).toBeGreaterThan(27);
  });
});
