// npm run bench:quality [-- --datasets iris,penguins,mnist,fashion-mnist,digits,wine,breast-cancer|mlbench|sonar,...|PATH]
//                         [--limit 10000] [--row 'NAME=--flag value ...' (repeatable)] [--no-peers] [--no-forced]
//                         [--seed 42] [--reference standardized|raw]
//
// Map quality on real datasets, ours beside the usual tools, one table per dataset. Every map is scored by one
// judge (bench/quality_metrics.py) against the dataset's reference space: the raw values for images (mnist,
// fashion-mnist, digits), standardized columns for tables. Columns: trustworthiness@10 (scikit-learn's), 10-NN label
// accuracy in the map (5-fold cross-validated kNN classifier on the 2-D points), seconds.
// Rows:
//   latentmap default     `latentmap run --dataset|--input ... --json` with no other flag: whatever the default is
//   --reducer X           each reducer forced (autoencoder, pca, none), every other setting left at its default
//                         (--no-forced leaves these rows out)
//   --row NAME=FLAGS      extra rows of ours with the given flags (e.g. a candidate recipe)
//   scikit-learn t-SNE    PCA init, learning rate auto, perplexity 30, on PCA-50 of the reference when wider than 50
//   umap-learn            default settings, on the reference
// Our seconds: the run's own total (manifest timings: load to write, its metrics included); the peers': PCA + fit.
// Datasets: the built-ins and scikit-learn's bundled digits, wine and breast cancer (Debian's python3-sklearn,
// exported to CSV with a label column in a temporary directory; no download) and, with --datasets mlbench, 14
// UCI tables that ship with Debian's r-cran-mlbench and r-cran-mass (sonar, glass, ionosphere, pima, vehicle,
// satellite, letter, vowel, crabs: 200 to 20,000 rows, 5 to 60 columns; and zoo, housevotes, dna, breastcancer,
// soybean as R writes them: text factors, TRUE/FALSE, NA, an Id column). A PATH (with a / or a file extension)
// is your own file, judged against its standardized columns or, with --reference raw, its values as they are
// (images). Peers are benchmark-only: when one is not installed, its row says so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import { loadDataset } from '../pipeline/load/index.js';
import type { Dataset, MetaColumn } from '../pipeline/types.js';
import { alignMap, judge, PYTHON, referenceOf, writeReference, type Judgement, type Reference, type ReferenceKind } from './quality/judge.js';
import { helpOrContinue } from './usage.js';

helpOrContinue(import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const value = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const flag = (name: string): boolean => args.includes(`--${name}`);

/** The first n rows of a dataset (features and label; what the reference needs). */
function firstRows(ds: Dataset, n: number): Dataset {
  const { cols, values } = ds.matrix;
  const label = ds.label && ({ ...ds.label, values: ds.label.values.slice(0, n) } as MetaColumn);
  return { ...ds, matrix: { rows: n, cols, values: values.subarray(0, n * cols) }, ...(label ? { label } : {}), metadata: [] };
}

interface DatasetSpec {
  name: string;
  source: 'builtin' | 'sklearn' | 'mlbench' | 'file';
  /** source file: the user's file. */
  path?: string;
  reference: ReferenceKind;
}

const DATASETS: DatasetSpec[] = [
  { name: 'iris', source: 'builtin', reference: 'standardized' },
  { name: 'penguins', source: 'builtin', reference: 'standardized' },
  { name: 'mnist', source: 'builtin', reference: 'raw' },
  { name: 'fashion-mnist', source: 'builtin', reference: 'raw' },
  { name: 'digits', source: 'sklearn', reference: 'raw' },
  { name: 'wine', source: 'sklearn', reference: 'standardized' },
  { name: 'breast-cancer', source: 'sklearn', reference: 'standardized' },
  // UCI tables from Debian's r-cran-mlbench / r-cran-mass (apt-get install r-cran-mlbench r-cran-mass); not in
  // the default list: they are the wider check of the defaults (--datasets mlbench runs them all)
  // (the last five as R writes them: text factors, TRUE/FALSE, NA, an Id column)
  ...['sonar', 'glass', 'ionosphere', 'pima', 'vehicle', 'satellite', 'letter', 'vowel', 'crabs', 'zoo', 'housevotes', 'dna', 'breastcancer', 'soybean'].map((name) => ({ name, source: 'mlbench' as const, reference: 'standardized' as const })),
];
const DEFAULT_DATASETS = DATASETS.filter((d) => d.source !== 'mlbench').map((d) => d.name);
const MLBENCH_DATASETS = DATASETS.filter((d) => d.source === 'mlbench').map((d) => d.name);

const chosen = value('datasets', DEFAULT_DATASETS.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .flatMap((n) => (n === 'mlbench' ? MLBENCH_DATASETS : [n]));
// a path (with a / or a file extension) is the user's own file, judged against --reference (default standardized)
const isPath = (n: string): boolean => n.includes('/') || /\.(csv|tsv|gz|arrow|feather|parquet|npy)$/i.test(n);
const fileReference = (value('reference', 'standardized') === 'raw' ? 'raw' : 'standardized') as ReferenceKind;
for (const n of chosen.filter(isPath)) DATASETS.push({ name: n, source: 'file', path: n, reference: fileReference });
const unknown = chosen.filter((n) => !DATASETS.some((d) => d.name === n));
if (unknown.length) {
  console.error(`unknown dataset(s) ${unknown.join(', ')}; known: ${DATASETS.map((d) => d.name).join(', ')}`);
  process.exit(2);
}
const limit = Number(value('limit', '10000'));
const seed = Number(value('seed', '42'));
const peers = !flag('no-peers');
const forced = !flag('no-forced');
const extraRows: { name: string; flags: string[] }[] = [];
args.forEach((a, i) => {
  if (a !== '--row') return;
  const spec = args[i + 1] ?? '';
  const eq = spec.indexOf('=');
  if (eq < 1) {
    console.error(`--row takes NAME=FLAGS, got "${spec}"`);
    process.exit(2);
  }
  extraRows.push({ name: spec.slice(0, eq), flags: spec.slice(eq + 1).trim().split(/\s+/).filter(Boolean) });
});

interface Row {
  name: string;
  score: Judgement | null;
  seconds: number | null;
  /** What the run chose or why the row has no numbers. */
  note: string;
}

/**
 * OpenMP threads that sleep instead of spinning while they wait: on a busy machine spinning threads made
 * scikit-learn's t-SNE of 150 rows take 40 s instead of 2; the peers' computation is unchanged.
 */
const PEER_ENV = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };

function has(check: string): boolean {
  return spawnSync(PYTHON, ['-c', check], { stdio: 'ignore' }).status === 0;
}

/** One run of our CLI; the map read back from its points.arrow and put into reference order. */
function ours(name: string, input: string[], flags: string[], ref: Reference, work: string): Row {
  const runsDir = join(work, 'runs');
  // the CLI's own default seed is 42: --seed reaches our runs only when another is asked for, so the default
  // row stays a run with no flag at all
  const seedFlags = seed === 42 || flags.includes('--seed') ? [] : ['--seed', String(seed)];
  const r = spawnSync(process.execPath, [join(root, 'bin', 'latentmap.js'), 'run', ...input, '--runs-dir', runsDir, '--json', ...seedFlags, ...flags], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  let result: RunResult | null = null;
  try {
    result = JSON.parse(r.stdout) as RunResult;
  } catch {
    result = null;
  }
  if (r.status !== 0 || !result?.dir || !result.manifest) {
    // a crash ends stderr with node's version line: name the error line instead
    const lines = r.stderr.trim().split('\n');
    const why = result?.error ?? (lines.find((l) => /error/i.test(l)) ?? lines.pop()) ?? `exit ${r.status}`;
    return { name, score: null, seconds: null, note: `failed (exit ${r.status}): ${why.replace(/^error:\s*/, '')}` };
  }
  const table = tableFromIPC(readFileSync(join(result.dir, 'points.arrow')));
  const index = table.getChild('index')!.toArray() as Int32Array;
  const xs = table.getChild('x')!.toArray() as Float32Array;
  const ys = table.getChild('y')!.toArray() as Float32Array;
  const embedding = new Float32Array(xs.length * 2);
  for (let i = 0; i < xs.length; i++) {
    embedding[2 * i] = xs[i]!;
    embedding[2 * i + 1] = ys[i]!;
  }
  const score = judge(ref, alignMap(ref, index, embedding), join(work, 'map.f32'));
  rmSync(result.dir, { recursive: true, force: true });
  return { name, score, seconds: result.manifest.timings.total, note: describe(result.manifest) };
}

interface RunResult {
  ok?: boolean;
  dir?: string;
  error?: string;
  manifest?: Manifest;
}

interface Manifest {
  config: Record<string, unknown>;
  timings: { total: number };
  metrics: { reconstruction?: { epochs?: number }; tsne?: { engine?: string } };
  choices?: Record<string, { value?: unknown; chosen?: unknown; reason?: string } | unknown>;
}

/** A short account of what the run used: the reducer and its shape, epochs, scaling. */
function describe(m: Manifest): string {
  const c = m.config;
  const parts: string[] = [String(c.reducer)];
  if (c.reducer !== 'none') parts.push(`code ${String(c.codeSize)}`);
  if (c.reducer === 'autoencoder') {
    parts.push(`${String(c.variant)} ${Array.isArray(c.layers) ? c.layers.join(',') : String(c.layers)}`);
    if (m.metrics.reconstruction?.epochs) parts.push(`${m.metrics.reconstruction.epochs} epochs`);
  }
  const scaling = (m.choices?.scaling as { value?: unknown } | undefined)?.value;
  parts.push(`scaling ${String(c.scaling)}${c.scaling === 'auto' && scaling !== undefined ? ` (${String(scaling)})` : ''}`);
  const perplexity = (m.choices?.perplexity as { value?: unknown } | undefined)?.value;
  if (perplexity !== undefined) parts.push(`perplexity ${String(perplexity)}`);
  return parts.join(', ');
}

function peer(method: 'tsne' | 'umap', ref: Reference, work: string): Row {
  const name = method === 'tsne' ? 'scikit-learn t-SNE' : 'umap-learn';
  const out = join(work, `${method}.f32`);
  const r = spawnSync(PYTHON, [join(here, 'quality_peers.py'), method, ref.files!.matrix, String(ref.matrix.rows), String(ref.matrix.cols), out, String(seed)], {
    encoding: 'utf8',
    env: PEER_ENV,
  });
  if (r.status !== 0) return { name, score: null, seconds: null, note: `failed: ${r.stderr.trim().split('\n').pop()}` };
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; version: string };
  const bytes = readFileSync(out);
  const map = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
  const note = method === 'tsne' ? `${info.version}${ref.matrix.cols > 50 ? ', on PCA-50' : ''}` : info.version;
  return { name, score: judge(ref, map, join(work, 'map.f32')), seconds: info.seconds, note };
}

const fmt = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

function printTable(title: string, rows: Row[]): void {
  const head = ['map', 'trust@10', '10-NN acc', 'seconds', 'notes'];
  const body = rows.map((r) => [r.name, fmt(r.score?.trustworthiness, 4), fmt(r.score?.labelAccuracy, 4), fmt(r.seconds, 1), r.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 || i === 4 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'latentmap-bench-quality-'));
  try {
    const haveSk = has('import sklearn.manifold');
    const haveUmap = has('import umap');
    const load = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    console.log(`bench:quality: ${chosen.join(', ')}; at most ${limit} rows each; seed ${seed}; ${load}`);
    console.log(`judge: trustworthiness@10 (sklearn) against the reference (raw values: images; standardized columns: tables); 10-NN accuracy 5-fold on the map`);
    console.log(`peers: scikit-learn ${haveSk ? 'installed' : 'NOT installed (apt-get install python3-sklearn)'}; umap-learn ${haveUmap ? 'installed' : 'NOT installed (apt-get install umap-learn)'}`);
    if (!haveSk) {
      console.error('the judge needs scikit-learn (/usr/bin/python3 with python3-sklearn); apt-get install python3-sklearn');
      process.exit(1);
    }
    const sklearnNames = DATASETS.filter((d) => d.source === 'sklearn' && chosen.includes(d.name)).map((d) => d.name);
    if (sklearnNames.length) {
      const r = spawnSync(PYTHON, [join(here, 'quality_datasets.py'), work, ...sklearnNames], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`exporting scikit-learn datasets failed: ${r.stderr}`);
    }
    const mlbenchNames = DATASETS.filter((d) => d.source === 'mlbench' && chosen.includes(d.name)).map((d) => d.name);
    if (mlbenchNames.length) {
      const r = spawnSync('Rscript', [join(here, 'quality_mlbench.R'), work, ...mlbenchNames], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`exporting mlbench datasets failed (apt-get install r-cran-mlbench r-cran-mass): ${r.stderr || r.error?.message}`);
    }
    for (const spec of chosen.map((name) => DATASETS.find((d) => d.name === name)!)) {
      const csv = join(work, `${spec.name}.csv`);
      const file = spec.path ?? csv;
      // one row more than --limit tells whether the dataset is larger (then our runs get --limit too)
      const loaded = await loadDataset(
        spec.source === 'builtin'
          ? { dataset: spec.name, input: null, labelColumn: null, dataDir: null, limit: limit + 1 }
          : { dataset: null, input: file, labelColumn: null, dataDir: null, limit: limit + 1 },
      );
      const larger = loaded.matrix.rows > limit;
      const ref = referenceOf(larger ? firstRows(loaded, limit) : loaded, spec.reference);
      writeReference(ref, work);
      const input = spec.source === 'builtin' ? ['--dataset', spec.name] : ['--input', file];
      // --limit only where the dataset is larger, so the default row runs with no flag at all on the others
      if (larger) input.push('--limit', String(limit));
      const rows: Row[] = [];
      rows.push(ours('latentmap default', input, [], ref, work));
      if (forced) for (const reducer of ['autoencoder', 'pca', 'none']) rows.push(ours(`--reducer ${reducer}`, input, ['--reducer', reducer], ref, work));
      for (const extra of extraRows) rows.push(ours(extra.name, input, extra.flags, ref, work));
      if (peers) {
        rows.push(peer('tsne', ref, work));
        rows.push(haveUmap ? peer('umap', ref, work) : { name: 'umap-learn', score: null, seconds: null, note: 'NOT installed (apt-get install umap-learn)' });
      }
      printTable(`${spec.name}: ${ref.matrix.rows} rows x ${ref.matrix.cols} columns, reference ${spec.reference === 'raw' ? 'raw values' : 'standardized columns'}${ref.labels ? '' : ', no labels'}`, rows);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
