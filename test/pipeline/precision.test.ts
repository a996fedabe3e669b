// Kind 4: precision. Large magnitudes are centred in float64 before anything is narrowed to float32.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { loadCsv } from '../../pipeline/load/csv.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import { centrePrecise } from '../../pipeline/precision.js';
import { applyPreprocessing, prepare } from '../../pipeline/prepare.js';
import { readPreprocessing } from '../../pipeline/runs/run-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-precision-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000; // epoch milliseconds, November 2023

async function timestamps(rows: number, name: string): Promise<string> {
  // 1,500 ordinary rows first, so the timestamps' column also meets the tokenizer's fast lane.
  const lines = Array.from({ length: rows }, (_, i) => `${T0 + i * 1000},${((i * 37) % 100) / 10},${i % 2 ? 'a' : 'b'}`);
  const p = path.join(dir, name);
  await writeFile(p, `ts,v,label\n${lines.join('\n')}\n`);
  return p;
}

const distinct = (values: ArrayLike<number>): number => new Set(Array.from(values)).size;

describe('precision', () => {
  it('keeps 300 epoch-millisecond timestamps one second apart distinct through scaling', async () => {
    const d = await loadCsv(await timestamps(300, 'ts300.csv'));
    expect(distinct(Float32Array.from({ length: 300 }, (_, r) => d.matrix.values[r * 2]!))).toBeLessThan(10); // what float32 alone keeps
    const centred = centrePrecise(d)!;
    expect(centred.notes[0]).toMatch(/^"ts" \(around 1\.700e\+12\) holds values too large for 32-bit floats to keep apart/);
    for (const scaling of ['standardize', 'minmax', 'none'] as const) {
      const p = prepare(centred.dataset, { scaling, missing: 'drop', loss: 'mse' });
      expect(distinct(Float32Array.from({ length: 300 }, (_, r) => p.matrix.values[r * 2]!)), scaling).toBe(300);
    }
  });

  it('keeps int64 and float64 Arrow columns in float64 too when float32 cannot hold them', async () => {
    const { Table, makeVector } = await import('apache-arrow');
    const { writeFileSync } = await import('node:fs');
    const { tableToIPC } = await import('apache-arrow');
    const { loadArrow } = await import('../../pipeline/load/arrow.js');
    const p = path.join(dir, 'ts.arrow');
    const ms = BigInt64Array.from({ length: 300 }, (_, i) => BigInt(T0 + i * 1000));
    writeFileSync(p, tableToIPC(new Table({ ms: makeVector(ms), f: makeVector(Float64Array.from({ length: 300 }, (_, i) => T0 / 1000 + i + 0.5)) }), 'file'));
    const d = await loadArrow(p);
    const p2 = prepare(centrePrecise(d)!.dataset, { scaling: 'standardize', missing: 'drop', loss: 'mse' });
    for (const c of [0, 1]) expect(distinct(Float32Array.from({ length: 300 }, (_, r) => p2.matrix.values[r * 2 + c]!))).toBe(300);
  });

  it('keeps them apart past the fast lane (2,000 rows) and saves preprocessing that scales new rows in input units', async () => {
    const input = await timestamps(2000, 'ts2000.csv');
    const d = await loadCsv(input);
    expect(d.precise?.get(0)?.[1999]).toBe(T0 + 1999 * 1000);
    const r = await runPipeline(resolveConfig({ input, reducer: 'pca', codeSize: 1, iterations: 250, runsDir: path.join(dir, 'runs'), backend: 'cpu' }));
    const pre = await readPreprocessing(r.dir);
    expect(pre.offset[0]).toBeCloseTo(T0 + 999.5 * 1000, -1);
    // A new row's timestamp arrives as float32 (131,072 ms steps), so it lands within a step of the centre, not on it.
    const again = applyPreprocessing({ rows: 1, cols: 2, values: Float32Array.of(T0 + 999.5 * 1000, 5) }, pre);
    expect(Math.abs(again.values[0]!)).toBeLessThan(131072 / (pre.scale[0] ?? 1));
    expect(pre.scale[0]).toBeCloseTo(Math.sqrt((2000 * 2000 - 1) / 12) * 1000, -2);
    expect(r.manifest.notes.some((n) => n.startsWith('"ts" (around'))).toBe(true);
  });
});
