// npx tsx bench/autoencoder-experiments.ts --dataset mnist [--limit 10000] [--out FILE.jsonl] [--codes-dir DIR]
//   SPEC.json [SPEC.json...] (or --spec '{"name": ...}' inline, repeatable; files and --spec run in the order
//   given, at least one spec). --codes-dir: where each spec's codes are kept for a later codesFrom, in this run or
//   another (default $TMPDIR/latentmap-experiment-codes).
//   --dataset: a built-in dataset (default mnist); --limit: rows, a whole number (default 10000). An unknown flag,
//   a bad number, a spec that is not JSON or has no "name", or a file that cannot be read is one line on stderr
//   and exit 2, before the dataset is loaded.
//
// The autoencoder research harness of issue #11: which codes make good t-SNE maps? Loads and prepares the dataset
// once (the run's default preparation), then for each experiment spec trains a reducer, optionally post-processes
// the codes, runs our t-SNE with the default options and scores the map with the same judge as bench:quality
// (trustworthiness@10 against the raw values, 5-fold 10-NN label accuracy). One JSON line per experiment is
// appended to --out (default bench/experiments.jsonl) and printed.
//
// A spec: {"name": "ae-denoise-mask", "reducer": "autoencoder"|"pca"|"none", "config": {RunConfig fields, e.g.
//   "codeSize": 32, "layers": [256, 128], "variant": "denoising", "epochs": 60}, "options": {AutoencoderOptions
//   overrides}, "post": "none"|"standardize"|"l2"|"whiten", "seeds": [42, 7], "tsne": {TsneOptions overrides},
//   "codesFrom": "name of an earlier spec in this process whose codes to reuse (post-processing only)",
//   "decoded": true (t-SNE on the decoder's reconstructions of the codes: distances through the decoder)}
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { autoencoderOptions, trainAutoencoder, type AutoencoderOptions } from '../pipeline/autoencoder/index.js';
import { initBackend } from '../pipeline/backend.js';
import { resolveConfig } from '../pipeline/config.js';
import { builtinNames, loadDataset } from '../pipeline/load/index.js';
import { tsneOptions } from '../pipeline/pipeline.js';
import { prepare } from '../pipeline/prepare.js';
import { fitPca, pcaTransform } from '../pipeline/reduce/pca.js';
import { tsne } from '../pipeline/tsne/index.js';
import type { Matrix, RunConfig, TsneOptions } from '../pipeline/types.js';
import { postProcess, type CodePost } from './quality/code-post.js';
import { alignMap, judge, referenceOf, writeReference } from './quality/judge.js';
import { autoCodeSize, resolveShape } from '../pipeline/reduce/auto-size.js';
import { resolveShiftOf } from '../pipeline/reduce/auto-augment.js';
import { FlagError, readCommandLine } from './flags.js';

interface Spec {
  name: string;
  reducer?: 'autoencoder' | 'pca' | 'none';
  config?: Partial<RunConfig>;
  options?: Partial<AutoencoderOptions>;
  post?: CodePost;
  seeds?: number[];
  tsne?: Partial<TsneOptions>;
  codesFrom?: string;
  /** t-SNE on the decoder's reconstructions of the codes instead of the codes (distances measured through the decoder). */
  decoded?: boolean;
}

/** One spec, or a list of them, from JSON text (`where`: the flag or file it came from); FlagError when it is not. */
function specsOf(text: string, where: string): Spec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FlagError(`${where}: not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const spec of list) {
    if (typeof spec !== 'object' || spec === null || typeof (spec as { name?: unknown }).name !== 'string') {
      throw new FlagError(`${where}: a spec is an object with a "name" (got ${JSON.stringify(spec)?.slice(0, 80)})`);
    }
  }
  return list as Spec[];
}

/** A SPEC.json argument's specs; FlagError when the file cannot be read or holds no specs. */
function specFile(path: string): Spec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FlagError(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return specsOf(text, path);
}

/** Each SPEC.json argument's specs, read while the command line is checked (before any work). */
let fileSpecs: Spec[][] = [];
const { flags, order } = readCommandLine(
  import.meta.url,
  {
    dataset: { type: 'string', default: 'mnist', choices: builtinNames() },
    limit: { type: 'integer', default: 10000, min: 1 },
    out: { type: 'string', default: 'bench/experiments.jsonl' },
    'codes-dir': { type: 'string', default: join(tmpdir(), 'latentmap-experiment-codes') },
    spec: { type: 'repeated', parse: (t: string) => specsOf(t, '--spec') },
  },
  { usage: '[SPEC.json ...]', min: 0, max: Infinity },
  {
    check: ({ flags: f, args }) => {
      fileSpecs = args.map(specFile);
      if (f.spec.length + fileSpecs.length === 0) throw new FlagError('no experiment: give SPEC.json files or --spec \'{"name": ...}\'');
    },
  },
);
const datasetName = flags.dataset;
const limit = flags.limit;
const outFile = flags.out;
/** The specs in the order the command line gives them (files and --spec interleaved: codesFrom names an earlier one). */
const specs: Spec[] = order.flatMap((o) => (o.kind === 'arg' ? fileSpecs[o.index]! : flags.spec[o.index]!));

async function main(): Promise<void> {
  const work = join(tmpdir(), `latentmap-experiments-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const ds = await loadDataset({ dataset: datasetName, input: null, labelColumn: null, dataDir: null, limit });
  const ref = referenceOf(ds, 'raw');
  writeReference(ref, work);
  await initBackend('auto');
  const codesByName = new Map<string, Matrix>();
  const decodedByName = new Map<string, Matrix>();
  console.log(`${ds.name}: ${ref.matrix.rows} x ${ref.matrix.cols}; ${specs.length} experiment(s); results -> ${outFile}`);
  for (const spec of specs) {
    for (const seed of spec.seeds ?? [42]) {
      const reducer = spec.reducer ?? 'autoencoder';
      const config = resolveConfig({ dataset: datasetName, limit, reducer, seed, ...(spec.config ?? {}) });
      const prepared = prepare(ds, { scaling: config.scaling, missing: config.missing, loss: config.loss });
      const x = prepared.matrix;
      const t0 = performance.now();
      let codes: Matrix;
      const extra: Record<string, unknown> = {};
      const key = `${spec.codesFrom ?? spec.name}#${seed}`;
      if (spec.codesFrom) {
        const saved = codesByName.get(key) ?? readCodes(key);
        if (!saved) throw new Error(`${spec.name}: no codes of ${spec.codesFrom} with seed ${seed} yet`);
        codes = saved;
      } else if (reducer === 'autoencoder') {
        const image = ds.image ?? null;
        const { shift } = resolveShiftOf(config.augmentShift, x, image, prepared.preprocessing.kind);
        const shape = { ...resolveShape(config, x.cols, x.rows), shift };
        const options: AutoencoderOptions = { ...autoencoderOptions(config, x.cols, prepared.loss, shape), ...(spec.options ?? {}) };
        const model = await trainAutoencoder(x, options);
        codes = model.encode(x);
        if (spec.decoded) decodedByName.set(`${spec.name}#${seed}`, model.decode(codes));
        const s = model.summary;
        Object.assign(extra, { epochs: s.epochs, bestEpoch: s.bestEpoch, train: s.train, validation: s.validation, samplesPerSecond: s.samplesPerSecond });
        extra.valLoss = model.history.map((h) => (h.valLoss === null ? null : round(h.valLoss, 5)));
        model.dispose();
      } else if (reducer === 'pca') {
        const pca = fitPca(x, Math.min(config.codeSize === 'auto' ? autoCodeSize(x.cols, x.rows) : config.codeSize, x.cols), seed);
        codes = pcaTransform(pca, x);
      } else {
        codes = x;
      }
      codesByName.set(`${spec.name}#${seed}`, codes);
      if (!spec.codesFrom) saveCodes(`${spec.name}#${seed}`, codes);
      const reduceSeconds = (performance.now() - t0) / 1000;
      const postCodes = postProcess(decodedByName.get(`${spec.name}#${seed}`) ?? codes, spec.post ?? 'none');
      const t1 = performance.now();
      const map = await tsne(postCodes, { ...tsneOptions(config), ...(spec.tsne ?? {}) });
      const tsneSeconds = (performance.now() - t1) / 1000;
      const aligned = alignMap(ref, prepared.rowIndex, map.embedding);
      const score = judge(ref, aligned, join(work, 'map.f32'));
      const row = {
        name: spec.name,
        dataset: ds.name,
        rows: ref.matrix.rows,
        seed,
        trustworthiness: round(score.trustworthiness),
        labelAccuracy: score.labelAccuracy === null ? null : round(score.labelAccuracy),
        reduceSeconds: round(reduceSeconds, 1),
        tsneSeconds: round(tsneSeconds, 1),
        ...extra,
        reducer,
        config: spec.config ?? {},
        ...(spec.options ? { options: spec.options } : {}),
        ...(spec.post && spec.post !== 'none' ? { post: spec.post } : {}),
        ...(spec.tsne ? { tsne: spec.tsne } : {}),
        ...(spec.codesFrom ? { codesFrom: spec.codesFrom } : {}),
        ...(spec.decoded ? { decoded: true } : {}),
        at: new Date().toISOString(),
      };
      appendFileSync(outFile, `${JSON.stringify(row)}\n`);
      console.log(
        `${spec.name} seed ${seed}: trust ${row.trustworthiness.toFixed(4)} acc ${row.labelAccuracy?.toFixed(4) ?? '-'} ` +
          `(reduce ${row.reduceSeconds} s${extra.epochs !== undefined ? `, ${String(extra.epochs)} epochs, best ${String(extra.bestEpoch)}` : ''}; t-SNE ${row.tsneSeconds} s)`,
      );
    }
  }
}

/** Codes kept between processes (in --codes-dir, default the system's temp directory), for codesFrom. */
const codesDir = flags['codes-dir'];
const codesFile = (key: string) => join(codesDir, `${datasetName}-${limit}-${key.replace(/[^\w.+-]+/g, '_')}.f32`);

function saveCodes(key: string, codes: Matrix): void {
  mkdirSync(codesDir, { recursive: true });
  writeFileSync(codesFile(key), Buffer.from(codes.values.buffer, codes.values.byteOffset, codes.values.byteLength));
  writeFileSync(`${codesFile(key)}.json`, JSON.stringify({ rows: codes.rows, cols: codes.cols }));
}

function readCodes(key: string): Matrix | undefined {
  if (!existsSync(codesFile(key))) return undefined;
  const { rows, cols } = JSON.parse(readFileSync(`${codesFile(key)}.json`, 'utf8')) as { rows: number; cols: number };
  const b = readFileSync(codesFile(key));
  return { rows, cols, values: new Float32Array(b.buffer, b.byteOffset, rows * cols).slice() };
}

function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
