// Reads the `mnist` package's 10,000 digits (784 values in [0, 1]) for benchmarks, in the package's order.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Matrix } from '../pipeline/types.js';

export function mnistDigits(limit = 10000): { matrix: Matrix; labels: Int32Array } {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const per: number[][] = [];
  for (let d = 0; d < 10; d++) per.push((JSON.parse(readFileSync(path.join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  const counts = per.map((p) => Math.floor(p.length / 784));
  const total = Math.min(limit, counts.reduce((a, b) => a + b, 0));
  const values = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  // Interleave the digits (0, 1, ..., 9, 0, 1, ...) so any prefix is balanced.
  const next = new Array<number>(10).fill(0);
  let r = 0;
  while (r < total) {
    for (let d = 0; d < 10 && r < total; d++) {
      if (next[d]! >= counts[d]!) continue;
      const i = next[d]!++;
      for (let c = 0; c < 784; c++) values[r * 784 + c] = per[d]![i * 784 + c]!;
      labels[r++] = d;
    }
  }
  return { matrix: { rows: total, cols: 784, values }, labels };
}
