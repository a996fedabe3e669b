// npm run bench:server — every read endpoint of the HTTP API under load, with the server's health and
// memory watched throughout.
//
// Set-up (synthetic, seeded, written with the same artifact writers as the pipeline): four 70,000-point
// image runs (28 x 28, like fashion-mnist: 32-wide codes, 784 stored values per row, a saved PCA model so
// items and reconstruction.png decode rows) and 300 small runs
// (so /api/runs lists 304). The server runs in a child process with its default options (cache budget
// 512 MiB), so the load generator does not steal its event loop.
//
// For each endpoint autocannon drives BENCH_CONNECTIONS (default 50) connections for BENCH_SECONDS
// (default 5) while one separate client asks /api/health every 50 ms; the table gives the endpoint's req/s,
// p50/p99, its 2xx, 429 (refused by the rate limit, with Retry-After: the server protecting itself), 503
// (refused as busy, with Retry-After: a full worker queue, too many feature columns read at once) and
// errors (any other status, timeouts, socket errors; in a phase where nothing at all was answered, each connection),
// "no answer" (connections whose first request was still in flight when the phase ended: slow, not failed; autocannon
// neither answers nor counts them), /api/health's answers (n), p50, p99 and max during that phase (the probe answers once before the phase starts), and the
// server's peak RSS during that phase. The very first request is one /api/runs, timed alone with /api/health
// asked alongside: the list right after a start reads every run once. The first phase asks for every run cold at once (points, items,
// images, neighbours of all four big runs): the cache budget must hold while they load. Three phases flood the server
// with refused requests (asked for, counted in their own column): row indexes that are not indexes and run ids
// that are not ids (400), and paths of no endpoint under a run (404); their health p50/p99 is the figure, and the
// CPU table's main-thread time per answer against the health phase's says what a refusal costs. Two phases ask for
// image.png while 10 more connections ask for slow reads (input-space searches, feature columns) beside it:
// whether quick reads wait behind slow ones in the worker threads. One phase opens a run of 1,500 x 1,500 pixel
// pictures (manifest, points, history, items, image.png), the kind of run that once stalled the server.
// Target: no errors, /api/health p99 < 100 ms in every phase, peak RSS < 512 MiB + 200 MB.
// Separating the server from the machine: "loop p99/max" is the server's own event-loop delay
// (perf_hooks.monitorEventLoopDelay inside the server process, reset per phase): what a request waits
// behind other work on the loop, plus the time the kernel did not schedule the server at all. "idle p99"
// is the same histogram in the probe process, which does almost nothing: the scheduling delay any process
// of this niceness saw on the machine during the phase. A server p99 near the idle p99 is the machine;
// well above it, the server's own work. "loop busy" is the share of the phase the server's event loop was
// running code (performance.eventLoopUtilization): far below 100% with slow responses means the time went
// elsewhere (the worker thread, the thread pool, or the load generator reading big bodies).
// The memory table adds, per phase, the full collections the memory budget asked V8 for ("off": the server's Node
// lacks --expose-gc) and the main thread's longest garbage-collection pause with its kind: whether a stall of the
// event loop was a collection. A third table gives the server's CPU time per phase: its main thread's (/proc) and all its
// threads' (process.cpuUsage) beside the phase's wall time. The server's Node starts as `latentmap serve` starts it (server/node-flags.ts).
// Environment: BENCH_NO_GC=1 (the server's Node without --expose-gc), BENCH_DEFAULT_MALLOC=1 (without glibc's
// allocator settings), BENCH_CACHE_MIB (the server's cache budget, 512: a smaller one shows the budget holding
// without a quiet machine to fill the default one), BENCH_ROWS (70000), BENCH_SECONDS (5), BENCH_CONNECTIONS (50), BENCH_SMALL_RUNS (300), BENCH_HUGE_ROWS (24), BENCH_HUGE_OLD (1: the 1,500 px run with its names in its manifest, as written before features.arrow), BENCH_DIR (os tmpdir),
// BENCH_ONLY (a regular expression: run only the phases whose name matches), BENCH_PROFILE (a directory: one
// .cpuprofile of the server's main thread per phase, for Chrome DevTools). The numbers are whole numbers (BENCH_SMALL_RUNS
// may be 0, the others at least 1). The command line takes no flags (only --help): a flag or argument, or a
// setting above that is not a number or not a regular expression, is one line on stderr and exit 2, before any work.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as perfConstants, monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { createApp } from '../server/app.js';
import { SERVER_NODE_FLAGS, serverEnv } from '../server/node-flags.js';
import { maskOf } from '../server/selection.js';
import { writeFixtureRun } from '../test/server/fixtures.js';
import { envWhole, FlagError, readFlags } from './flags.js';

/** BENCH_ONLY as a regular expression (null when unset); FlagError when it is not one. */
function onlyPattern(): RegExp | null {
  const text = process.env.BENCH_ONLY;
  if (!text) return null;
  try {
    return new RegExp(text);
  } catch (err) {
    throw new FlagError(`BENCH_ONLY is not a regular expression: ${(err as Error).message}`);
  }
}

// `--child DIR` and `--probe URL` are this script forking itself (the server, the health probe). The bench's own
// command line takes no flags, its settings being the BENCH_* variables: a flag or argument given, or a setting that
// is not a number, is refused in one line (exit 2) before any work.
const INTERNAL = process.argv.length === 4 && (process.argv[2] === '--child' || process.argv[2] === '--probe');
if (!INTERNAL) {
  readFlags(import.meta.url, {}, {
    check: () => {
      for (const [name, min] of [['BENCH_ROWS', 1], ['BENCH_SECONDS', 1], ['BENCH_CONNECTIONS', 1], ['BENCH_SMALL_RUNS', 0], ['BENCH_CACHE_MIB', 1], ['BENCH_HUGE_ROWS', 1]] as const) envWhole(name, 0, min);
      onlyPattern();
    },
  });
}

const ROWS = envWhole('BENCH_ROWS', 70000, 1);
const SECONDS = envWhole('BENCH_SECONDS', 5, 1);
const CONNECTIONS = envWhole('BENCH_CONNECTIONS', 50, 1);
const SMALL_RUNS = envWhole('BENCH_SMALL_RUNS', 300, 0);
const BIG = ['big-1', 'big-2', 'big-3', 'big-4'];
const ONLY = onlyPattern();
const PROFILE_DIR = process.env.BENCH_PROFILE ?? null;
/** The server's cache budget, MiB (BENCH_CACHE_MIB; default the server's own, 512). */
const CACHE_MIB = envWhole('BENCH_CACHE_MIB', 512, 1);
const BUDGET_MB = CACHE_MIB * 1.048576;
/** The 1,500 x 1,500 picture run (BENCH_HUGE_ROWS rows, default 24), and the phase that opens it. */
const HUGE = 'huge-1500px';
const HUGE_ROWS = envWhole('BENCH_HUGE_ROWS', 24, 1);
const HUGE_PHASE = 'open a 1500x1500 image run';
/** BENCH_HUGE_OLD=1: that run as written before features.arrow, its 2.25 million feature names in its manifest (50 MB). */
const HUGE_OLD = process.env.BENCH_HUGE_OLD === '1';
/** Connections of the heavy requests some phases drive beside the measured ones. */
const BESIDE_CONNECTIONS = 10;

/** p99 and max of an event-loop delay histogram, ms. */
function delays(h: IntervalHistogram): { p99: number; max: number } {
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

type ChildMessage = 'stop' | { phase: 'start' } | { phase: 'end'; name: string };

/** Where the server's memory was at the phase's highest RSS (sampled inside the server every 500 ms), MB. */
interface MemoryBreakdown {
  rss: number;
  /** The main thread's V8 heap: in use, and reserved from the system (what RSS sees). */
  heap: number;
  heapTotal: number;
  /** The memory outside the heap the main thread's objects own (Buffers, ArrayBuffers). */
  external: number;
  /** The run cache: values held, and reserved by loads in flight. */
  cached: number;
  reserved: number;
  /** The worker threads, summed: their heaps, and the buffers their objects own. */
  workerHeap: number;
  workerExternal: number;
}

/** Full collections the memory budget asked V8 for during a phase (null: it cannot, Node lacks --expose-gc). */
type Forced = number | null;

/** The main thread's longest garbage-collection pause of a phase, ms, and its kind (V8's, as perf_hooks reports it). */
interface GcPause {
  ms: number;
  kind: string;
}

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** Megabytes are 10^6 bytes throughout (the limit is 512 MiB = 536.9 MB + 200 MB); /proc gives kB of 1024 bytes. */
const MB = 1e6;

/** CPU time of this process's main thread (user and system), ms: /proc/self/task/<pid>/stat, in clock ticks of 10 ms. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** The server's CPU time during a phase, ms: its main thread's, all its threads' (workers, libuv's pool, V8's helpers), and the phase's wall time. */
interface CpuTime {
  main: number;
  all: number;
  wall: number;
}

async function child(runsDir: string): Promise<void> {
  const app = createApp({ runsDir, log: () => {}, ...(process.env.BENCH_CACHE_MIB ? { cacheBytes: CACHE_MIB * 1024 * 1024 } : {}) });
  // As serve() does at start-up: the worker thread loads its code before the first request.
  await app.locals.context.workers.warm();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let elu = performance.eventLoopUtilization();
  let cpuAtStart = { main: mainThreadCpuMs(), all: process.cpuUsage(), wall: performance.now() };
  const { cache, workers, memory } = app.locals.context;
  let forcedAtStart = 0;
  let longestGc: GcPause = { ms: 0, kind: '' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration > longestGc.ms) longestGc = { ms: e.duration, kind: GC_KINDS[(e as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? '?' };
    }
  }).observe({ entryTypes: ['gc'] });
  let peakMemory: MemoryBreakdown | null = null;
  let sampling = false;
  const sample = async (): Promise<void> => {
    // The breakdown (a message to each worker thread, the main heap's statistics) is taken only at a new peak:
    // taken every time, it cost the event loop it measures ~4% in the busiest phases.
    if (sampling || (peakMemory && process.memoryUsage.rss() / MB <= peakMemory.rss)) return;
    sampling = true;
    const threads = await workers.memory(200);
    const m = process.memoryUsage();
    const at: MemoryBreakdown = {
      rss: m.rss / MB,
      heap: m.heapUsed / MB,
      heapTotal: m.heapTotal / MB,
      external: m.external / MB,
      cached: cache.usage.cached / MB,
      reserved: cache.usage.reserved / MB,
      workerHeap: threads.reduce((s, t) => s + t.heapUsed, 0) / MB,
      workerExternal: threads.reduce((s, t) => s + t.external, 0) / MB,
    };
    if (!peakMemory || at.rss > peakMemory.rss) peakMemory = at;
    sampling = false;
  };
  setInterval(() => void sample(), 500).unref();
  const session = PROFILE_DIR ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
  }
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.send!({ port: addr.port });
  });
  process.on('message', (m: ChildMessage) => {
    if (m === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    } else if (m.phase === 'start') {
      loop.reset();
      peakMemory = null;
      forcedAtStart = memory?.forcedCollections ?? 0;
      longestGc = { ms: 0, kind: '' };
      elu = performance.eventLoopUtilization();
      cpuAtStart = { main: mainThreadCpuMs(), all: process.cpuUsage(), wall: performance.now() };
      void (session?.post('Profiler.start') ?? Promise.resolve()).then(() => process.send!({ started: true }));
    } else {
      const loopDelay = { ...delays(loop), busy: performance.eventLoopUtilization(elu).utilization };
      const all = process.cpuUsage(cpuAtStart.all);
      const cpu: CpuTime = { main: mainThreadCpuMs() - cpuAtStart.main, all: (all.user + all.system) / 1000, wall: performance.now() - cpuAtStart.wall };
      void (async () => {
        if (session) {
          const { profile } = await session.post('Profiler.stop');
          await mkdir(PROFILE_DIR!, { recursive: true });
          await writeFile(path.join(PROFILE_DIR!, `${m.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`), JSON.stringify(profile));
        }
        const forced: Forced = memory?.canCollect ? memory.forcedCollections - forcedAtStart : null;
        process.send!({ loopDelay, memory: peakMemory, forced, gc: longestGc, cpu });
      })();
    }
  });
}

/** Sends a message to the server child and waits for its answer. */
function ask<T>(proc: ChildProcess, message: ChildMessage): Promise<T> {
  return new Promise((resolve) => {
    proc.once('message', (m) => resolve(m as T));
    proc.send(message);
  });
}

/** Resident set size of a process (VmRSS), or its high-water mark (VmHWM: transients between samples included), MB (Linux /proc). */
function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (Number(m[1]) * 1024) / MB : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Asks /api/health every 50 ms from its own process (so the load generator's event loop does not delay it)
 * until stopped; returns the latencies, ms.
 */
interface ProbeResult {
  times: number[];
  /** Event-loop delay of the (nearly idle) probe process: the machine's scheduling delay, ms. */
  idle: { p99: number; max: number };
}

function healthProbe(base: string): { ready: Promise<void>; stop: () => Promise<ProbeResult> } {
  const child = fork(fileURLToPath(import.meta.url), ['--probe', base], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  let isReady!: () => void;
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  const result = new Promise<ProbeResult>((resolve) => {
    child.on('message', (m) => {
      if ((m as { ready?: boolean }).ready) isReady();
      else resolve(m as ProbeResult);
    });
    child.once('exit', () => {
      isReady();
      resolve({ times: [], idle: { p99: NaN, max: NaN } });
    });
  });
  return {
    ready,
    stop: async () => {
      child.send('stop');
      const r = await result;
      if (child.exitCode === null) child.kill();
      return r;
    },
  };
}

/** The probe process: see healthProbe. */
async function probeMain(base: string, everyMs = 50): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        const req = get(`${base}/api/health`, { agent, timeout: 30_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve());
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
        req.on('timeout', () => req.destroy());
      });
      times.push(performance.now() - t);
      if (times.length === 1) process.send!({ ready: true });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  process.once('message', () => {
    running = false;
    void loop.then(() => {
      agent.destroy();
      process.send!({ times, idle: delays(idle) } satisfies ProbeResult, undefined, undefined, () => process.exit(0));
    });
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Row {
  name: string;
  reqs: number;
  p50: number;
  p99: number;
  ok: number;
  limited: number;
  busy: number;
  /** Answers of the status the phase asked for on purpose (400 to bad requests). */
  refused: number;
  errors: number;
  /** Connections that got no answer in the whole phase (Driven.silent). */
  silent: number;
  /** /api/health answers the probe timed during the phase. */
  healthN: number;
  healthP50: number;
  healthP99: number;
  healthMax: number;
  loopP99: number;
  loopMax: number;
  loopBusy: number;
  idleP99: number;
  idleMax: number;
  peakMb: number;
  memory: MemoryBreakdown | null;
  forced: Forced;
  gc: GcPause;
  cpu: CpuTime;
  load: number;
}

/** The machine's 1-minute load average. */
function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** What a connection asks next: a path (GET), or a POST with a JSON body. */
type Ask = string | { path: string; body: string };

/** autocannon's request of an Ask. */
function requestOf(ask: Ask): Partial<autocannon.Request> {
  return typeof ask === 'string' ? { path: ask } : { path: ask.path, method: 'POST', body: ask.body, headers: { 'content-type': 'application/json' } };
}

/**
 * Drives `paths` at CONNECTIONS connections for SECONDS. `beside`: other requests driven at the same time by
 * BESIDE_CONNECTIONS more connections (not counted in the row): whether the endpoint's requests wait behind them.
 */
async function phase(name: string, base: string, proc: ChildProcess, paths: () => Ask, headers: Record<string, string> = {}, beside: (() => Ask) | null = null, asked: number[] = []): Promise<Row | null> {
  return measured(name, base, proc, asked, async () => {
    const statuses = new Map<number, number>();
    // the connections that got an answer during the phase: one that got none waited the whole phase on one request,
    // which autocannon neither answers nor counts as an error when the phase ends (its timeout is 30 s)
    const answered = new Set<object>();
    const drive = (asks: () => Ask, connections: number, count: boolean): Promise<autocannon.Result> =>
      new Promise<autocannon.Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: base,
            connections,
            duration: SECONDS,
            timeout: 30,
            headers,
            ...(count ? { setupClient: (client: { on: (event: 'response', f: () => void) => void }) => client.on('response', () => answered.add(client)) } : {}),
            requests: [
              {
                setupRequest: (req: autocannon.Request) => {
                  const next = requestOf(asks());
                  return { ...req, ...next, headers: { ...req.headers, ...next.headers } };
                },
              },
            ],
          },
          (err, res) => (err ? reject(err) : resolve(res)),
        );
        if (count) instance.on('response', (_client, status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
      });
    const [result] = await Promise.all([drive(paths, CONNECTIONS, true), beside ? drive(beside, BESIDE_CONNECTIONS, false) : null]);
    // autocannon's errors include its timeouts; a connection with neither an answer nor an error was still waiting
    // for its first answer when the phase ended
    const silent = Math.max(0, CONNECTIONS - answered.size - result.errors);
    return { reqs: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, statuses, failed: result.errors, silent };
  });
}

/**
 * One request, timed, with /api/health asked alongside from the moment the probe answers: for what is slow
 * only the first time (the run list right after the server started, reading every run).
 */
async function once(name: string, base: string, proc: ChildProcess, url: string): Promise<Row | null> {
  return measured(name, base, proc, [], async () => {
    const t = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = get(`${base}${url}`, { timeout: 60_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
    const ms = performance.now() - t;
    // health keeps being asked a moment after: a stall that outlasts the answer counts too
    await new Promise((r) => setTimeout(r, 500));
    return { reqs: 1000 / ms, p50: ms, p99: ms, statuses: new Map(status ? [[status, 1]] : []), failed: status ? 0 : 1, silent: 0 };
  });
}

/** What one phase drove: its throughput and latency, the statuses answered, and requests that got no answer. */
interface Driven {
  reqs: number;
  p50: number;
  p99: number;
  statuses: Map<number, number>;
  failed: number;
  /** Connections that got no answer in the whole phase (their first request still in flight at its end). */
  silent: number;
}

/**
 * Runs `drive` as phase `name` (when BENCH_ONLY lets it), with the server's memory, event loop and /api/health watched.
 * `asked`: statuses the phase asks for on purpose (400 for a flood of bad requests), counted as refused, not as errors.
 */
async function measured(name: string, base: string, proc: ChildProcess, asked: number[], drive: () => Promise<Driven>): Promise<Row | null> {
  if (ONLY && !ONLY.test(name)) return null;
  const pid = proc.pid!;
  await ask(proc, { phase: 'start' });
  let peak = rssMb(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  const probe = healthProbe(base);
  // The probe answers once before the load starts: a probe process still starting on a loaded machine asked only
  // at the end of a phase (one sample, its p50 its max)
  await probe.ready;
  const result = await drive();
  const probed = await probe.stop();
  const health = probed.times.sort((a, b) => a - b);
  const load = loadAverage();
  // Let the server drain the last requests, still sampling memory.
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(sampler);
  const { loopDelay, memory, forced, gc, cpu } = await ask<{ loopDelay: { p99: number; max: number; busy: number }; memory: MemoryBreakdown | null; forced: Forced; gc: GcPause; cpu: CpuTime }>(proc, { phase: 'end', name });
  let ok = 0;
  let limited = 0;
  let busy = 0;
  let refused = 0;
  let other = 0;
  for (const [s, n] of result.statuses) {
    if (s >= 200 && s < 300) ok += n;
    else if (s === 429) limited += n;
    else if (s === 503) busy += n;
    else if (asked.includes(s)) refused += n;
    else other += n;
  }
  return {
    name,
    reqs: result.reqs,
    p50: result.p50,
    p99: result.p99,
    ok,
    limited,
    busy,
    refused,
    // a phase in which nothing was answered failed as a whole: each of its connections is an error
    errors: other + result.failed + (ok + limited + busy + refused + other === 0 ? result.silent : 0),
    silent: result.silent,
    healthN: health.length,
    healthP50: quantile(health, 0.5),
    healthP99: quantile(health, 0.99),
    healthMax: health.at(-1) ?? NaN,
    loopP99: loopDelay.p99,
    loopMax: loopDelay.max,
    loopBusy: loopDelay.busy,
    cpu,
    idleP99: probed.idle.p99,
    idleMax: probed.idle.max,
    peakMb: peak,
    memory,
    forced,
    gc,
    load,
  };
}

/** Prints a Markdown table, the first column left-aligned, the others right-aligned. */
function printTable(head: string[], table: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(fmt(head));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const t of table) console.log(fmt(t));
}

async function main(): Promise<void> {
  if (INTERNAL && process.argv[2] === '--child') {
    await child(process.argv[3]!);
    return;
  }
  if (INTERNAL && process.argv[2] === '--probe') {
    await probeMain(process.argv[3]!);
    return;
  }
  const runsDir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), 'latentmap-bench-server-'));
  let proc: ChildProcess | null = null;
  try {
    const t0 = performance.now();
    for (const [i, id] of BIG.entries()) {
      await writeFixtureRun(runsDir, { id, rows: ROWS, codeSize: 32, image: { width: 28, height: 28, channels: 1 }, seed: 7 + i, pca: true });
    }
    for (let i = 0; i < SMALL_RUNS; i++) {
      await writeFixtureRun(runsDir, { id: `small-${String(i).padStart(3, '0')}`, rows: 20, seed: i, createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() });
    }
    // The tester's large picture run: 1,500 x 1,500 pixels a row (2.25 million values; pictures drawn reduced to
    // 1,024 a side, items without their values), written only when a phase opens it.
    const withHuge = !ONLY || ONLY.test(HUGE_PHASE);
    if (withHuge) {
      await writeFixtureRun(runsDir, { id: HUGE, rows: HUGE_ROWS, codeSize: 8, image: { width: 1500, height: 1500, channels: 1 }, seed: 99, reducer: 'none', namesInManifest: HUGE_OLD });
    }
    console.log(`synthetic runs: ${BIG.length} x ${ROWS} points (28x28 images, 32-wide codes) + ${SMALL_RUNS} small, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // The server's Node as `latentmap serve` starts it (server/node-flags.ts: --expose-gc, glibc's allocator
    // settings); BENCH_NO_GC=1: without the flag, BENCH_DEFAULT_MALLOC=1: without the settings.
    proc = fork(fileURLToPath(import.meta.url), ['--child', runsDir], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_NO_GC ? [] : SERVER_NODE_FLAGS)],
      env: process.env.BENCH_DEFAULT_MALLOC ? process.env : serverEnv(),
      stdio: 'inherit',
    });
    const port = await new Promise<number>((resolve, reject) => {
      proc!.once('message', (m) => resolve((m as { port: number }).port));
      proc!.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
    });
    const pid = proc.pid!;
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/api/health`);
    const idle = rssMb(pid);

    let seed = 1;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const big = (): string => BIG[rnd(BIG.length)]!;
    const onDisk = BIG.length + SMALL_RUNS + (withHuge ? 1 : 0);
    const run = `/api/runs/${BIG[0]}`;
    const rows: (Row | null)[] = [];
    const cold = [
      (id: string) => `/api/runs/${id}/points`,
      (id: string) => `/api/runs/${id}/items/${rnd(ROWS)}`,
      (id: string) => `/api/runs/${id}/items/${rnd(ROWS)}/image.png`,
      (id: string) => `/api/runs/${id}/neighbors/${rnd(ROWS)}?k=10`,
    ];
    // first of all: the run list right after the start (every run read once), /api/health asked meanwhile
    rows.push(await once(`runs list, first after start (${onDisk})`, base, proc, '/api/runs'));
    rows.push(await phase('cold: 4 big runs at once', base, proc, () => cold[rnd(cold.length)]!(big())));
    rows.push(await phase('health', base, proc, () => '/api/health'));
    rows.push(await phase(`runs list (${onDisk})`, base, proc, () => '/api/runs'));
    rows.push(await phase('manifest', base, proc, () => run));
    rows.push(await phase('history', base, proc, () => `${run}/history`));
    rows.push(await phase('events (complete run)', base, proc, () => `${run}/events`));
    rows.push(await phase('points arrow', base, proc, () => `${run}/points`));
    rows.push(await phase('points arrow br', base, proc, () => `${run}/points`, { 'accept-encoding': 'br' }));
    // as a client without Accept-Encoding asks (curl, autocannon by default): the JSON uncompressed
    rows.push(await phase('points json', base, proc, () => `${run}/points?format=json`));
    rows.push(await phase('points json gzip', base, proc, () => `${run}/points?format=json`, { 'accept-encoding': 'gzip' }));
    rows.push(await phase('items', base, proc, () => `${run}/items/${rnd(ROWS)}`));
    // floods of requests that are refused (an outside tester's, at 50 clients): row indexes that are not indexes
    // and run ids that are not ids (400, refused before routing and not counted by the read limit), and paths
    // of no endpoint under a run (404)
    const bad = [(n: number) => `${run}/items/-${n}`, (n: number) => `${run}/items/${n}x/image.png`, (n: number) => `${run}/neighbors/${n}.5?k=10`];
    rows.push(await phase('bad row index (400)', base, proc, () => bad[rnd(bad.length)]!(rnd(ROWS)), {}, null, [400]));
    const badIds = [(n: number) => `/api/runs/r.${n}`, (n: number) => `/api/runs/${n}..x/points`, (n: number) => `/api/runs/%2E%2E%2F${n}/history`, (n: number) => `/api/runs/-${n}/items/${n}`];
    rows.push(await phase('bad run id (400)', base, proc, () => badIds[rnd(badIds.length)]!(rnd(ROWS)), {}, null, [400]));
    rows.push(await phase('no such run path (404)', base, proc, () => `${run}/points/-${rnd(ROWS)}`, {}, null, [404]));
    rows.push(await phase('image.png', base, proc, () => `${run}/items/${rnd(ROWS)}/image.png`));
    rows.push(await phase('image.png?scale=16', base, proc, () => `${run}/items/${rnd(ROWS)}/image.png?scale=16`));
    rows.push(await phase('reconstruction.png', base, proc, () => `${run}/items/${rnd(ROWS)}/reconstruction.png`));
    rows.push(await phase('features (784 columns)', base, proc, () => `${run}/features/f${rnd(784)}`));
    rows.push(await phase('neighbors k=10', base, proc, () => `${run}/neighbors/${rnd(ROWS)}?k=10`));
    rows.push(await phase('neighbors k=1000', base, proc, () => `${run}/neighbors/${rnd(ROWS)}?k=1000`));
    rows.push(await phase('neighbors space=input', base, proc, () => `${run}/neighbors/${rnd(ROWS)}?k=10&space=input`));
    const selection = (n: number): Int32Array => Int32Array.from({ length: n }, () => rnd(ROWS));
    rows.push(await phase('decode 100 rows', base, proc, () => ({ path: `${run}/decode`, body: JSON.stringify({ rows: Array.from(selection(100)) }) })));
    rows.push(await phase('decode mask, 10% of rows', base, proc, () => ({ path: `${run}/decode`, body: JSON.stringify({ mask: maskOf(selection(ROWS / 10).sort()) }) })));
    // Do quick reads wait behind slow ones in the worker? image.png beside 10 connections of input-space searches
    rows.push(await phase('image.png beside input searches', base, proc, () => `${run}/items/${rnd(ROWS)}/image.png`, {}, () => `${run}/neighbors/${rnd(ROWS)}?k=10&space=input`));
    rows.push(await phase('image.png beside features', base, proc, () => `${run}/items/${rnd(ROWS)}/image.png`, {}, () => `${run}/features/f${rnd(784)}`));
    // Opening the 1,500 px run as the viewer does: its manifest, points and history, then rows hovered (items and their pictures)
    const huge = `/api/runs/${HUGE}`;
    const opening = [() => huge, () => `${huge}/points`, () => `${huge}/history`, () => `${huge}/items/${rnd(HUGE_ROWS)}`, () => `${huge}/items/${rnd(HUGE_ROWS)}/image.png`];
    rows.push(await phase(HUGE_PHASE, base, proc, () => opening[rnd(opening.length)]!()));
    rows.push(await phase('jobs', base, proc, () => '/api/jobs'));
    rows.push(await phase('datasets', base, proc, () => '/api/datasets'));
    rows.push(await phase('uploads', base, proc, () => '/api/uploads'));
    rows.push(await phase('viewer (/)', base, proc, () => '/'));
    rows.push(await phase('mixed, all 4 runs', base, proc, () => cold[rnd(cold.length)]!(big())));

    const done = rows.filter((r): r is Row => r !== null);
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per endpoint; /api/health asked every 50 ms alongside; idle RSS ${idle.toFixed(0)} MB, limit ${(BUDGET_MB + 200).toFixed(0)} MB (${CACHE_MIB} MiB cache + 200 MB)\n`);
    const head = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'refused (asked)', '429', '503', 'errors', 'no answer', 'health n', 'health p50', 'health p99', 'health max', 'loop p99', 'loop max', 'loop busy', 'idle p99', 'idle max', 'peak RSS MB', 'load'];
    const table = done.map((r) => [
      r.name,
      r.reqs.toFixed(0),
      r.p50.toFixed(0),
      r.p99.toFixed(0),
      String(r.ok),
      String(r.refused),
      String(r.limited),
      String(r.busy),
      String(r.errors),
      String(r.silent),
      String(r.healthN),
      r.healthP50.toFixed(0),
      r.healthP99.toFixed(0),
      r.healthMax.toFixed(0),
      r.loopP99.toFixed(0),
      r.loopMax.toFixed(0),
      `${(r.loopBusy * 100).toFixed(0)}%`,
      r.idleP99.toFixed(0),
      r.idleMax.toFixed(0),
      r.peakMb.toFixed(0),
      r.load.toFixed(1),
    ]);
    printTable(head, table);
    console.log(`\nwhere the memory was at each phase's highest RSS (sampled inside the server every 500 ms), MB\n`);
    const memHead = ['endpoint', 'RSS', 'main heap', 'main heap reserved', 'main external', 'cache held', 'cache reserved', 'worker heaps', 'worker external', 'forced GCs', 'longest GC ms'];
    const memTable = done.map((r) => {
      const m = r.memory;
      return [
        r.name,
        ...(m ? [m.rss, m.heap, m.heapTotal, m.external, m.cached, m.reserved, m.workerHeap, m.workerExternal].map((v) => v.toFixed(0)) : memHead.slice(1, -2).map(() => '–')),
        r.forced === null ? 'off' : String(r.forced),
        r.gc.ms > 0 ? `${r.gc.ms.toFixed(0)} ${r.gc.kind}` : '–',
      ];
    });
    printTable(memHead, memTable);
    // whether a slow phase was work of the server's main thread, work of its other threads, or time the machine
    // gave to other processes (wall time far above the CPU time with the loop idle)
    console.log(`\nthe server's CPU time per phase (from the phase's start until a second after its last request), ms\n`);
    printTable(
      ['endpoint', 'wall', 'main thread CPU', 'all threads CPU', 'main thread share of wall', 'answers', 'main CPU per answer µs'],
      done.map((r) => {
        const answers = r.ok + r.limited + r.busy + r.refused + r.errors;
        return [r.name, r.cpu.wall.toFixed(0), r.cpu.main.toFixed(0), r.cpu.all.toFixed(0), `${((r.cpu.main / r.cpu.wall) * 100).toFixed(0)}%`, String(answers), answers > 0 ? ((r.cpu.main * 1000) / answers).toFixed(0) : '–'];
      }),
    );
    const worst = Math.max(...done.map((r) => r.healthP99));
    const peak = Math.max(...done.map((r) => r.peakMb));
    const errors = done.reduce((s, r) => s + r.errors, 0);
    const silent = done.filter((r) => r.silent > 0).map((r) => `${r.name} ${r.silent}`);
    const hwm = rssMb(pid, 'VmHWM');
    console.log(`\nerrors ${errors}; worst /api/health p99 ${worst.toFixed(0)} ms (target < 100); peak RSS ${peak.toFixed(0)} MB, high-water mark ${hwm.toFixed(0)} MB (VmHWM) (target < ${(BUDGET_MB + 200).toFixed(0)})`);
    console.log(`connections of ${CONNECTIONS} still waiting for a first answer when their phase ended: ${silent.length ? silent.join(', ') : 'none'}`);
  } finally {
    if (proc && proc.exitCode === null) {
      proc.send('stop');
      await new Promise((r) => proc!.once('exit', r));
    }
    await rm(runsDir, { recursive: true, force: true });
  }
}

await main();
