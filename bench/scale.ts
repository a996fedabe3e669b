// How the pipeline's cost grows with the number of rows: `npm run bench:scale [-- flags]`.
//
//   --sizes 10k,70k,250k,1m   row counts (default all four); each runs `latentmap run` in a fresh child process.
//                              With --queue one size (default 10k)
//   --sample-of N              each size's rows a seeded uniform sample (without replacement, in row order) of the
//                              rows of the N-row data (say 1m) instead of its first rows, so every size is drawn from
//                              one distribution: the same rows, shifts and labels the N-row run has (sizes at most
//                              N; N itself: all N rows). Default: the first n rows, whose mix of plain and shifted
//                              images changes with n (all plain up to 70,000). Not with --queue
//   --sample-seed S            the seed of that sample, a whole number (default 1); for one seed a smaller size's rows are among a
//                              larger one's
//   --reducer auto|autoencoder|pca|none  the reducer of the runs (default auto, the CLI's default)
//   --fitsne DIR               a FIt-SNE checkout with bin/fast_tsne built (or env FITSNE_DIR): at 70k and 250k
//                              FIt-SNE runs with 2 threads on the same codes, side by side. Not with --queue
//   --queue [redis://host:port] the distributed mode instead (below); without a URL (`--queue` last, or followed by
//                              another flag) a redis-server is started here
//   --workers N                workers of the distributed mode (default 3)
//   --shards N                 shards of the distributed mode (default 12)
//   --kill-worker              distributed mode (with --queue only): SIGKILL one worker at half of its first shard (its shard goes to
//                              another worker once its lock expires, 30 s); the points must still match
//
// A bad command line (an unknown flag, a bad size or URL, flags that do not go together) is one line on stderr
// and exit 2, before any work (bench/flags.ts).
//
// Data: Fashion-MNIST (Debian's dataset-fashion-mnist), its 70,000 images first, then the same images with
// random shifts of up to 2 pixels, written as one Arrow IPC file (a fixed-size list of 784 uint8 and the
// class name) per size (bench/scale-data.ts): the first n rows, or with --sample-of N the sampled rows of the
// N-row data, each built from its row number alone (nothing of the N rows is held but the sample's row numbers). The run's memory is the RSS of the child and its descendants, summed, sampled every
// 200 ms (and the largest VmHWM), with their CPU seconds (utime + stime). Per size a line gives each stage's
// seconds (from the run's manifest) and peak RSS (the samples between the stage's first and last log line);
// at the end a table per stage: seconds / peak GB / CPU seconds, the run's t-SNE trustworthiness and 10-NN
// label accuracy (its own metrics: the map against the input, within its seeded metrics sample of 10,000 rows,
// the same sample size at every n, so the sizes compare; the same label vote in the input and in the codes
// within that sample, which says how coarse the sample's 10 nearest are at this n before any map; and how the
// per-row preservation found its input neighbours: search or codes, pipeline/metrics-neighbours.ts), and the
// growth exponent
// b of seconds ~ n^b and of peak ~ n^b, fitted by least squares on log-log over the sizes run.
//
// FIt-SNE is not part of latentmap and nothing here builds it. To compare, build it from its public source
// (https://github.com/KlugerLab/FIt-SNE, C++ with FFTW: `apt-get install libfftw3-dev`, then in the checkout
// `g++ -std=c++11 -O3 src/sptree.cpp src/tsne.cpp src/nbodyfft.cpp -o bin/fast_tsne -pthread -lfftw3 -lm`)
// and pass the checkout with --fitsne. It runs through its own Python wrapper (fast_tsne.py; numpy and
// scikit-learn from Debian, run by /usr/bin/python3, in this bench's temporary directory, where it writes its
// files) with perplexity 30, 1000 iterations, PCA initialization and 2 threads, on the run's codes. The
// comparison table gives both t-SNEs' wall and CPU seconds (CPU seconds say more on a busy machine), the whole
// latentmap run's peak against FIt-SNE's (the wrapper and the fast_tsne binary), and both maps'
// trustworthiness and 10-NN label accuracy against the codes on one seeded 5,000-row sample.
//
// Distributed mode (--queue): the dataset is cut into shards; first one process places every shard
// (latentmap run --input DIR, no queue), then a coordinator with --queue and N `latentmap worker` processes
// (with --kill-worker one of them is killed with SIGKILL at half of its first shard, read from its job's progress).
// Per worker process: the shard jobs it completed, their wall and CPU seconds (process.cpuUsage over the job: the
// placing thread included), rows per second and rows per CPU second, its peak RSS and all the CPU it used; the
// single process beside them. Rows per CPU second say what a worker does with the CPU it gets; on a machine with
// fewer cores than workers the wall rate measures the sharing. Both runs' figures: rows/s per worker, rows per
// CPU second, the coordinator's overhead (the whole run minus placing) split into the sampling pass, the
// reference run (and its stages), the assembly and the rest (queueing, polling), the coordinator's peak and CPU.
// Whether the queue run's points are byte-identical to the single process's (exit 1 if not). Then what
// 100,000,000 rows on 50 workers would take from these figures, and the load average at both ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitsneJob, fitsneSeconds } from './fitsne.js';
import { rowCountFlag, sampleOf, writeArrow, writeArrowRows } from './scale-data.js';
import { readCodes, readPoints } from '../pipeline/runs/artifacts.js';
import { mapMetrics } from '../pipeline/metrics.js';
import type { RunManifest } from '../pipeline/types.js';
import { InputError } from '../pipeline/errors.js';
import { parseQueueUrl } from '../pipeline/queue/connection.js';
import { FlagError, readFlags } from './flags.js';

/** --sizes when not given: 10k, 70k, 250k, 1m (with --queue: the first, 10k). */
const DEFAULT_SIZES = [10_000, 70_000, 250_000, 1_000_000];

const flags = readFlags(
  import.meta.url,
  {
    sizes: { type: 'custom', default: null, parse: (t: string) => t.split(',').map((s) => rowCountFlag(s, 'sizes')) },
    'sample-of': { type: 'custom', default: null, parse: (t: string) => rowCountFlag(t, 'sample-of') },
    'sample-seed': { type: 'integer', default: 1 },
    reducer: { type: 'string', default: 'auto', choices: ['auto', 'autoencoder', 'pca', 'none'] },
    fitsne: { type: 'string', default: '' },
    queue: { type: 'optional', parse: queueUrl },
    workers: { type: 'integer', default: 3, min: 1 },
    shards: { type: 'integer', default: 12, min: 1 },
    'kill-worker': { type: 'boolean' },
  },
  {
    check: (f) => {
      const from = f['sample-of'];
      if (from !== null && f.queue.given) throw new FlagError('--sample-of is for the single-machine table, not --queue');
      const sizes = f.sizes ?? DEFAULT_SIZES;
      if (from !== null && sizes.some((n) => n > from)) throw new FlagError(`--sample-of ${from}: every size must be at most that (--sizes ${sizes.join(',')})`);
      if (f.queue.given && f.sizes !== null && f.sizes.length > 1) throw new FlagError(`--queue runs one size, got --sizes ${f.sizes.join(',')}`);
      if (f['kill-worker'] && !f.queue.given) throw new FlagError('--kill-worker is for the distributed mode: give --queue too');
      if (f.fitsne && f.queue.given) throw new FlagError('--fitsne is for the single-machine table, not --queue');
    },
  },
);

/** A --queue URL, checked as the coordinator and workers will read it (pipeline/queue/connection.ts). */
function queueUrl(text: string): string {
  try {
    parseQueueUrl(text);
  } catch (err) {
    if (err instanceof InputError) throw new FlagError(`--queue: ${err.reason}`);
    throw err;
  }
  return text;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/latentmap.js');
const sizes = flags.sizes ?? DEFAULT_SIZES;
const reducer = flags.reducer;
const fitsneDir = flags.fitsne || process.env.FITSNE_DIR || null;
/** --queue: null for the single-machine table; '' to start a redis-server here; else the queue's URL. */
const queueFlag = flags.queue.given ? (flags.queue.value ?? '') : null;
const workers = flags.workers;
const shardCount = flags.shards;
const killWorker = flags['kill-worker'];
const sampleFrom = flags['sample-of'];
const sampleSeed = flags['sample-seed'];
const dir = mkdtempSync(join(tmpdir(), 'latentmap-bench-scale-'));

function uptime(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// ---- one measured child ------------------------------------------------------------------------------

interface Measured {
  seconds: number;
  peakMB: number;
  stdout: string;
  stderr: string;
  code: number | null;
  /** Samples: seconds since the child started, RSS (MB) and CPU seconds used so far (user + system, the tree's). */
  samples: { t: number; mb: number; cpu: number }[];
  /** Each stderr line with the seconds since the child started at which it arrived. */
  lines: { t: number; text: string }[];
}

/** The process and its descendants (FIt-SNE's wrapper runs the fast_tsne binary as a child). */
function treeOf(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/**
 * RSS of a process tree now (MB, summed), the largest high-water mark (VmHWM) among its processes, and the CPU
 * seconds its live processes have used (utime + stime, all threads; a waited-for child's count in its parent).
 */
function rssOf(pid: number): { rss: number; hwm: number; cpu: number } {
  let rss = 0;
  let hwm = 0;
  let cpu = 0;
  for (const p of treeOf(pid)) {
    try {
      const s = readFileSync(`/proc/${p}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
      hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024);
      // fields after the command's closing parenthesis: utime, stime, cutime, cstime are the 12th-15th
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLOCK_TICKS;
    } catch {
      // ended
    }
  }
  return { rss, hwm, cpu };
}

/** USER_HZ of /proc/<pid>/stat (100 on Linux everywhere in practice). */
const CLOCK_TICKS = 100;

function measure(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = root): Promise<Measured> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: { t: number; text: string }[] = [];
    const samples: { t: number; mb: number; cpu: number }[] = [];
    const now = (): number => (performance.now() - t0) / 1000;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      const parts = (partial + String(d)).split('\n');
      partial = parts.pop()!;
      for (const text of parts) lines.push({ t: now(), text });
    });
    let peak = 0;
    const timer = setInterval(() => {
      const { rss, hwm, cpu } = rssOf(child.pid!);
      peak = Math.max(peak, rss, hwm);
      if (rss > 0) samples.push({ t: now(), mb: rss, cpu });
    }, 200);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ seconds: now(), peakMB: peak, stdout, stderr, code, samples, lines });
    });
  });
}

const STAGE_LABELS: Record<string, string> = { load: 'load', prepare: 'prepare', train: 'train', encode: 'encode', 't-SNE': 'tsne', UMAP: 'umap', metrics: 'metrics', write: 'write' };

/**
 * Peak RSS (MB) and CPU seconds of each stage: the samples between the stage's first and last progress line
 * (CPU: the difference between the samples nearest those two lines). The run's text log stamps each line with
 * the seconds since its logger started (`[  12.3s] train  40%`), so the offset between that clock and the
 * child's start is the smallest difference between a line's arrival and its stamp. The lines of load and
 * prepare are held until the input is validated and stamped when they are written, at the start of training:
 * those two stages are measured together, from the child's start to the first line of train, and reported
 * under load (prepare: '-').
 */
function stageFigures(m: Measured): Record<string, { mb: number; cpu: number }> {
  const marks: { stage: string; e: number; t: number }[] = [];
  for (const { t, text } of m.lines) {
    const hit = /^\[\s*([\d.]+)s\] (\S+)\s+\d+%/.exec(text);
    const stage = hit ? STAGE_LABELS[hit[2]!] : undefined;
    if (stage) marks.push({ stage, e: Number(hit![1]), t });
  }
  if (marks.length === 0) return {};
  const offset = Math.min(...marks.map((k) => k.t - k.e));
  const spans = new Map<string, [number, number]>();
  for (const k of marks) {
    const at = k.e + offset;
    const span = spans.get(k.stage);
    spans.set(k.stage, span ? [Math.min(span[0], at), Math.max(span[1], at)] : [at, at]);
  }
  const train = spans.get('train');
  if (train) {
    spans.set('load', [0, train[0]]);
    spans.delete('prepare');
  }
  const out: Record<string, { mb: number; cpu: number }> = {};
  const cpuAt = (t: number): number => {
    let best = m.samples[0];
    for (const x of m.samples) if (Math.abs(x.t - t) < Math.abs(best!.t - t)) best = x;
    return best?.cpu ?? 0;
  };
  for (const [stage, [a, b]] of spans) {
    // the log's stamps have 0.1 s resolution and samples come every 0.2 s: widen by one sample either side
    const inside = m.samples.filter((x) => x.t >= a - 0.2 && x.t <= b + 0.2);
    out[stage] = { mb: inside.reduce((p, x) => Math.max(p, x.mb), 0), cpu: cpuAt(b) - cpuAt(a) };
  }
  return out;
}

function fit(ns: number[], ts: number[]): number | null {
  const pts = ns.map((n, i) => [Math.log(n), Math.log(Math.max(ts[i]!, 1e-3))] as const).filter((_, i) => ts[i]! > 0.05);
  if (pts.length < 2) return null;
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxy / sxx;
}

const fmt = (v: number | null | undefined, d = 1): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

async function runOne(input: string, runsDir: string, extra: string[] = []): Promise<{ m: Measured; manifest: RunManifest; dir: string }> {
  const m = await measure(process.execPath, [bin, 'run', '--input', input, '--label-column', 'label', '--reducer', reducer, '--runs-dir', runsDir, '--json', ...extra]);
  if (m.code !== 0) throw new Error(`latentmap run failed (exit ${m.code}): ${m.stderr.slice(-2000)}`);
  const out = JSON.parse(m.stdout) as { dir: string; manifest: RunManifest };
  return { m, manifest: out.manifest, dir: out.dir };
}

/** Rows both maps are judged on in the FIt-SNE comparison (exact trustworthiness against the codes). */
const COMPARE_SAMPLE = 5000;

interface Compared {
  seconds: number;
  cpuSeconds: number;
  peakMB: number;
  trust: number;
  acc: number | null;
  /** Our run's map judged the same way (against the codes, on the same sample). */
  ours: { trust: number; acc: number | null };
}

/**
 * FIt-SNE on the run's codes through its Python wrapper (wall and CPU seconds of the fast_tsne call, the binary's
 * included), and both maps' trustworthiness and 10-NN label accuracy against the codes on one seeded sample.
 */
async function fitsne(runDir: string, manifest: RunManifest): Promise<Compared | null> {
  if (!fitsneDir) return null;
  const { codes } = await readCodes(runDir);
  const job = fitsneJob(fitsneDir, codes, manifest.config.seed, dir);
  // the wrapper writes its data and result files into its working directory: the bench's temporary one
  const m = await measure('/usr/bin/python3', ['-c', job.script], { ...process.env, OMP_NUM_THREADS: '2' }, dir);
  if (m.code !== 0) throw new Error(`FIt-SNE failed: ${m.stderr.slice(-2000)}`);
  const t = fitsneSeconds(m.stderr);
  const z = job.readMap();
  const points = await readPoints(runDir);
  const labels = Array.from({ length: points.numRows }, (_, i) => String(points.getChild('label')!.get(i)));
  const px = points.getChild('x')!.toArray() as Float32Array;
  const py = points.getChild('y')!.toArray() as Float32Array;
  const ourMap = new Float32Array(2 * points.numRows);
  for (let i = 0; i < points.numRows; i++) [ourMap[2 * i], ourMap[2 * i + 1]] = [px[i]!, py[i]!];
  const opts = { k: 10, sample: COMPARE_SAMPLE, seed: manifest.config.seed };
  const q = mapMetrics(codes, z, labels, opts);
  const o = mapMetrics(codes, ourMap, labels, opts);
  return {
    seconds: t.seconds ?? m.seconds,
    cpuSeconds: t.cpuSeconds ?? NaN,
    peakMB: m.peakMB,
    trust: q.trustworthiness,
    acc: q.labelAccuracy,
    ours: { trust: o.trustworthiness, acc: o.labelAccuracy },
  };
}

// ---- the single-machine table --------------------------------------------------------------------------

async function scaleTable(): Promise<void> {
  const stages = ['load', 'prepare', 'train', 'encode', 'tsne', 'metrics', 'write', 'total'];
  const rows: { n: number; t: Record<string, number>; fig: Record<string, { mb: number; cpu: number }>; peakMB: number; trust: number | null; acc: number | null; accInput: number | null; accCodes: number | null }[] = [];
  const compared: string[] = [];
  const data = sampleFrom === null ? 'the first n rows of the data' : `each size a uniform sample (seed ${sampleSeed}) of the rows of the ${sampleFrom}-row data`;
  console.log(`bench:scale  reducer ${reducer}  ${data}  load average at start ${uptime()}  (2-core machine; each size in a fresh process)`);
  for (const n of sizes) {
    const file = join(dir, `fmnist-${n}.arrow`);
    if (sampleFrom === null) await writeArrow(file, 0, n);
    else await writeArrowRows(file, sampleOf(n, sampleFrom, sampleSeed));
    const { m, manifest, dir: runDir } = await runOne(file, join(dir, 'runs'));
    const t = manifest.timings as Record<string, number>;
    const fig = stageFigures(m);
    const accInput = manifest.metrics.inputLabelAccuracy ?? null;
    const accCodes = manifest.metrics.codesLabelAccuracy ?? null;
    rows.push({ n, t, fig, peakMB: m.peakMB, trust: manifest.metrics.trustworthiness, acc: manifest.metrics.labelAccuracy, accInput, accCodes });
    console.log(
      `${String(n).padStart(8)} rows  ${stages.map((s) => `${s} ${fmt(t[s])} s${fig[s] ? ` ${fmt(fig[s]!.mb / 1024, 2)} GB` : ''}`).join('  ')}  peak ${fmt(m.peakMB / 1024, 2)} GB  trust ${fmt(manifest.metrics.trustworthiness, 3)}  acc ${fmt(manifest.metrics.labelAccuracy, 3)} (within ${String(manifest.metrics.sample)} rows; input ${fmt(accInput, 3)}, codes ${fmt(accCodes, 3)})  input neighbours ${(manifest.metrics.inputNeighbours as { method?: string } | undefined)?.method ?? '-'}  reducer ${String(manifest.choices?.reducer?.value ?? reducer)} (${codeWidth(manifest) ?? '-'} codes)  (load ${uptime()})`,
    );
    if (fitsneDir && (n === 70000 || n === 250000)) {
      const loadBefore = uptime();
      const f = await fitsne(runDir, manifest);
      if (f) {
        const cpu = fig.tsne?.cpu ?? NaN;
        compared.push(
          [
            `| ${n} | latentmap | ${fmt(t.tsne)} | ${fmt(cpu)} | ${fmt(m.peakMB / 1024, 2)} | ${fmt(f.ours.trust, 4)} | ${fmt(f.ours.acc, 4)} | run: ${uptime()} |`,
            `| ${n} | FIt-SNE | ${fmt(f.seconds)} | ${fmt(f.cpuSeconds)} | ${fmt(f.peakMB / 1024, 2)} | ${fmt(f.trust, 4)} | ${fmt(f.acc, 4)} | ${loadBefore} → ${uptime()} |`,
            `| ${n} | ratio | ${fmt(t.tsne! / f.seconds, 2)}x | ${fmt(cpu / f.cpuSeconds, 2)}x | ${fmt(m.peakMB / f.peakMB, 2)}x | ${fmt(f.ours.trust - f.trust, 4)} | ${fmt((f.ours.acc ?? NaN) - (f.acc ?? NaN), 4)} | |`,
          ].join('\n'),
        );
        console.log(compared.at(-1));
      }
    }
    rmSync(file, { force: true });
    rmSync(runDir, { recursive: true, force: true });
  }
  const ns = rows.map((r) => r.n);
  console.log(`\nper stage: seconds (the run's timings) / peak RSS in GB / CPU seconds (load: load and prepare together, from the process's start); load average at the end ${uptime()}`);
  console.log(`| stage | ${rows.map((r) => `${r.n} rows`).join(' | ')} |${rows.length >= 2 ? ' b (seconds) | b (peak) |' : ''}`);
  console.log(`| --- | ${rows.map(() => '---:').join(' | ')} |${rows.length >= 2 ? ' ---: | ---: |' : ''}`);
  for (const s of stages) {
    const cells = rows.map((r) => (s === 'total' ? `${fmt(r.t.total)} / ${fmt(r.peakMB / 1024, 2)}` : `${fmt(r.t[s])} / ${fmt((r.fig[s]?.mb ?? NaN) / 1024, 2)} / ${fmt(r.fig[s]?.cpu)}`));
    const b = rows.length >= 2 ? ` ${fmt(fit(ns, rows.map((r) => r.t[s] ?? 0)), 2)} | ${fmt(fit(ns, rows.map((r) => (s === 'total' ? r.peakMB : (r.fig[s]?.mb ?? 0)))), 2)} |` : '';
    console.log(`| ${s} | ${cells.join(' | ')} |${b}`);
  }
  console.log(`| trust / acc | ${rows.map((r) => `${fmt(r.trust, 4)} / ${fmt(r.acc, 4)}`).join(' | ')} |${rows.length >= 2 ? ' | |' : ''}`);
  console.log(`| acc input / codes | ${rows.map((r) => `${fmt(r.accInput, 4)} / ${fmt(r.accCodes, 4)}`).join(' | ')} |${rows.length >= 2 ? ' | |' : ''}`);
  if (compared.length) {
    console.log(`\nFIt-SNE side by side (2 threads each, same codes; trustworthiness and 10-NN label accuracy of each map against the codes on the same ${COMPARE_SAMPLE}-row sample; peak: the whole latentmap run vs FIt-SNE with its Python wrapper)`);
    console.log('| rows | t-SNE | seconds | CPU seconds | peak GB | trustworthiness | label accuracy | load average |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const c of compared) console.log(c);
  }
}

// ---- the distributed mode --------------------------------------------------------------------------------

/** The codes' width of a run (choices.codeSize when auto chose it, else the configured one). */
function codeWidth(m: RunManifest): number | null {
  const v = m.choices?.codeSize?.value ?? m.config.codeSize;
  return typeof v === 'number' ? v : null;
}

/** manifest.metrics.sharded (pipeline/queue/coordinator.ts). */
interface Sharded {
  shards: { file: string; rows: number; seconds: number; cpuSeconds?: number | null; worker: string }[];
  referenceRows: number;
  /** absent in runs made before it was recorded */
  sampleSeconds?: number;
  referenceSeconds: number;
  placeSeconds: number;
  workers: number;
  rowsPerSecondPerWorker: number;
  rowsPerCpuSecond?: number | null;
  /** shard jobs that found their outputs written by an earlier attempt that had lost its lock */
  repeatedJobs?: number;
}

/** A `latentmap worker` child of the bench: its log lines, and its RSS and CPU seconds sampled from /proc. */
interface BenchWorker {
  child: ChildProcess;
  lines: string[];
  peakMB: number;
  /** CPU seconds (utime + stime, all threads) at the last sample before it ended. */
  cpu: number;
  killed: { shard: number; progress: number; atSeconds: number } | null;
}

function startWorker(url: string): BenchWorker {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', url], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const w: BenchWorker = { child, lines: [], peakMB: 0, cpu: 0, killed: null };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => w.lines.push(...d.split('\n').filter(Boolean)));
  return w;
}

/**
 * --kill-worker: SIGKILL the first worker that starts a shard once that shard's job reports half its progress
 * (placing under way: 0.2 + 0.75 x the transform's progress), read from the job on the queue.
 */
async function killMidShard(url: string, ws: BenchWorker[], t0: number, done: () => boolean): Promise<BenchWorker | null> {
  const { openQueue } = await import('../pipeline/queue/dispatch.js');
  const { Job } = await import('bullmq');
  const queue = await openQueue(url);
  try {
    while (!done()) {
      for (const w of ws) {
        const started = w.lines.map((l) => /shard (\d+) of run (\S+) .*started \(attempt 1\)/.exec(l)).find(Boolean);
        if (!started) continue;
        const index = Number(started[1]) - 1;
        const job = await Job.fromId(queue, `${started[2]}-shard-${index}`);
        const progress = typeof job?.progress === 'number' ? job.progress : 0;
        if (progress >= 0.5) {
          w.child.kill('SIGKILL');
          w.killed = { shard: index + 1, progress, atSeconds: (performance.now() - t0) / 1000 };
          return w;
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  } finally {
    await queue.close();
  }
}

/** Whether two runs' points are the same bytes (index, x, y, label); else the largest coordinate difference. */
async function comparePoints(a: string, b: string): Promise<{ identical: boolean; rows: number; maxDiff: number; note: string }> {
  const [p, q] = [await readPoints(a), await readPoints(b)];
  if (p.numRows !== q.numRows) return { identical: false, rows: q.numRows, maxDiff: NaN, note: `${p.numRows} rows against ${q.numRows}` };
  const col = (t: typeof p, name: string): Uint8Array => {
    const v = t.getChild(name)!.toArray() as Float32Array | Int32Array;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  };
  const same = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
  let maxDiff = 0;
  for (const name of ['x', 'y']) {
    const u = p.getChild(name)!.toArray() as Float32Array;
    const v = q.getChild(name)!.toArray() as Float32Array;
    for (let i = 0; i < u.length; i++) maxDiff = Math.max(maxDiff, Math.abs(u[i]! - v[i]!));
  }
  let labels = true;
  const la = p.getChild('label');
  const lb = q.getChild('label');
  if (la && lb) for (let i = 0; i < p.numRows && labels; i++) labels = la.get(i) === lb.get(i);
  const identical = same(col(p, 'index'), col(q, 'index')) && same(col(p, 'x'), col(q, 'x')) && same(col(p, 'y'), col(q, 'y')) && labels;
  return { identical, rows: p.numRows, maxDiff, note: labels ? '' : 'labels differ' };
}

/** What this machine lacks for the bench (a program to start): said in one line, exit 1. */
class Unavailable extends Error {
  override name = 'Unavailable';
}

async function distributed(): Promise<void> {
  const n = sizes[0]!;
  let url = queueFlag || null;
  let stopRedis: (() => Promise<void>) | null = null;
  if (!url) {
    const { startRedis, redisUnavailable } = await import('../test/pipeline/queue/redis.js');
    const why = redisUnavailable();
    if (why) throw new Unavailable(`--queue without a URL starts Debian's redis-server here, but ${why}; or give --queue redis://host:port`);
    const r = await startRedis();
    url = r.url;
    stopRedis = r.stop;
  }
  const loadAtStart = uptime();
  console.log(`bench:scale --queue  ${n} rows in ${shardCount} shards, ${workers} workers${killWorker ? ', one killed (SIGKILL) at half of its first shard' : ''}, reducer ${reducer}, queue ${url}  load average at start ${loadAtStart}`);
  const shards = join(dir, 'shards');
  mkdirSync(shards);
  const per = Math.ceil(n / shardCount);
  for (let s = 0; s < shardCount; s++) await writeArrow(join(shards, `part-${String(s).padStart(4, '0')}.arrow`), s * per, Math.min(n, (s + 1) * per));
  console.log(`data written (load ${uptime()})`);
  try {
    const single = await runOne(shards, join(dir, 'runs-single'));
    console.log(`single process: ${fmt(single.m.seconds)} s, peak ${fmt(single.m.peakMB / 1024, 2)} GB (load ${uptime()})`);
    const ws = Array.from({ length: workers }, () => startWorker(url!));
    // workers are this bench's children: stop them however the bench ends
    const stopWorkers = (): void => ws.forEach((w) => w.child.exitCode === null && w.child.kill('SIGKILL'));
    process.once('exit', stopWorkers);
    process.once('SIGTERM', () => process.exit(143));
    process.once('SIGINT', () => process.exit(130));
    const sampler = setInterval(() => {
      for (const w of ws) {
        if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
        const { rss, hwm, cpu } = rssOf(w.child.pid!);
        w.peakMB = Math.max(w.peakMB, rss, hwm);
        if (cpu > 0) w.cpu = cpu;
      }
    }, 500);
    let q: Awaited<ReturnType<typeof runOne>>;
    let finished = false;
    const t0 = performance.now();
    try {
      const killing = killWorker ? killMidShard(url, ws, t0, () => finished) : Promise.resolve(null);
      q = await runOne(shards, join(dir, 'runs-queue'), ['--queue', url]).finally(() => (finished = true));
      await killing;
    } finally {
      clearInterval(sampler);
      for (const w of ws) w.child.kill('SIGTERM');
    }
    const loadAtEnd = uptime();
    const t = q.manifest.timings as Record<string, number>;
    const t1 = single.manifest.timings as Record<string, number>;
    const sh = q.manifest.metrics.sharded as Sharded;
    const n1 = single.manifest.metrics.sharded as Sharded;
    const killed = ws.find((w) => w.killed);
    const same = await comparePoints(single.dir, q.dir);

    console.log(`\nper worker process (shard jobs it completed: rows over their summed wall seconds and over their CPU seconds, placing thread included; process peak RSS and all the CPU seconds it used, an abandoned shard's included)`);
    console.log('| worker | shards | rows | wall s | CPU s | rows/s | rows per CPU s | peak GB | process CPU s |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const w of ws) {
      const mine = sh.shards.filter((x) => x.worker.endsWith(`:${w.child.pid}`));
      const rows = mine.reduce((a, x) => a + x.rows, 0);
      const wall = mine.reduce((a, x) => a + x.seconds, 0);
      const cpu = mine.reduce((a, x) => a + (x.cpuSeconds ?? NaN), 0);
      const name = `pid ${w.child.pid}${w.killed ? ` (killed at ${fmt(100 * w.killed.progress, 0)}% of shard ${w.killed.shard}, ${fmt(w.killed.atSeconds)} s into the run)` : ''}`;
      console.log(`| ${name} | ${mine.length} | ${rows} | ${fmt(wall)} | ${fmt(cpu)} | ${fmt(rows / wall, 0)} | ${fmt(rows / cpu, 0)} | ${fmt(w.peakMB / 1024, 2)} | ${fmt(w.cpu)} |`);
    }
    const s1 = n1.shards.reduce((a, x) => ({ rows: a.rows + x.rows, seconds: a.seconds + x.seconds, cpu: a.cpu + (x.cpuSeconds ?? NaN) }), { rows: 0, seconds: 0, cpu: 0 });
    for (const w of ws) {
      const repeats = w.lines.filter((l) => /already written/.test(l)).length;
      const errors = w.lines.filter((l) => /queue: /.test(l));
      if (repeats || errors.length) console.log(`  pid ${w.child.pid}: ${repeats} shard job(s) found already written; ${errors.length} queue error(s)${errors.length ? `, e.g. ${errors.slice(0, 2).join(' / ')}` : ''}`);
    }
    console.log(`| single process (no queue) | ${n1.shards.length} | ${s1.rows} | ${fmt(s1.seconds)} | ${fmt(s1.cpu)} | ${fmt(s1.rows / s1.seconds, 0)} | ${fmt(s1.rows / s1.cpu, 0)} | ${fmt(single.m.peakMB / 1024, 2)} | ${fmt(single.m.samples.at(-1)?.cpu)} |`);

    const rate = sh.rowsPerSecondPerWorker;
    const rate1 = n1.rowsPerSecondPerWorker;
    const cpuRate = sh.rowsPerCpuSecond ?? NaN;
    const cpuRate1 = n1.rowsPerCpuSecond ?? NaN;
    // the single process's CPU seconds per wall second while placing: how much of this machine one placing process uses
    const busy1 = s1.cpu / s1.seconds;
    console.log(`\nthe run (${n} rows, ${shardCount} shards, ${workers} worker processes on this ${availableParallelism()}-core machine; seconds)`);
    console.log('| figure | single process | queue |');
    console.log('| --- | ---: | ---: |');
    console.log(`| whole run (wall) | ${fmt(t1.total)} | ${fmt(t.total)} |`);
    console.log(`| placing every shard (wall) | ${fmt(n1.placeSeconds)} | ${fmt(sh.placeSeconds)} |`);
    console.log(`| rows/s per worker (wall) | ${fmt(rate1, 0)} | ${fmt(rate, 0)} (${fmt((100 * rate) / rate1, 0)}%; ${sh.workers} of ${workers} workers completed shards) |`);
    console.log(`| rows per CPU second per worker | ${fmt(cpuRate1, 0)} | ${fmt(cpuRate, 0)} (${fmt((100 * cpuRate) / cpuRate1, 0)}%) |`);
    console.log(`| rows/s of all workers together (rows / placing wall) | ${fmt(n / n1.placeSeconds, 0)} | ${fmt(n / sh.placeSeconds, 0)} |`);
    console.log(`| CPU seconds per wall second of one placing process | ${fmt(busy1, 2)} | ${fmt(s1.cpu > 0 ? sh.shards.reduce((a, x) => a + (x.cpuSeconds ?? NaN), 0) / sh.shards.reduce((a, x) => a + x.seconds, 0) : NaN, 2)} |`);
    console.log(`| coordinator overhead (whole run minus placing) | ${fmt(t1.total! - n1.placeSeconds)} | ${fmt(t.total! - sh.placeSeconds)} |`);
    console.log(`| - sampling pass (reads every shard) | ${fmt(n1.sampleSeconds ?? t1.load)} | ${fmt(sh.sampleSeconds ?? t.load)} |`);
    console.log(`| - reference run (${sh.referenceRows} rows) | ${fmt(n1.referenceSeconds)} | ${fmt(sh.referenceSeconds)} |`);
    for (const st of ['prepare', 'train', 'encode', 'tsne', 'metrics']) console.log(`|   - of which ${st} | ${fmt(t1[st])} | ${fmt(t[st])} |`);
    console.log(`| - assembly (shard outputs into the run) | ${fmt(t1.write)} | ${fmt(t.write)} |`);
    const rest = (tt: Record<string, number>, x: Sharded): number => tt.total! - x.placeSeconds - (x.sampleSeconds ?? tt.load!) - x.referenceSeconds - tt.write!;
    console.log(`| - queueing, polling, starting (the rest) | ${fmt(rest(t1, n1))} | ${fmt(rest(t, sh))} |`);
    console.log(`| shard jobs run again after a lost lock (outputs already written) | ${n1.repeatedJobs ?? '-'} | ${sh.repeatedJobs ?? '-'} |`);
    console.log(`| coordinator process: peak GB / CPU seconds | ${fmt(single.m.peakMB / 1024, 2)} / ${fmt(single.m.samples.at(-1)?.cpu)} | ${fmt(q.m.peakMB / 1024, 2)} / ${fmt(q.m.samples.at(-1)?.cpu)} |`);
    // what each reference run chose: a difference in the points usually starts there (the reducer, the candidate's training)
    const chose = (m: RunManifest): string => {
      const r = m.choices?.reducer as { value?: unknown; figures?: { candidates?: Record<string, { training?: { epochs?: number; bestEpoch?: number } }> } } | undefined;
      const ae = r?.figures?.candidates?.autoencoder?.training;
      return `${String(r?.value ?? m.config.reducer)}${ae ? ` (autoencoder candidate ${ae.epochs ?? '?'} epochs, best ${ae.bestEpoch ?? '?'})` : ''}`;
    };
    console.log(`\nreference runs chose: single process ${chose(single.manifest)}; queue ${chose(q.manifest)}`);
    console.log(
      `points: ${same.identical ? `byte-identical to the single process's (${same.rows} rows: index, x, y, label)` : `DIFFER from the single process's (${same.rows} rows; largest coordinate difference ${same.maxDiff}${same.note ? `; ${same.note}` : ''})`}` +
        `${killed ? `; worker pid ${killed.child.pid} was killed at ${fmt(100 * killed.killed!.progress, 0)}% of shard ${killed.killed!.shard}, which ${sh.shards[killed.killed!.shard - 1]!.worker} placed again` : ''}`,
    );

    // 100M rows on 50 workers. Sampling and assembly grow with the rows (one coordinator reads every shard and
    // writes every row); the reference run does not (referenceRows); placing divides among the workers: at the wall
    // rate a worker had here (the sharing of this machine), and at one core per worker for its placing thread (the
    // transform places on one thread) times the rows per CPU second measured here.
    const N = 100e6;
    const W = 50;
    const sampleTime = (N * (sh.sampleSeconds ?? t.load!)) / n;
    const assemblyTime = (N * t.write!) / n;
    const fixed = sampleTime + sh.referenceSeconds + assemblyTime;
    const placeWall = N / (W * rate);
    const placeCore = N / (W * cpuRate);
    const codeBytes = 4 * (codeWidth(single.manifest) ?? 32);
    console.log(
      `\n100M rows on 50 workers, T = N x sampling / n + reference run + N / (W x rows/s per worker) + N x assembly / n: ` +
        `sampling pass 100M x ${fmt(sh.sampleSeconds ?? t.load)} s / ${n} = ${fmt(sampleTime / 3600, 2)} h + reference run ${fmt(sh.referenceSeconds / 60, 1)} min` +
        ` + assembly 100M x ${fmt(t.write)} s / ${n} = ${fmt(assemblyTime / 3600, 2)} h + placing: at the workers' wall rate here (${fmt(rate, 0)} rows/s) ${fmt(placeWall / 3600, 2)} h, total ${fmt((fixed + placeWall) / 3600, 2)} h;` +
        ` with a core per worker (${fmt(cpuRate, 0)} rows per CPU second) ${fmt(placeCore / 3600, 2)} h, total ${fmt((fixed + placeCore) / 3600, 2)} h.` +
        ` The coordinator's sampling pass and assembly read and write every row in one process; the assembly holds every row's code and point (about ${fmt((N * (codeBytes + 16)) / 2 ** 30, 1)} GB at 100M rows).`,
    );
    console.log(`load average: ${loadAtStart} at the start, ${loadAtEnd} at the end of the queue run`);
    if (killWorker && !killed) throw new Error('--kill-worker: no worker reached half of a shard before the run ended');
    if (!same.identical) process.exitCode = 1;
  } finally {
    await stopRedis?.();
  }
}

try {
  if (queueFlag !== null) await distributed();
  else await scaleTable();
} catch (err) {
  // something this machine lacks: one line and exit 1 (a retry elsewhere may succeed), not a stack trace
  if (!(err instanceof Unavailable)) throw err;
  console.error(`bench/scale.ts: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
