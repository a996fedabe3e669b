import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDataLayout } from '../server/data-rows.js';
import { runTask } from '../server/read-tasks.js';
import { writeFixtureRun } from '../test/server/fixtures.js';
const dir = await mkdtemp(path.join(tmpdir(), 's3-'));
const rows = Number(process.argv[2] ?? 20000);
await writeFixtureRun(dir, { id: 'big', rows, codeSize: 32, image: { width: 28, height: 28, channels: 1 }, seed: 7 });
const { layout } = await readDataLayout(path.join(dir, 'big', 'data.arrow'));
const scaling = { scale: new Float64Array(784).fill(1), fill: new Float64Array(784) };
for (const n of [1, 1, 5, 30]) {
  const t = performance.now();
  await runTask({ op: 'nearest-input', layout, scaling, rows: Int32Array.from({ length: n }, (_, i) => i * 3), k: new Int32Array(n).fill(10) });
  console.log(rows, n, (performance.now() - t).toFixed(0), 'ms');
}
