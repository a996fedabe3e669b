import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FlagError } from '../../bench/flags.js';
import { rowCountFlag, rowsAt, sampleOf, type BaseImages } from '../../bench/scale-data.js';
import { createRandom } from '../../pipeline/random.js';

/** Five 28 x 28 images whose every pixel differs from its neighbours (a shift always shows). */
function base(): BaseImages {
  const rows = 5;
  const values = new Float32Array(rows * 784);
  for (let i = 0; i < rows; i++) for (let p = 0; p < 784; p++) values[i * 784 + p] = ((i * 37 + p * 11) % 251) / 250;
  return { rows, values, names: ['a', 'b', 'c', 'd', 'e'] };
}

const row = (pixels: Uint8Array, i: number): number[] => Array.from(pixels.subarray(i * 784, (i + 1) * 784));

describe('bench:scale data', () => {
  it('rows below the images count are the images unshifted; later rows are image r mod count moved by createRandom(r)', () => {
    const b = base();
    const { pixels, labels } = rowsAt([3, 12], b);
    expect(row(pixels, 0)).toEqual(Array.from(b.values.subarray(3 * 784, 4 * 784), (v) => Math.round(255 * v)));
    const random = createRandom(12);
    const dx = random.int(5) - 2;
    const dy = random.int(5) - 2;
    const want: number[] = [];
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const [sy, sx] = [y - dy, x - dx];
        want.push(sy < 0 || sy >= 28 || sx < 0 || sx >= 28 ? 0 : Math.round(255 * b.values[2 * 784 + sy * 28 + sx]!));
      }
    expect(row(pixels, 1)).toEqual(want);
    expect(labels).toEqual(['d', 'c']);
  });

  it('a sampled row is the same bytes and label as that row of the whole construction', () => {
    const b = base();
    const all = rowsAt(Int32Array.from({ length: 60 }, (_, i) => i), b);
    const rows = sampleOf(20, 60, 7);
    const some = rowsAt(rows, b);
    rows.forEach((r, i) => {
      expect(row(some.pixels, i)).toEqual(row(all.pixels, r));
      expect(some.labels[i]).toBe(all.labels[r]);
    });
  });

  it('sampleOf: n distinct rows of 0..of-1 in increasing order, the same for a seed, nested across sizes, all rows at n = of', () => {
    const a = sampleOf(700, 10000, 1);
    expect(a.length).toBe(700);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]!);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a.at(-1)).toBeLessThan(10000);
    expect(Array.from(sampleOf(700, 10000, 1))).toEqual(Array.from(a));
    expect(Array.from(sampleOf(700, 10000, 2))).not.toEqual(Array.from(a));
    const bigger = new Set(sampleOf(2500, 10000, 1));
    expect(Array.from(a).every((r) => bigger.has(r))).toBe(true);
    expect(Array.from(sampleOf(10000, 10000, 1))).toEqual(Array.from({ length: 10000 }, (_, i) => i));
    // uniform over the rows: the plain first 700 of 10,000 hold about 7 % of the sample (49 expected, sd about 7)
    const plain = Array.from(a).filter((r) => r < 700).length;
    expect(plain).toBeGreaterThan(20);
    expect(plain).toBeLessThan(80);
  });

  it('reads a row-count flag as parseSize does (10k, 1m, 2.5k), refusing anything else and 0 in one line', () => {
    expect(rowCountFlag('10k', 'sizes')).toBe(10000);
    expect(rowCountFlag('1M', 'sizes')).toBe(1000000);
    expect(rowCountFlag('2.5k', 'rows')).toBe(2500);
    expect(rowCountFlag('30000', 'rows')).toBe(30000);
    expect(() => rowCountFlag('10x', 'sizes')).toThrow(FlagError);
    expect(() => rowCountFlag('0', 'sizes')).toThrow('--sizes takes row counts like 10k, 250000 or 1m, got "0"');
    expect(() => rowCountFlag('', 'sample-of')).toThrow('--sample-of takes row counts like 10k, 250000 or 1m, got ""');
  });

  it('bench:scale -- --help documents --sample-of; a size above it is refused before any work', () => {
    expect(execFileSync('npx', ['tsx', 'bench/scale.ts', '--help'], { encoding: 'utf8', timeout: 60_000 })).toContain('--sample-of N');
    const r = spawnSync('npx', ['tsx', 'bench/scale.ts', '--sizes', '70k,2m', '--sample-of', '1m'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--sample-of 1000000: every size must be at most that');
  }, 130_000);

  it('bench:scale --queue without a URL on a machine without redis-server: one line naming what is missing, exit 1', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/nonexistent' };
    delete env.LATENTMAP_TEST_REDIS;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale.ts', '--queue'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.stderr).toMatch(/^bench\/scale\.ts: --queue without a URL starts Debian's redis-server here, but redis-server is not installed .*; or give --queue redis:\/\/host:port\n$/);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
  }, 70_000);
});
