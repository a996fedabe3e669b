// npm run bench:umap [-- --sizes 10000,70000] [--no-peers] [--no-umap-learn] [--no-umap-js] [--umap-js-max 10000]
//                      [--sample 2000] [--twice]
//
// Fashion-MNIST (Debian's dataset-fashion-mnist), first 50 principal components (our PCA), UMAP with
// default settings (15 neighbours, min_dist 0.1, spread 1, umap-learn's epochs: 500 up to 10,000 rows, 200
// beyond) for every implementation. A table per size: seconds for the whole fit (neighbours, graph,
// initialization, layout), the time as a ratio to umap-learn measured in the same run on the same input,
// trustworthiness@10 and 10-NN label accuracy (our metrics, the same for every row, on `--sample` points;
// on 2,000 sampled points of a 70,000-point map, label accuracy moves by about 0.01 from one sample to another,
// so compare methods at 70,000 with --sample 10000).
// Peers: umap-learn (Debian's, /usr/bin/python3: its first fit in a fresh process, numba's compilation
// included, as a user meets it; with --twice also a second fit in the same process) and umap-js (npm,
// in this process, one thread, up to --umap-js-max rows). Ours runs as the pipeline runs it: in a worker
// thread plus, from 4,000 rows, a helper thread for half of each layout epoch and of the neighbour search.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UMAP } from 'umap-js';
import type { Matrix, UmapOptions } from '../pipeline/types.js';
import { loadDataset } from '../pipeline/load/index.js';
import { fitPca, pcaTransform } from '../pipeline/reduce/pca.js';
import { mapMetrics } from '../pipeline/metrics.js';
import { createRandom } from '../pipeline/random.js';
import { umap } from '../pipeline/umap/index.js';
import { readFlags } from './flags.js';

const flags = readFlags(import.meta.url, {
  sizes: { type: 'integer-list', default: [10000, 70000], min: 1 },
  'no-peers': { type: 'boolean' },
  'no-umap-learn': { type: 'boolean' },
  'no-umap-js': { type: 'boolean' },
  'umap-js-max': { type: 'integer', default: 10000, min: 0 },
  sample: { type: 'integer', default: 2000, min: 1 },
  twice: { type: 'boolean' },
});

const here = dirname(fileURLToPath(import.meta.url));
const sizes = flags.sizes;
const metricSample = flags.sample;
const umapJsMax = flags['umap-js-max'];
const peers = !flags['no-peers'];
const python = '/usr/bin/python3';
const haveUmapLearn = peers && !flags['no-umap-learn'] && spawnSync(python, ['-c', 'import umap'], { stdio: 'ignore' }).status === 0;
const runUmapJs = peers && !flags['no-umap-js'];

interface Row {
  method: string;
  seconds: number;
  trust: number;
  labelAcc: number | null;
}

const fmt = (v: number | null, d: number) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(d));

export const DEFAULTS: Omit<UmapOptions, 'seed'> = {
  nNeighbors: 15,
  minDist: 0.1,
  spread: 1,
  epochs: null,
  negativeSampleRate: 5,
  learningRate: 1,
  repulsionStrength: 1,
  localConnectivity: 1,
  init: 'spectral',
};

async function main(): Promise<void> {
  console.log('UMAP benchmark: Fashion-MNIST, 50 principal components, 15 neighbours, min_dist 0.1, default epochs');
  const t0 = performance.now();
  const maxN = Math.max(...sizes);
  const ds = await loadDataset({ dataset: 'fashion-mnist', input: null, labelColumn: null, dataDir: null, limit: maxN });
  const pcs = pcaTransform(fitPca(ds.matrix, 50, 0), ds.matrix);
  const labels = ds.label ? Array.from(ds.label.values as ArrayLike<string | number | null>) : null;
  console.log(`loaded ${ds.matrix.rows} x ${ds.matrix.cols} and took 50 principal components in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const notInstalled = peers ? 'NOT installed (apt-get install python3-umap-learn)' : 'skipped (--no-peers)';
  console.log(`peers: umap-learn ${haveUmapLearn ? 'installed' : flags['no-umap-learn'] ? 'skipped (--no-umap-learn)' : notInstalled}; umap-js ${runUmapJs ? `in process up to ${umapJsMax} rows` : 'skipped'}`);
  console.log(`load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores on the reference machine)`);
  console.log(`quality metrics (trustworthiness@10, 10-NN label accuracy) on ${metricSample} sampled points (all when n is smaller)`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-umap-'));
  try {
    for (const n of sizes) {
      const x: Matrix = { rows: n, cols: 50, values: pcs.values.slice(0, n * 50) };
      const lab = labels ? labels.slice(0, n) : null;
      const rows: Row[] = [];
      const score = (embedding: Float32Array) => mapMetrics(x, embedding, lab, { k: 10, sample: metricSample, seed: 0 });
      const input = join(dir, `x${n}.f32`);
      writeFileSync(input, Buffer.from(x.values.buffer, x.values.byteOffset, x.values.byteLength));
      if (haveUmapLearn) {
        const out = join(dir, `umap-learn-${n}.f32`);
        try {
          const stdout = execFileSync(python, [join(here, 'umap_learn.py'), input, String(n), '50', out, ...(flags.twice ? ['twice'] : [])], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            maxBuffer: 1 << 20,
          });
          const res = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; secondSeconds: number | null; version: string };
          const m = score(new Float32Array(readFileSync(out).buffer.slice(0)));
          rows.push({ method: `umap-learn ${res.version}`, seconds: res.seconds, trust: m.trustworthiness, labelAcc: m.labelAccuracy });
          if (res.secondSeconds !== null) rows.push({ method: `umap-learn ${res.version} (second fit, compiled)`, seconds: res.secondSeconds, trust: NaN, labelAcc: null });
        } catch (err) {
          console.log(`  umap-learn failed at n = ${n}: ${(err as Error).message.split('\n')[0]}`);
        }
      }
      if (runUmapJs && n <= umapJsMax) {
        const data: number[][] = Array.from({ length: n }, (_, i) => Array.from(x.values.subarray(i * 50, (i + 1) * 50)));
        const t = performance.now();
        const emb = new UMAP({ nNeighbors: 15, minDist: 0.1, random: createRandom(42) }).fit(data);
        const seconds = (performance.now() - t) / 1000;
        const flat = new Float32Array(2 * n);
        emb.forEach((p, i) => flat.set(p, 2 * i));
        const m = score(flat);
        rows.push({ method: 'umap-js 1.4.0', seconds, trust: m.trustworthiness, labelAcc: m.labelAccuracy });
      }
      const t = performance.now();
      const res = await umap(x, { ...DEFAULTS, seed: 42 });
      const seconds = (performance.now() - t) / 1000;
      const m = score(res.embedding);
      rows.push({ method: `latentmap umap (${res.epochs} epochs)`, seconds, trust: m.trustworthiness, labelAcc: m.labelAccuracy });

      const ref = rows.find((r) => r.method.startsWith('umap-learn'));
      console.log(`\nn = ${n} (load average ${loadavg()[0]!.toFixed(1)})`);
      const head = ['method', 'seconds', 'time / umap-learn', 'trust@10', 'label acc'];
      const body = rows.map((r) => [r.method, fmt(r.seconds, 2), ref ? fmt(r.seconds / ref.seconds, 3) : '-', fmt(r.trust, 4), fmt(r.labelAcc, 4)]);
      const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
      const line = (cells: string[]) => `| ${cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join(' | ')} |`;
      console.log(line(head));
      console.log(`|${widths.map((w, c) => (c === 0 ? ':' : '-') + '-'.repeat(w) + (c === 0 ? '-' : ':')).join('|')}|`);
      for (const b of body) console.log(line(b));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
