import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench/quality-seeds.ts: a --row that cannot fit a table', () => {
  // iris has 150 rows: perplexity 60 needs 181 (3 neighbours per unit); the run is refused before any map or judge
  it('is one line naming the table, the row and the field, exit 2, no stack trace', () => {
    const r = spawnSync('npx', ['tsx', 'bench/quality-seeds.ts', '--datasets', 'iris', '--seeds', '42', '--no-default', '--row', 'p60={"perplexity":60}'], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.stderr).toMatch(/^bench\/quality-seeds\.ts: iris, row "p60": field "perplexity": perplexity 60 needs at least 181 rows .*; use a perplexity of at most 49\.66 or auto\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 120_000);
});
