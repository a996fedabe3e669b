import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metaColumnFrom, pointsToRows, readCodes, readData, readPoints, writeCodes, writeData, writePoints } from '../../../pipeline/runs/artifacts.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-artifacts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('points.arrow', () => {
  it('round-trips coordinates, error, label and metadata in input order', async () => {
    const file = path.join(dir, 'points.arrow');
    await writePoints(dir, {
      index: Int32Array.from([0, 2, 5]),
      embedding: Float32Array.from([1, 2, 3, 4, 5, 6]),
      error: Float32Array.from([0.1, 0.2, 0.3]),
      label: { name: 'species', kind: 'string', values: ['a', 'b', null] },
      metadata: [
        { name: 'weight', kind: 'number', values: Float64Array.from([1.5, 2.5, NaN]) },
        { name: 'x', kind: 'number', values: Float64Array.from([7, 8, 9]) },
      ],
    });
    const t = tableFromIPC(await readFile(file));
    expect(t.schema.fields.map((f) => f.name)).toEqual(['index', 'x', 'y', 'error', 'label', 'weight', 'x_']);
    expect(t.schema.fields[0]!.type.toString()).toBe('Int32');
    expect(t.schema.fields[1]!.type.toString()).toBe('Float32');
    const rows = pointsToRows(await readPoints(dir));
    expect(rows[1]).toMatchObject({ index: 2, x: 3, y: 4, label: 'b', weight: 2.5, x_: 8 });
    expect(rows[2]!.label).toBeNull();
    expect(rows[0]!.error).toBeCloseTo(0.1);
  });

  it('stores integral numeric labels as int32 and marks transformed points', async () => {
    await writePoints(dir, {
      index: Int32Array.from([0, 1]),
      embedding: new Float32Array(4),
      label: { name: 'digit', kind: 'number', values: Float64Array.from([3, 7]) },
      isNew: Uint8Array.from([0, 1]),
    });
    const t = await readPoints(dir);
    expect(t.getChild('label')!.type.toString()).toBe('Int32');
    expect(pointsToRows(t).map((r) => r.isNew)).toEqual([false, true]);
    expect(metaColumnFrom(t, 'label')).toEqual({ name: 'label', kind: 'number', values: Float64Array.from([3, 7]) });
  });

  it('refuses columns whose lengths disagree', async () => {
    await expect(
      writePoints(dir, { index: Int32Array.from([0, 1]), embedding: new Float32Array(4), error: new Float32Array(3) }),
    ).rejects.toThrow(/error/);
  });
});

describe('codes.arrow and data.arrow', () => {
  it('round-trip a matrix as fixed-size lists', async () => {
    const values = Float32Array.from({ length: 12 }, (_, i) => i / 4);
    const index = Int32Array.from([4, 5, 6, 7]);
    await writeCodes(dir, { rows: 4, cols: 3, values }, index);
    const back = await readCodes(dir);
    expect(back.codes.rows).toBe(4);
    expect(back.codes.cols).toBe(3);
    expect(Array.from(back.codes.values)).toEqual(Array.from(values));
    expect(Array.from(back.index)).toEqual([4, 5, 6, 7]);
    await writeData(dir, { rows: 2, cols: 6, values }, Int32Array.from([0, 1]));
    const d = await readData(dir);
    expect(d.values.cols).toBe(6);
    expect(Array.from(d.values.values)).toEqual(Array.from(values));
  });
});
