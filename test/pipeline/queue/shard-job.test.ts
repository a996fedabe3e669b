import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipeline/config.js';
import { runPipeline } from '../../../pipeline/pipeline.js';
import { createRandom } from '../../../pipeline/random.js';
import { PLACED_FILE, placeShard, releaseReferences, shardOutput, type ShardJob } from '../../../pipeline/queue/shard-job.js';

/** Seeded CSV rows of 3 labelled blobs in 6 dimensions. */
function csv(file: string, rows: number, seed: number): void {
  const r = createRandom(seed);
  const lines = ['a,b,c,d,e,f,label'];
  for (let i = 0; i < rows; i++) lines.push([...Array.from({ length: 6 }, (_, c) => (((i % 3) === c % 3 ? 4 : 0) + r.normal()).toFixed(4)), `k${i % 3}`].join(','));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('a shard job run again after its outputs were written', () => {
  let tmp: string;
  let job: ShardJob;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'latentmap-shard-job-'));
    csv(path.join(tmp, 'reference.csv'), 300, 1);
    csv(path.join(tmp, 'part-00.csv'), 120, 2);
    const reference = await runPipeline(resolveConfig({}, { input: path.join(tmp, 'reference.csv'), reducer: 'pca', codeSize: 3, iterations: 250, runsDir: path.join(tmp, 'runs'), seed: 3 }), { id: 'reference' });
    job = { runId: 'r', workDir: path.join(tmp, 'work'), referenceDir: reference.dir, shard: path.join(tmp, 'part-00.csv'), index: 0, labelColumn: 'label' };
    // as the coordinator makes it
    mkdirSync(path.join(job.workDir, 'shards'), { recursive: true });
  }, 120000);
  afterAll(async () => {
    await releaseReferences(null);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("reports the placing attempt's seconds, CPU seconds and worker, not zeros for the repeat", async () => {
    const first = await placeShard(job);
    expect(first.reused).toBe(false);
    expect(first.rows).toBe(120);
    expect(first.seconds).toBeGreaterThan(0);
    expect(first.cpuSeconds).toBeGreaterThan(0);
    const record = JSON.parse(readFileSync(path.join(shardOutput(job.workDir, 0), PLACED_FILE), 'utf8')) as Record<string, unknown>;
    expect(record).toEqual({ rows: 120, seconds: first.seconds, cpuSeconds: first.cpuSeconds, worker: `${os.hostname()}:${process.pid}` });

    const again = await placeShard(job);
    expect(again).toEqual({ index: 0, rows: 120, seconds: first.seconds, cpuSeconds: first.cpuSeconds, reused: true, placedBy: `${os.hostname()}:${process.pid}` });

    // outputs of an older worker (no record): their cost is unknown, reported as 0, with no worker named
    rmSync(path.join(shardOutput(job.workDir, 0), PLACED_FILE));
    expect(await placeShard(job)).toEqual({ index: 0, rows: 120, seconds: 0, cpuSeconds: 0, reused: true });
  }, 120000);

  it('writes nothing once the run ended and its work directory is gone (a failed run left an attempt still placing)', async () => {
    const gone = { ...job, workDir: path.join(tmp, 'ended-run'), index: 1 };
    await expect(placeShard(gone)).rejects.toThrow(/work directory .*ended-run is gone \(the run ended: finished, failed or cancelled\); shard 2 is not written/);
    expect(existsSync(gone.workDir)).toBe(false);
  }, 120000);
});
