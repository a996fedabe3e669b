import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipeline/config.js';
import { runSharded } from '../../../pipeline/queue/coordinator.js';
import { readPoints } from '../../../pipeline/runs/artifacts.js';
import { createRandom } from '../../../pipeline/random.js';
import type { RunConfig } from '../../../pipeline/types.js';
import { redisUnavailable, startRedis, type TestRedis } from './redis.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const unavailable = redisUnavailable();
if (unavailable && process.env.CI === 'true') {
  throw new Error(`the queue tests need Redis: ${unavailable}; CI must provide it (.ci/run installs redis-server)`);
}
if (unavailable) console.warn(`skipping the distributed queue tests: ${unavailable}`);

/** Seeded CSV shards of 4 labelled Gaussian blobs in 12 dimensions. */
function writeShards(dir: string, shards: number, rows: number): void {
  const r = createRandom(5);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: 12 }, () => r.normal() * 5));
  for (let s = 0; s < shards; s++) {
    const lines = [[...Array.from({ length: 12 }, (_, c) => `f${c}`), 'label'].join(',')];
    for (let i = 0; i < rows; i++) {
      const c = (i + s) % 4;
      lines.push([...centres[c]!.map((m) => (m + r.normal()).toFixed(4)), `c${c}`].join(','));
    }
    writeFileSync(path.join(dir, `part-${String(s).padStart(2, '0')}.csv`), `${lines.join('\n')}\n`);
  }
}

function config(dir: string, runsDir: string, queue: string | null): RunConfig {
  return resolveConfig({}, { input: dir, reducer: 'pca', codeSize: 6, referenceRows: 600, iterations: 250, runsDir, queue, seed: 7 });
}

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startWorker(url: string): WorkerProcess {
  const child = spawn(process.execPath, [path.join(root, 'bin/latentmap.js'), 'worker', '--queue', url, '--lock-seconds', '3'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function points(dir: string): Promise<{ index: number[]; x: Float32Array; y: Float32Array; label: string[] }> {
  const t = await readPoints(dir);
  return {
    index: Array.from(t.getChild('index')!.toArray() as Int32Array),
    x: t.getChild('x')!.toArray() as Float32Array,
    y: t.getChild('y')!.toArray() as Float32Array,
    label: Array.from({ length: t.numRows }, (_, i) => String(t.getChild('label')!.get(i))),
  };
}

describe.skipIf(unavailable !== null)('sharded runs over BullMQ on a real Redis', () => {
  let redis: TestRedis;
  let tmp: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'latentmap-queue-'));
  }, 30000);
  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await w.exited;
    }
    await redis?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('three workers, one killed mid-shard, give the single-process points; the run appears only when every shard is in', async () => {
    const shards = path.join(tmp, 'shards');
    const { existsSync, mkdirSync, readdirSync } = await import('node:fs');
    mkdirSync(shards);
    writeShards(shards, 6, 900);

    const single = await runSharded(config(shards, path.join(tmp, 'runs-single'), null));
    expect(single.manifest.dataset.rows).toBe(5400);
    const placedHere = single.manifest.metrics.sharded as { workers: number; shards: { cpuSeconds: number | null }[]; rowsPerCpuSecond: number | null };
    expect(placedHere.workers).toBe(1);
    for (const s of placedHere.shards) expect(s.cpuSeconds).toBeGreaterThan(0);
    expect(placedHere.rowsPerCpuSecond).toBeCloseTo(5400 / placedHere.shards.reduce((a, s) => a + s.cpuSeconds!, 0), 6);

    for (let w = 0; w < 3; w++) workers.push(startWorker(redis.url));
    const runsDir = path.join(tmp, 'runs-queue');
    const logs: string[] = [];
    const running = runSharded(config(shards, runsDir, redis.url), { log: (m) => logs.push(m) });
    // kill the first worker that starts a shard, in the middle of it
    const killed = await new Promise<WorkerProcess>((resolve, reject) => {
      const deadline = Date.now() + 180000;
      const timer = setInterval(() => {
        const w = workers.find((p) => p.lines.some((l) => /started \(attempt 1\)/.test(l)));
        if (w) {
          clearInterval(timer);
          w.child.kill('SIGKILL');
          resolve(w);
        } else if (Date.now() > deadline) {
          clearInterval(timer);
          reject(new Error(`no worker started a shard: ${workers.map((p) => p.lines.join(' | ')).join(' || ')}`));
        }
      }, 20);
    });
    // while shards are out, nothing is visible in the runs directory but hidden work
    const visible = (): string[] => (existsSync(runsDir) ? readdirSync(runsDir).filter((e) => !e.startsWith('.')) : []);
    expect(visible()).toEqual([]);
    const result = await running;
    await killed.exited;
    expect(visible()).toEqual([result.id]);
    const shardOfKilled = /shard (\d+) of run/.exec(killed.lines.find((l) => /started \(attempt 1\)/.test(l))!)![1];
    const sharded = result.manifest.metrics.sharded as { workers: number; shards: { worker: string; seconds: number; cpuSeconds: number | null }[]; rowsPerCpuSecond: number | null };
    expect(result.manifest.dataset.rows).toBe(5400);
    // the killed worker's shard was placed again by a live one
    expect(sharded.shards.every((s) => !s.worker.endsWith(`:${killed.child.pid}`))).toBe(true);
    const live = workers.filter((w) => w !== killed);
    expect(live.some((w) => w.lines.some((l) => new RegExp(`shard ${shardOfKilled} of run .*: 900 rows in`).test(l)))).toBe(true);
    expect(logs.filter((l) => /rows placed by/.test(l))).toHaveLength(6);
    // every shard's CPU seconds are recorded (the placing thread's included; 0 only for a job that found its
    // output written by an earlier attempt whose lock had expired), and rows per CPU second is the rows over their sum
    for (const s of sharded.shards) expect(s.cpuSeconds! > 0 || s.seconds === 0).toBe(true);
    const cpu = sharded.shards.reduce((a, s) => a + s.cpuSeconds!, 0);
    expect(cpu).toBeGreaterThan(0);
    expect(sharded.rowsPerCpuSecond).toBeCloseTo(5400 / cpu, 6);

    // both runs are whole as the server checks a run (every artifact the manifest lists is there: an outside
    // tester's sharded run was refused as corrupt, its features.arrow listed and missing)
    const { checkRun } = await import('../../../pipeline/runs/run-check.js');
    for (const run of [single, result]) {
      const check = await checkRun(run.dir, run.id);
      expect(check.problem).toBeNull();
      expect(check.state).toBe('complete');
    }
    const a = await points(single.dir);
    const b = await points(result.dir);
    expect(b.index).toEqual(a.index);
    expect(b.label).toEqual(a.label);
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    // a placed map, not zeros: the four blobs are apart
    let spread = 0;
    for (const v of b.x) spread = Math.max(spread, Math.abs(v));
    expect(spread).toBeGreaterThan(1);
    // the work files beside the shards are gone
    expect(readdirSync(shards).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 400000);
});
