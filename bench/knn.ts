// npm run bench:knn [-- --sizes 10000,70000] [--k 90] [--baseline scratch/knn-baseline.ts] [--repeat 1]
//
// Neighbour search of the t-SNE stage on Fashion-MNIST (Debian's dataset-fashion-mnist), first 50
// principal components as bench/tsne.ts makes them, k = 90 (perplexity 30). For each size: seconds and
// recall@k against knnExact of knnExact (up to 20,000 rows), `knn` with its default method, knnApprox
// and knnParallel (two threads from 20,000 rows; the same graph as knnApprox); with
// --baseline, the same for an older knn.ts (e.g. `git show <rev>:pipeline/tsne/knn.ts`), run back to back
// in this process so load from other work on the machine affects both alike. CPU seconds (of this
// process, all its threads) are printed beside wall seconds: on a shared machine they vary less. The 50 PCs and the exact
// neighbours are cached in $TMPDIR/latentmap-knn-bench (the exact search at 70,000 takes minutes).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Matrix, NeighborGraph } from '../pipeline/types.js';
import { loadDataset } from '../pipeline/load/index.js';
import { fitPca, pcaTransform } from '../pipeline/reduce/pca.js';
import * as current from '../pipeline/tsne/knn/index.js';
import { knnParallel } from '../pipeline/tsne/knn/index.js';
import { readFlags } from './flags.js';

const { sizes, k, baseline: baselinePath, repeat } = readFlags(import.meta.url, {
  sizes: { type: 'integer-list', default: [10000, 70000], min: 1 },
  k: { type: 'integer', default: 90, min: 1 },
  baseline: { type: 'string', default: '' },
  repeat: { type: 'integer', default: 1, min: 1 },
});
const cache = join(tmpdir(), 'latentmap-knn-bench');
mkdirSync(cache, { recursive: true });

type KnnModule = typeof current;

async function pcs(n: number): Promise<Matrix> {
  const file = join(cache, `pcs-${n}.f32`);
  if (existsSync(file)) return { rows: n, cols: 50, values: new Float32Array(readFileSync(file).buffer.slice(0)) };
  const ds = await loadDataset({ dataset: 'fashion-mnist', input: null, labelColumn: null, dataDir: null, limit: n });
  const x = pcaTransform(fitPca(ds.matrix, 50, 0), ds.matrix);
  writeFileSync(file, Buffer.from(x.values.buffer, x.values.byteOffset, x.values.byteLength));
  return { rows: n, cols: 50, values: x.values.slice(0, n * 50) };
}

function truth(x: Matrix): Int32Array {
  const file = join(cache, `exact-${x.rows}-k${k}.i32`);
  if (existsSync(file)) return new Int32Array(readFileSync(file).buffer.slice(0));
  const t = performance.now();
  const g = current.knnExact(x, k);
  console.log(`  exact neighbours for the recall: ${((performance.now() - t) / 1000).toFixed(2)} s (cached from now on)`);
  writeFileSync(file, Buffer.from(g.indices.buffer));
  return g.indices;
}

function recall(g: NeighborGraph, exact: Int32Array): number {
  let hits = 0;
  const mark = new Int32Array(g.n).fill(-1);
  for (let i = 0; i < g.n; i++) {
    for (let t = 0; t < k; t++) mark[exact[i * k + t]!] = i;
    for (let t = 0; t < k; t++) if (mark[g.indices[i * k + t]!] === i) hits++;
  }
  return hits / (g.n * k);
}

async function main(): Promise<void> {
  const base = baselinePath ? ((await import(pathToFileURL(resolve(baselinePath)).href)) as KnnModule) : null;
  for (const n of sizes) {
    const x = await pcs(n);
    const exact = truth(x);
    console.log(`\nn = ${n} x ${x.cols}, k = ${k}`);
    const runs: [string, () => NeighborGraph | Promise<NeighborGraph>][] = [];
    if (base) {
      if (n <= 20000) runs.push(['baseline knnExact', () => base.knnExact(x, k)]);
      runs.push(['baseline knnApprox', () => base.knnApprox(x, k, { seed: 42 })]);
    }
    if (n <= 20000) runs.push(['knnExact', () => current.knnExact(x, k)]);
    const auto = current.useApprox(x, k, {}) ? 'approx' : 'exact';
    runs.push([`knn (auto: ${auto})`, () => current.knn(x, k, { seed: 42 })]);
    runs.push(['knnApprox', () => current.knnApprox(x, k, { seed: 42 })]);
    runs.push(['knnParallel (2 threads)', () => knnParallel(x, k, { seed: 42 })]);
    for (let r = 0; r < repeat; r++) {
      for (const [name, run] of runs) {
        const t = performance.now();
        const cpu = process.cpuUsage();
        const g = await run();
        const s = (performance.now() - t) / 1000;
        const used = process.cpuUsage(cpu);
        const c = (used.user + used.system) / 1e6;
        console.log(`  ${name.padEnd(32)} ${s.toFixed(2).padStart(7)} s wall ${c.toFixed(2).padStart(7)} s cpu   recall@${k} ${recall(g, exact).toFixed(4)}`);
      }
    }
  }
}

await main();
