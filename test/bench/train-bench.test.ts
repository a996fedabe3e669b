import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench/train.ts', () => {
  // it broke when the run's defaults became auto (autoencoderOptions refuses unresolved values): a tiny real run
  it('trains its fixed model and prints the table (200 rows, 1 epoch, our engine only)', () => {
    const env = { ...process.env, BENCH_ROWS: '200', BENCH_EPOCHS: '1', BENCH_METHODS: 'engine', BENCH_BACKENDS: 'wasm', BENCH_BATCHES: '64' };
    const r = spawnSync('npx', ['tsx', 'bench/train.ts'], { encoding: 'utf8', env, timeout: 170_000 });
    expect(r.stderr).not.toMatch(/Error|at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wasm\s+64\s+engine 1thr\s+200\s+\d+/);
    expect(r.stdout).toMatch(/wasm\s+64\s+engine 2thr\s+200\s+\d+/);
  }, 180_000);
});
