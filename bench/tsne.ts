// npm run bench:tsne [-- --sizes 1000,10000,70000] [--engines auto,bh,fft] [--iterations 1000] [--no-peers] [--no-sklearn]
//                      [--sample 2000] [--threads 2]
//
// Fashion-MNIST (Debian's dataset-fashion-mnist), first 50 principal components (our PCA), perplexity 30,
// 1,000 iterations. A table per size: seconds for the whole t-SNE stage (neighbours included), ms per
// iteration, for our engine the setup seconds (neighbours, affinities, initialization) and the optimizer's
// own ms per iteration, final KL, trustworthiness@10 and 10-NN label accuracy (our metrics, the same for every row),
// and the time as a ratio to Rtsne measured in the same run on the same input. tsne-js is the baseline row
// at n = 1,000. Peers run only when installed (r-cran-rtsne, python3-sklearn) and the table says so otherwise;
// --threads is the peers' thread count. Our engines per size: all five up to 2,000 rows, bh, fft and auto up to
// 20,000, auto beyond; --engines (a list of auto, exact, bh, fft, tsne-js) runs those at every size instead, but
// tsne-js only up to 2,000 rows and exact up to 5,000.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Matrix, TsneEngine, TsneOptions } from '../pipeline/types.js';
import { loadDataset } from '../pipeline/load/index.js';
import { fitPca, pcaTransform } from '../pipeline/reduce/pca.js';
import { tsne } from '../pipeline/tsne/index.js';
import { mapMetrics } from '../pipeline/metrics.js';
import { FlagError, readFlags } from './flags.js';

const ENGINES: readonly TsneEngine[] = ['auto', 'exact', 'bh', 'fft', 'tsne-js'];

/** --engines: our engines to run at every size (tsne-js only up to 2,000 rows); null for '' (the per-size list). */
function engineList(text: string): TsneEngine[] | null {
  if (text === '') return null;
  const names = text.split(',').map((e) => e.trim());
  const bad = names.find((e) => !(ENGINES as readonly string[]).includes(e));
  if (bad !== undefined) throw new FlagError(`--engines takes a comma-separated list of ${ENGINES.join(', ')}, got ${JSON.stringify(bad)}`);
  return names as TsneEngine[];
}

const flags = readFlags(import.meta.url, {
  sizes: { type: 'integer-list', default: [1000, 10000, 70000], min: 1 },
  engines: { type: 'custom', default: '', parse: engineList },
  iterations: { type: 'integer', default: 1000, min: 1 },
  'no-peers': { type: 'boolean' },
  'no-sklearn': { type: 'boolean' },
  sample: { type: 'integer', default: 2000, min: 1 },
  threads: { type: 'integer', default: 2, min: 1 },
});

const here = dirname(fileURLToPath(import.meta.url));
const sizes = flags.sizes;
const iterations = flags.iterations;
const engines = flags.engines;
const threads = flags.threads;
/** Points the quality metrics are computed on (all of them when n is smaller). */
const metricSample = flags.sample;

function enginesFor(n: number): TsneEngine[] {
  if (engines) return engines.filter((e) => e !== 'tsne-js' || n <= 2000);
  if (n <= 2000) return ['tsne-js', 'exact', 'bh', 'fft', 'auto'];
  if (n <= 20000) return ['bh', 'fft', 'auto'];
  return ['auto'];
}

function has(cmd: string, check: string[]): boolean {
  const r = spawnSync(cmd, check, { stdio: 'ignore' });
  return r.status === 0;
}
const peers = !flags['no-peers'];
const haveR = peers && has('Rscript', ['-e', 'suppressPackageStartupMessages(library(Rtsne))']);
const python = '/usr/bin/python3';
const haveSk = peers && !flags['no-sklearn'] && has(python, ['-c', 'import sklearn.manifold']);

interface Row {
  engine: string;
  seconds: number;
  msPerIter: number;
  /** Ours: seconds before the first iteration (neighbours, affinities, initialization). */
  setup: number | null;
  /** Ours: ms per iteration of the optimizer alone (from the first progress report to the end). */
  optMsPerIter: number | null;
  kl: number;
  trust: number;
  labelAcc: number | null;
  iterations: number;
}

const fmt = (v: number | null, d: number) => (v === null || !Number.isFinite(v) ? '-' : v.toFixed(d));

async function main(): Promise<void> {
  console.log(`t-SNE benchmark: Fashion-MNIST, 50 principal components, perplexity 30, ${iterations} iterations`);
  const t0 = performance.now();
  const maxN = Math.max(...sizes);
  const ds = await loadDataset({ dataset: 'fashion-mnist', input: null, labelColumn: null, dataDir: null, limit: maxN });
  const pca = fitPca(ds.matrix, 50, 0);
  const pcs = pcaTransform(pca, ds.matrix);
  const labels = ds.label ? Array.from(ds.label.values as ArrayLike<string | number | null>) : null;
  console.log(`loaded ${ds.matrix.rows} x ${ds.matrix.cols} and took 50 principal components in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const notInstalled = (pkg: string) => (peers ? `NOT installed (apt-get install ${pkg})` : 'skipped (--no-peers)');
  console.log(`peers: Rtsne ${haveR ? 'installed' : notInstalled('r-cran-rtsne')}; scikit-learn ${haveSk ? 'installed' : peers && flags['no-sklearn'] ? 'skipped (--no-sklearn)' : notInstalled('python3-sklearn')}`);
  console.log(`cores: 2 on the reference machine; peers run with ${threads} threads; our engine runs in one worker thread plus a gradient helper thread from 4,000 rows`);
  console.log(`quality metrics (trustworthiness@10, 10-NN label accuracy) on ${metricSample} sampled points (all when n is smaller)`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-tsne-'));
  try {
    for (const n of sizes) {
      const x: Matrix = { rows: n, cols: 50, values: pcs.values.slice(0, n * 50) };
      const lab = labels ? labels.slice(0, n) : null;
      const rows: Row[] = [];
      const score = (embedding: Float32Array) => mapMetrics(x, embedding, lab, { k: 10, sample: metricSample, seed: 0 });
      const input = join(dir, `x${n}.f32`);
      writeFileSync(input, Buffer.from(x.values.buffer, x.values.byteOffset, x.values.byteLength));
      const runPeer = (name: string, cmd: string, script: string) => {
        const out = join(dir, `${name}-${n}.f32`);
        try {
          const stdout = execFileSync(cmd, [join(here, script), input, String(n), '50', out, '30', '0.5', String(iterations), String(threads)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
            maxBuffer: 1 << 20,
          });
          const res = JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; kl: number; version: string };
          const emb = new Float32Array(readFileSync(out).buffer.slice(0));
          const m = score(emb);
          rows.push({ engine: `${name} ${res.version}`, seconds: res.seconds, msPerIter: (1000 * res.seconds) / iterations, setup: null, optMsPerIter: null, kl: res.kl, trust: m.trustworthiness, labelAcc: m.labelAccuracy, iterations });
        } catch (err) {
          console.log(`  ${name} failed at n = ${n}: ${(err as Error).message.split('\n')[0]}`);
        }
      };
      if (haveR) runPeer('Rtsne', 'Rscript', 'tsne_rtsne.R');
      if (haveSk && n <= 20000) runPeer('sklearn', python, 'tsne_sklearn.py');
      for (const engine of enginesFor(n)) {
        if (engine === 'exact' && n > 5000) continue;
        const options: TsneOptions = {
          engine,
          perplexity: 30,
          iterations,
          theta: 0.5,
          earlyExaggeration: 12,
          exaggerationIterations: 250,
          learningRate: null,
          seed: 42,
        };
        const t = performance.now();
        let first: { at: number; iteration: number } | null = null;
        try {
          const res = await tsne(x, options, {
            onProgress: (_p, _stage, info) => {
              if (!first && info?.iteration) first = { at: performance.now(), iteration: info.iteration };
            },
          });
          const end = performance.now();
          const seconds = (end - t) / 1000;
          const f = first as { at: number; iteration: number } | null;
          const setup = f ? (f.at - t) / 1000 : null;
          const optMsPerIter = f && res.iterations > f.iteration ? (end - f.at) / (res.iterations - f.iteration) : null;
          const m = score(res.embedding);
          const label = engine === 'auto' ? `latentmap auto (${res.engine})` : engine === 'tsne-js' ? 'tsne-js (baseline)' : `latentmap ${engine}`;
          rows.push({ engine: label, seconds, msPerIter: (1000 * seconds) / res.iterations, setup, optMsPerIter, kl: res.kl, trust: m.trustworthiness, labelAcc: m.labelAccuracy, iterations: res.iterations });
        } catch (err) {
          console.log(`  ${engine} failed at n = ${n}: ${(err as Error).message}`);
        }
      }
      const ref = rows.find((r) => r.engine.startsWith('Rtsne'));
      console.log(`\nn = ${n}`);
      const head = ['engine', 'seconds', 'ms/iter', 'setup s', 'opt ms/iter', 'KL', 'trust@10', 'label acc', 'time / Rtsne'];
      const body = rows.map((r) => [
        r.engine + (r.iterations !== iterations ? ` (${r.iterations} it)` : ''),
        fmt(r.seconds, 2),
        fmt(r.msPerIter, 2),
        fmt(r.setup, 2),
        fmt(r.optMsPerIter, 2),
        fmt(r.kl, 3),
        fmt(r.trust, 4),
        fmt(r.labelAcc, 3),
        ref ? fmt(r.seconds / ref.seconds, 2) : 'n/a',
      ]);
      const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
      const line = (cells: string[]) => cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ');
      console.log(line(head));
      for (const b of body) console.log(line(b));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
