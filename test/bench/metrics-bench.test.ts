import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench/metrics.ts', () => {
  it('refuses an unknown flag with one line and exit 2, before loading any data', () => {
    const r = spawnSync('npx', ['tsx', 'bench/metrics.ts', '--row', '5'], { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).toBe('bench/metrics.ts: unknown flag --row; did you mean --rows? (see --help)\n');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 120_000);
});
