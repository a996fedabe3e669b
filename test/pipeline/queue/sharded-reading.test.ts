// A sharded run reads every shard as a single run reads its file: --header/--no-header, --features/--exclude,
// identifier and row-number columns left out, the label column; the reference sample and the shard jobs agree.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipeline/config.js';
import { runSharded } from '../../../pipeline/queue/coordinator.js';
import { readPoints } from '../../../pipeline/runs/artifacts.js';
import { createRandom } from '../../../pipeline/random.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'latentmap-sharded-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Headerless shards: a row number, two features of three blobs, a noise column, the blob's name. */
function writeShards(dir: string): string[][] {
  mkdirSync(dir, { recursive: true });
  const r = createRandom(11);
  const labels: string[][] = [];
  for (let s = 0; s < 3; s++) {
    const lines: string[] = [];
    const names: string[] = [];
    for (let i = 0; i < 70; i++) {
      const g = (i + s) % 3;
      names.push(`blob${g}`);
      lines.push([String(i + 1), (g * 4 + r.normal()).toFixed(3), (g * -3 + r.normal()).toFixed(3), (r() * 1000).toFixed(1), `blob${g}`].join(','));
    }
    labels.push(names);
    writeFileSync(path.join(dir, `part-${s}.csv`), `${lines.join('\n')}\n`);
  }
  return labels;
}

describe('a sharded run reads its shards as the configuration says', () => {
  it('--no-header, --exclude and a row-number column: every shard read alike, the map made of the chosen features', async () => {
    const shards = path.join(tmp, 'shards');
    const labels = writeShards(shards);
    const config = resolveConfig({}, { input: shards, header: 'no', exclude: ['col_4'], labelColumn: 'col_5', reducer: 'pca', referenceRows: 90, iterations: 250, runsDir: path.join(tmp, 'runs'), seed: 3 });
    const result = await runSharded(config);
    const m = result.manifest;
    // col_1 counts rows (left out, kept as metadata), col_4 is excluded; col_5 is the label.
    expect(m.dataset.features).toEqual(['col_2', 'col_3']);
    expect(m.dataset.label).toBe('col_5');
    expect(m.dataset.metadata).toEqual(expect.arrayContaining(['col_1', 'col_4']));
    expect(m.dataset.rows).toBe(210);
    expect(m.config.header).toBe('no');
    const t = await readPoints(result.dir);
    expect(t.numRows).toBe(210);
    expect(Array.from({ length: 210 }, (_, i) => String(t.getChild('label')!.get(i)))).toEqual(labels.flat());
    const rowNumber = t.getChild('col_1')!;
    expect(Array.from({ length: 3 }, (_, i) => Number(rowNumber.get(70 + i)))).toEqual([1, 2, 3]);
    const xs = t.getChild('x')!.toArray() as Float32Array;
    expect(xs.every((v) => Number.isFinite(v))).toBe(true);
  });
});

describe('a sharded run whose queue cannot be reached', () => {
  it('fails within the connection timeout, before the reference run, leaving nothing beside the shards or in the runs directory', async () => {
    const { existsSync, readdirSync } = await import('node:fs');
    const shards = path.join(tmp, 'shards-unreachable');
    writeShards(shards);
    const runsDir = path.join(tmp, 'runs-unreachable');
    // port 9 (discard): nothing listens there
    const config = resolveConfig({}, { input: shards, header: 'no', labelColumn: 'col_5', reducer: 'pca', referenceRows: 90, iterations: 250, runsDir, seed: 3, queue: 'redis://127.0.0.1:9' });
    const stages: string[] = [];
    await expect(runSharded(config, { onProgress: (_p, stage) => stages.push(stage) })).rejects.toThrow(/cannot reach the queue at redis:\/\/127\.0\.0\.1:9 within \d+ s; is Redis running there\?/);
    // an outside tester's coordinator ran the whole reference run (minutes) before it first tried Redis
    expect(stages).toEqual([]);
    expect(readdirSync(shards).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(existsSync(runsDir) ? readdirSync(runsDir) : []).toEqual([]);
  }, 30_000);
});
