// Which t-SNE schedule large maps need: `npm run bench:tsne-schedule -- --run DIR [--variants a,b] [--no-baseline]
// [--fitsne DIR]`. --run is needed; --variants takes the names below (default standard,opentsne,exag2). A bad
// command line (an unknown flag or variant, no --run, a directory that is no run) is one line and exit 2.
//
// DIR is a finished `latentmap run` directory (its codes, data and labels; bench:scale's data, say
// `latentmap run --input fmnist-250k.arrow --label-column label --runs-dir ... --json`). On the run's codes, with
// P and the PCA initialization built once (the run's perplexity 30 and seed), each variant optimizes a map with
// its own schedule in this process (the engine's auto forces, two threads), and the table gives per variant:
// iterations, CPU seconds and wall seconds of the optimization (P excluded; the same for every variant), the
// final KL, and the map judged as the run judges it: trustworthiness@10 against the input and 10-NN label
// accuracy within the run's seeded 10,000-row metrics sample (pipeline/metrics-sample.ts), and 10-NN label
// accuracy over every row of the map. Once per run it also prints the same label accuracy in the input space
// and in the codes within the sample, and in the codes over every row: how coarse a neighbourhood the
// sample's 10 nearest are at this n, apart from any map (--no-baseline leaves that out). With --fitsne (a FIt-SNE checkout with bin/fast_tsne,
// see bench/scale.ts) FIt-SNE's map of the same codes (its defaults: perplexity 30, 1000 iterations, 2
// threads) is judged the same way.
//
// Variants (n rows; lr: learning rate; EE: early exaggeration 12 for 250 iterations):
//   standard       lr max(200, n/12) in both phases, momentum 0.5 then 0.8, 1000 iterations: bhtsne, FIt-SNE,
//                  openTSNE before 1.0 (Belkina et al. 2019's lr), and latentmap's (pipeline/tsne/schedule.ts)
//   opentsne       lr n/12 during EE and n/exaggeration after, momentum 0.8 throughout, 250 + 500 iterations:
//                  openTSNE 1.x (pavlin-policar/openTSNE commit b68b100, "Switch to lr=N/ex and momentum=.8")
//   opentsne-1000  the same with 250 + 750 iterations
//   exag2, exag4   opentsne with exaggeration 2 or 4 after EE (lr n/2, n/4; Kobak & Berens 2019: exaggeration
//                  about 4 for very large n)
//   exag2-750      the engine's schedule with exaggeration 2 after EE and 750 iterations (lr max(200, n/12)
//                  throughout): what `--exaggeration 2 --iterations 750` runs
//   late4          standard, then exaggeration 4 for the last 250 iterations (FIt-SNE's late exaggeration,
//                  Linderman et al. 2019)
//   ee500          standard with 500 iterations of EE (Belkina et al. 2019: longer EE for large n)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { graphLabelAccuracy, sampleRows } from '../pipeline/metrics.js';
import { sampleQuality } from '../pipeline/metrics-sample.js';
import { deriveSeed } from '../pipeline/random.js';
import { readCodes, readData, readPoints } from '../pipeline/runs/artifacts.js';
import { readManifest } from '../pipeline/runs/run-dir.js';
import { forcesFor, knn, TsneOptimizer } from '../pipeline/tsne/index.js';
import { orderedInputAffinities, pcaInitialization } from '../pipeline/tsne/tsne.js';
import type { Matrix } from '../pipeline/types.js';
import type { OptimizerOptions } from '../pipeline/tsne/optimize.js';
import { tsneSchedule } from '../pipeline/tsne/schedule.js';
import { fitsneJob, fitsneSeconds } from './fitsne.js';
import { FlagError, readFlags } from './flags.js';

/** The variants below, by name (--variants takes these). */
const VARIANTS = ['standard', 'opentsne', 'opentsne-1000', 'exag2', 'exag4', 'exag2-750', 'late4', 'ee500'] as const;

/** --variants: comma-separated names of VARIANTS, at least one; FlagError naming an unknown one. */
function variantList(text: string): string[] {
  const names = text.split(',').filter((v) => v !== '');
  const bad = names.find((v) => !(VARIANTS as readonly string[]).includes(v));
  if (bad !== undefined || names.length === 0) throw new FlagError(`--variants takes a comma-separated list of ${VARIANTS.join(', ')}, got ${JSON.stringify(text)}`);
  return names;
}

const flags = readFlags(
  import.meta.url,
  {
    run: { type: 'string', default: '' },
    variants: { type: 'custom', default: 'standard,opentsne,exag2', parse: variantList },
    'no-baseline': { type: 'boolean' },
    fitsne: { type: 'string', default: '' },
  },
  {
    check: (f) => {
      if (!f.run) throw new FlagError('--run DIR is needed: a finished latentmap run directory');
      if (!existsSync(join(f.run, 'manifest.json'))) throw new FlagError(`--run ${f.run}: no manifest.json there, so not a finished latentmap run directory`);
    },
  },
);
const runDir = flags.run;
const variantNames = flags.variants;
const noMap = !flags['no-baseline'];
const fitsneDir = flags.fitsne || null;
const K = 10;
const SAMPLE = 10000;

type Schedule = Omit<OptimizerOptions, 'forces'> & { lateFrom?: number; lateExaggeration?: number };

function variant(name: string, n: number): Schedule {
  // the engine's own schedule at its defaults (pipeline/tsne/schedule.ts)
  const { reason: _reason, ...standard } = tsneSchedule(n, { iterations: 1000, earlyExaggeration: 12, exaggerationIterations: 250, exaggeration: 1, learningRate: null });
  const open = (iterations: number, exaggeration: number): Schedule => ({
    earlyLearningRate: n / 12,
    learningRate: n / exaggeration,
    iterations,
    earlyExaggeration: 12,
    exaggerationIterations: 250,
    exaggeration,
    initialMomentum: 0.8,
    finalMomentum: 0.8,
  });
  switch (name) {
    case 'standard':
      return standard;
    case 'opentsne':
      return open(750, 1);
    case 'opentsne-1000':
      return open(1000, 1);
    case 'exag2':
      return open(750, 2);
    case 'exag4':
      return open(750, 4);
    case 'exag2-750': {
      // what `--exaggeration 2 --iterations 750` runs: the default step size in both phases
      const { reason: _r, ...s } = tsneSchedule(n, { iterations: 750, earlyExaggeration: 12, exaggerationIterations: 250, exaggeration: 2, learningRate: null });
      return s;
    }
    case 'late4':
      return { ...standard, lateFrom: 750, lateExaggeration: 4 };
    case 'ee500':
      return { ...standard, exaggerationIterations: 500 };
    default:
      throw new Error(`unknown variant ${name}`);
  }
}

const uptime = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const f = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

const manifest = await readManifest(runDir);
const seed = manifest.config.seed;
const { codes } = await readCodes(runDir);
const input = (await readData(runDir)).values;
const points = await readPoints(runDir);
const labelColumn = points.getChild('label');
if (!labelColumn) throw new Error(`${runDir}: points.arrow has no label column`);
const labels = Array.from({ length: points.numRows }, (_, i) => String(labelColumn.get(i)));
const n = codes.rows;
const sample = sampleRows(n, Math.min(n, SAMPLE), deriveSeed(seed, 'metrics'));
console.log(`bench:tsne-schedule  ${runDir}  ${n} rows, codes ${codes.cols} columns, input ${input.cols}  load ${uptime()}`);

// how coarse the sample's neighbourhoods are at this n, apart from any map
const inSample = (space: Matrix): number | null => sampleQuality(space, null, space, labels, sample, K).labelAccuracy;
const allRows = (space: Matrix): number | null => graphLabelAccuracy(knn(space, K, { seed }), labels);
if (noMap) console.log(
  `10-NN label accuracy, no map: input within the ${sample.length}-row sample ${f(inSample(input))}, codes within it ${f(inSample(codes))}, codes over all ${n} rows ${f(allRows(codes))}`,
);

const c0 = cpuSeconds();
const p = orderedInputAffinities(codes, 30, deriveSeed(seed, 'knn'));
const init = pcaInitialization(codes, deriveSeed(seed, 'tsne-init'), []);
console.log(`P and initialization: ${f(cpuSeconds() - c0, 1)} CPU s (built once, not counted below)`);

interface Judged {
  trust: number;
  acc: number | null;
  accAll: number | null;
}
function judge(embedding: Float32Array): Judged {
  const map: Matrix = { rows: n, cols: 2, values: embedding };
  const q = sampleQuality(input, null, map, labels, sample, K);
  return { trust: q.map.trustworthiness!, acc: q.labelAccuracy, accAll: allRows(map) };
}

console.log('| variant | iterations | CPU s | wall s | KL | trustworthiness | label acc (sample) | label acc (all rows) | load |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const name of variantNames) {
  const s = variant(name, n);
  const forces = forcesFor('auto', 0.5);
  forces.prestart(n);
  const loadBefore = uptime();
  const t0 = performance.now();
  const cpu0 = cpuSeconds();
  let kl = NaN;
  try {
    let opt = new TsneOptimizer(p, init, { ...s, forces });
    while (!opt.done) {
      if (s.lateFrom !== undefined && opt.iteration === s.lateFrom) {
        // FIt-SNE's late exaggeration: the same positions, gains reset, exaggeration from here on
        const y = Float64Array.from(opt.y);
        opt = new TsneOptimizer(p, y, { ...s, forces, iterations: s.iterations - s.lateFrom, exaggerationIterations: 0, exaggeration: s.lateExaggeration, learningRate: s.learningRate });
      }
      kl = opt.step(opt.iteration === (s.lateFrom !== undefined ? s.iterations - s.lateFrom : s.iterations) - 1);
    }
    const cpu = cpuSeconds() - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const j = judge(opt.embedding());
    console.log(`| ${name} | ${s.iterations} | ${f(cpu, 1)} | ${f(wall, 1)} | ${f(kl)} | ${f(j.trust)} | ${f(j.acc)} | ${f(j.accAll)} | ${loadBefore} → ${uptime()} |`);
  } finally {
    forces.dispose();
  }
}

if (fitsneDir) {
  const dir = mkdtempSync(join(tmpdir(), 'latentmap-bench-schedule-'));
  try {
    const job = fitsneJob(fitsneDir, codes, seed, dir);
    const loadBefore = uptime();
    const r = spawnSync('/usr/bin/python3', ['-c', job.script], { cwd: dir, env: { ...process.env, OMP_NUM_THREADS: '2' }, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`FIt-SNE failed: ${r.stderr.slice(-2000)}`);
    const t = fitsneSeconds(r.stderr);
    const j = judge(job.readMap());
    console.log(`| FIt-SNE (its defaults) | 1000 | ${t.cpuSeconds ?? '-'} | ${t.seconds ?? '-'} | - | ${f(j.trust)} | ${f(j.acc)} | ${f(j.accAll)} | ${loadBefore} → ${uptime()} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
