import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRows } from '../../../pipeline/commands/write-rows.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-writerows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeRows (reconstruct and sample output)', () => {
  it('writes float32 values in the fewest digits that read back to the same float32, and metadata as read', async () => {
    const file = path.join(dir, 'rows.csv');
    const values = Float32Array.of(0.1, 0.8792117238044739, 1e-7, -2.5, 123456.789, 3);
    await writeRows(file, { rows: 2, cols: 3, values }, ['a', 'b', 'c'], 'csv', {
      before: [{ name: 'zip', kind: 'string', values: ['02134', 'x,"y"'] }],
      after: [{ name: 'reconstruction_error', values: Float32Array.of(0.25, 0.0013653901405632496) }],
    });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toEqual(['zip,a,b,c,reconstruction_error', '02134,0.1,0.8792117,1e-7,0.25', '"x,""y""",-2.5,123456.79,3,0.0013653901']);
    // Every written number reads back to exactly the float32 that was written.
    const cells = lines.slice(1).flatMap((l) => l.split(',').slice(-4)).map(Number);
    expect(cells.map((v) => Math.fround(v))).toEqual([...Array.from(values.subarray(0, 3)), 0.25, ...Array.from(values.subarray(3)), Math.fround(0.0013653901405632496)].map((v) => Math.fround(v)));
  });
});
