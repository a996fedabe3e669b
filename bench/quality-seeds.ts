// npx tsx bench/quality-seeds.ts --data DIR --datasets iris,sonar,... [--seeds 5 | --seeds 42,1,2] [--peers]
//                                [--row 'NAME={"configKey": value, ...}' (repeatable)] [--no-default] [--jsonl FILE]
//
// bench:quality's judgement over several seeds, for comparing candidate defaults on small tables quickly: our
// pipeline runs in this process (no CLI start per map), the peers and the judge each in one Python process for
// all maps (umap-learn compiles once). Same judge (bench/quality_metrics.py), same reference spaces (raw values for
// digits and exported slices of MNIST / Fashion-MNIST named mnist* / fashion*, standardized columns for the tables), same seeded row orders as `npm run bench:quality -- --seeds` (seed 42: the rows in their order;
// any other: the CSV file's data lines in a seeded order, the peers' rows in the same order, every map put back
// into the reference order before the judge). Rows: `latentmap default` (the config's defaults), each --row
// (the defaults with the given config fields; --no-default leaves the first out), and with --peers scikit-learn's t-SNE and umap-learn.
// Datasets (iris when --datasets is not given): iris and penguins (the built-in CSV files), or NAME with DIR/NAME.csv (bench:quality exports them:
// `Rscript bench/quality_mlbench.R DIR sonar glass ...`, `python3 bench/quality_datasets.py DIR digits wine`).
// Prints one table per dataset (mean over seeds, smallest-largest, the first seed's figures) and, with --jsonl,
// appends one line per map and seed to FILE, each seed's lines as soon as its maps are judged (a run stopped
// early keeps every seed it finished; the peers and the judge run in one Python process each, fed seed by seed).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePartialConfig, resolveConfig } from '../pipeline/config.js';
import { DATASETS_DIR } from '../pipeline/load/builtin.js';
import { loadDataset } from '../pipeline/load/index.js';
import { runPipeline } from '../pipeline/pipeline.js';
import { createRandom, permutation } from '../pipeline/random.js';
import type { RunConfig } from '../pipeline/types.js';
import { InputError } from '../pipeline/errors.js';
import { JobPipe } from './quality/job-pipe.js';
import { PYTHON, runMapAligned, referenceOf, writeReference, type Reference, type ReferenceKind } from './quality/judge.js';
import { seedList } from './quality/seed-list.js';
import { FlagError, readFlags, refuse } from './flags.js';

const here = dirname(fileURLToPath(import.meta.url));

/** --row NAME={"configKey": value, ...}: a row of ours, the config's defaults with those fields. */
function configRow(spec: string): { name: string; overrides: Partial<RunConfig> } {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new FlagError(`--row takes NAME={"configKey": value, ...}, got ${JSON.stringify(spec)}`);
  const name = spec.slice(0, eq);
  let fields: unknown;
  try {
    fields = JSON.parse(spec.slice(eq + 1));
  } catch (err) {
    throw new FlagError(`--row ${name}: the fields are not JSON (${(err as Error).message})`);
  }
  try {
    return { name, overrides: parsePartialConfig(fields, `--row ${name}`) };
  } catch (err) {
    if (err instanceof InputError) throw new FlagError(err.message);
    throw err;
  }
}

const flags = readFlags(import.meta.url, {
  data: { type: 'string', default: '' },
  datasets: { type: 'string', default: 'iris' },
  seeds: {
    type: 'custom',
    default: '5',
    parse: (text: string): number[] => {
      const list = seedList(text);
      if (!list) throw new FlagError('--seeds needs a value');
      return list;
    },
  },
  peers: { type: 'boolean' },
  row: { type: 'repeated', parse: configRow },
  'no-default': { type: 'boolean' },
  jsonl: { type: 'string', default: '' },
});
const dataDir = flags.data;
const names = flags.datasets.split(',').filter(Boolean);
const seeds = flags.seeds;
const withPeers = flags.peers;
const jsonl = flags.jsonl;
const rows: { name: string; overrides: Partial<RunConfig> }[] = [...(flags['no-default'] ? [] : [{ name: 'latentmap default', overrides: {} }]), ...flags.row];

interface Source {
  file: string;
  builtin: boolean;
  config: Partial<RunConfig>;
  /** The judge's space, as bench:quality's (bench/quality.ts): raw values for images (digits), standardized columns for tables. */
  reference: ReferenceKind;
}
function sourceOf(name: string): Source {
  if (name === 'iris') return { file: join(DATASETS_DIR, 'iris', 'iris.csv'), builtin: true, config: { labelColumn: 'species' }, reference: 'standardized' };
  if (name === 'penguins') return { file: join(DATASETS_DIR, 'penguins', 'penguins.csv'), builtin: true, config: { labelColumn: 'species', exclude: ['year'] }, reference: 'standardized' };
  // images are judged against their raw pixels, as bench:quality judges digits, MNIST and Fashion-MNIST (an export
  // of a built-in image set named mnist* or fashion* alike: session 17's 1,000-row slices)
  const image = name === 'digits' || name.startsWith('mnist') || name.startsWith('fashion');
  return { file: join(dataDir, `${name}.csv`), builtin: false, config: {}, reference: image ? 'raw' : 'standardized' };
}

interface Job {
  dataset: string;
  map: string;
  seed: number;
  file: string;
  ref: Reference;
  seconds: number;
  note: string;
}

interface Result {
  dataset: string;
  map: string;
  seed: number;
  trustworthiness: number;
  labelAccuracy: number | null;
  seconds: number;
  note: string;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'quality12-seeds-'));
  const env = { OMP_WAIT_POLICY: 'PASSIVE' };
  // one process each for the whole run, fed seed by seed (the imports cost 20 s on this machine)
  const judge = new JobPipe(PYTHON, [join(here, 'quality_metrics.py'), '--jobs', '-'], env);
  const peers = withPeers ? new JobPipe(PYTHON, [join(here, 'quality_peers.py'), '--jobs', '-'], env) : null;
  const results: Result[] = [];
  let mapCount = 0;
  try {
    for (const name of names) {
      const src = sourceOf(name);
      const loaded = await loadDataset(
        src.builtin ? { dataset: name, input: null, labelColumn: null, dataDir: null, limit: null } : { dataset: null, input: src.file, labelColumn: null, dataDir: null, limit: null },
      );
      const ref = referenceOf(loaded, src.reference);
      writeReference(ref, work);
      const lines = readFileSync(src.file, 'utf8').split(/\r?\n/);
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      if (lines.length - 1 !== loaded.matrix.rows) throw new Error(`${name}: ${lines.length - 1} data lines for ${loaded.matrix.rows} rows`);
      for (const s of seeds) {
        const jobs: Job[] = []; // this seed's maps, judged and written before the next seed starts
        const order = s === 42 ? null : permutation(lines.length - 1, createRandom(s));
        const input = join(work, `${name}.seed${s}.csv`);
        writeFileSync(input, order ? [lines[0]!, ...Array.from(order, (j) => lines[j + 1]!)].join('\n') + '\n' : lines.join('\n') + '\n');
        for (const row of rows) {
          const config = resolveConfig({ dataset: null, input, runsDir: join(work, 'runs'), seed: s, ...src.config, ...row.overrides });
          const t = performance.now();
          const result = await runPipeline(config, {}).catch((err: unknown) => {
            // a --row whose settings cannot fit this table (a perplexity too large for its rows...): one line, exit 2
            if (err instanceof InputError) throw new FlagError(`${name}, row ${JSON.stringify(row.name)}: ${err.message}`);
            throw err;
          });
          const seconds = (performance.now() - t) / 1000;
          const file = join(work, `${name}.${mapCount++}.map.f32`);
          const aligned = runMapAligned(ref, result.dir, order);
          writeFileSync(file, Buffer.from(aligned.buffer));
          const c = result.manifest.choices as Record<string, { value?: unknown; figures?: { candidates?: Record<string, { trustworthiness: number; labelAccuracy: number | null }> } }> | undefined;
          // perplexity auto's measured candidates (the run's own trustworthiness and leave-one-out label accuracy)
          const tried = Object.entries(c?.perplexity?.figures?.candidates ?? {})
            .map(([p, f]) => `${p}: ${f.trustworthiness.toFixed(4)}/${f.labelAccuracy?.toFixed(3) ?? '-'}`)
            .join(' ');
          // the run's own figures of the kept map: t-SNE's final KL, trustworthiness against the prepared input and leave-one-out label accuracy
          const m = result.manifest.metrics;
          const own = `kl ${m.tsne?.kl?.toFixed(4) ?? '-'}, run trustworthiness ${m.trustworthiness?.toFixed(4) ?? '-'}, run label accuracy ${m.labelAccuracy?.toFixed(4) ?? '-'}`;
          const note = `perplexity ${String(c?.perplexity?.value ?? config.perplexity)}${tried ? ` (${tried})` : ''}, reducer ${String(c?.reducer?.value ?? config.reducer)}, scaling ${String(c?.scaling?.value ?? config.scaling)}, ${own}`;
          jobs.push({ dataset: name, map: row.name, seed: s, file, ref, seconds, note });
          rmSync(result.dir, { recursive: true, force: true });
        }
        if (peers) {
          // the reference rows in the order of the shuffled file
          let given: Int32Array | null = null;
          if (order) {
            const position = new Map<number, number>();
            order.forEach((r, j) => position.set(r, j));
            given = Int32Array.from({ length: ref.matrix.rows }, (_, i) => i).sort((a, b) => position.get(ref.index[a]!)! - position.get(ref.index[b]!)!);
          }
          const { rows: n, cols: d, values } = ref.matrix;
          const matrix = join(work, `${name}.seed${s}.ref.f32`);
          const shuffled = new Float32Array(n * d);
          (given ?? Int32Array.from({ length: n }, (_, i) => i)).forEach((i, t) => shuffled.set(values.subarray(i * d, (i + 1) * d), t * d));
          writeFileSync(matrix, Buffer.from(shuffled.buffer));
          for (const method of ['tsne', 'umap']) {
            const raw = join(work, `${name}.${mapCount}.raw.f32`);
            const file = join(work, `${name}.${mapCount++}.map.f32`);
            const out = await peers.ask<{ seconds: number; version: string }>([method, matrix, n, d, raw, s]);
            const bytes = readFileSync(raw);
            const y = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
            const map = new Float32Array(2 * n);
            if (given) given.forEach((ri, t) => map.set(y.subarray(2 * t, 2 * t + 2), 2 * ri));
            else map.set(y.subarray(0, 2 * n));
            writeFileSync(file, Buffer.from(map.buffer));
            rmSync(raw, { force: true });
            jobs.push({ dataset: name, map: method === 'tsne' ? 'scikit-learn t-SNE' : 'umap-learn', seed: s, file, ref, seconds: out.seconds, note: out.version });
          }
          rmSync(matrix, { force: true });
        }
        const judged: Result[] = [];
        for (const j of jobs) {
          const score = await judge.ask<{ trustworthiness: number; labelAccuracy?: number; error?: string }>([j.ref.files!.matrix, j.ref.matrix.rows, j.ref.matrix.cols, j.file, j.ref.files!.labels]);
          if (score.error) throw new Error(`judge: ${j.dataset} ${j.map} seed ${j.seed}: ${score.error}`);
          judged.push({ dataset: j.dataset, map: j.map, seed: j.seed, trustworthiness: score.trustworthiness, labelAccuracy: score.labelAccuracy ?? null, seconds: j.seconds, note: j.note });
          rmSync(j.file, { force: true });
        }
        // written as soon as judged: a run stopped later keeps every seed it finished
        if (jsonl) appendFileSync(jsonl, judged.map((x) => JSON.stringify(x)).join('\n') + '\n');
        results.push(...judged);
        console.error(`${name} seed ${s}: ${judged.map((x) => `${x.map} ${x.trustworthiness.toFixed(4)} / ${x.labelAccuracy?.toFixed(4) ?? '-'}`).join('; ')}${jsonl ? ` (written to ${jsonl})` : ''}`);
      }
    }
    await Promise.all([judge.close(), peers?.close()]);
    const load = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    console.log(`seeds ${seeds.join(', ')}; ${load}`);
    for (const name of names) {
      console.log(`\n${name}\n| map | trust@10 mean | 10-NN acc mean | acc min-max | seed ${seeds[0]} | notes |\n|:--|--:|--:|--:|--:|:--|`);
      const maps = [...new Set(results.filter((x) => x.dataset === name).map((x) => x.map))];
      for (const m of maps) {
        const xs = results.filter((x) => x.dataset === name && x.map === m);
        const mean = (f: (x: (typeof xs)[number]) => number) => xs.reduce((a, x) => a + f(x), 0) / xs.length;
        const accs = xs.map((x) => x.labelAccuracy ?? NaN);
        const first = xs[0]!;
        console.log(
          `| ${m} | ${mean((x) => x.trustworthiness).toFixed(4)} | ${mean((x) => x.labelAccuracy ?? NaN).toFixed(4)} | ${Math.min(...accs).toFixed(4)}-${Math.max(...accs).toFixed(4)} | ${first.trustworthiness.toFixed(4)} / ${(first.labelAccuracy ?? NaN).toFixed(4)} | ${[...new Set(xs.map((x) => x.note))].join('; ')} |`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof FlagError) refuse(import.meta.url, err);
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
