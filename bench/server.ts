// npm run bench:server — the HTTP API under load on a synthetic 70,000-point run (32-wide codes).
// The server runs in a child process (so the load generator does not steal its event loop); autocannon
// drives each endpoint for BENCH_SECONDS (default 5) with BENCH_CONNECTIONS (default 10) connections and
// prints req/s, p50 and p99 latency, errors and bytes per response. Baselines in the same run:
//   health               the cheapest endpoint: req/s of the others are also shown as a ratio to it
//   points ... (naive)   the same body rebuilt on every request (tableToIPC / pointsToRows + JSON.stringify,
//                        compressed by the compression middleware), i.e. what a server without the per-run
//                        cache and precompressed variants would do: the "x naive" column is cached / naive.
// Also: neighbour search in-process (no HTTP), mean and max ms over 200 random rows.
// Environment: BENCH_ROWS (default 70000), BENCH_SECONDS, BENCH_CONNECTIONS.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import compression from 'compression';
import { tableToIPC } from 'apache-arrow';
import { pointsToRows, readCodes, readPoints } from '../pipeline/runs/artifacts.js';
import { createApp } from '../server/app.js';
import { nearestRows } from '../server/nearest.js';
import { writeFixtureRun } from '../test/server/fixtures.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 70000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const RUN_ID = 'bench-70k';

async function child(runsDir: string): Promise<void> {
  const app = createApp({ runsDir, log: () => {} });
  // The naive baseline: rebuild the body on every request, compress on the fly.
  const runDir = path.join(runsDir, RUN_ID);
  app.get('/naive/points', compression({ filter: () => true }), async (req, res) => {
    const table = await readPoints(runDir);
    if (req.query.format === 'json') res.type('application/json').send(JSON.stringify(pointsToRows(table)));
    else res.type('application/vnd.apache.arrow.stream').send(Buffer.from(tableToIPC(table, 'stream')));
  });
  // Express resolves routes in order: move the naive route before the app's 404 handlers.
  const stack = (app as unknown as { router: { stack: unknown[] } }).router.stack;
  stack.splice(stack.length - 4, 0, stack.pop()!);
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address() as { port: number };
    process.send!({ port: addr.port });
  });
  process.on('message', (m) => {
    if (m === 'stop') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
}

interface Row {
  name: string;
  reqs: number;
  p50: number;
  p99: number;
  errors: number;
  bytes: number;
}

async function load(
  name: string,
  url: string,
  opts: { headers?: Record<string, string>; paths?: () => string; connections?: number } = {},
): Promise<Row> {
  const result = await autocannon({
    url,
    connections: opts.connections ?? CONNECTIONS,
    duration: SECONDS,
    headers: opts.headers ?? {},
    ...(opts.paths
      ? {
          requests: [
            {
              setupRequest: (req: Record<string, unknown>) => ({ ...req, path: opts.paths!() }),
            },
          ],
        }
      : {}),
  } as autocannon.Options);
  // Let the server drain sockets of the last run before the next endpoint is measured.
  await new Promise((r) => setTimeout(r, 1000));
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    name,
    reqs: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    bytes: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
  };
}

/** One client, one request at a time: median and p90 of full response times (body read), ms. */
async function sequential(url: string, headers: Record<string, string>, n = 30): Promise<{ p50: number; p90: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    bytes = await new Promise<number>((resolve, reject) => {
      get(url, { headers }, (res) => {
        let size = 0;
        res.on('data', (c: Buffer) => (size += c.length));
        res.on('end', () => resolve(size));
        res.on('error', reject);
      }).on('error', reject);
    });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n / 2)]!, p90: times[Math.floor(n * 0.9)]!, bytes };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3]!);
    return;
  }
  const runsDir = await mkdtemp(path.join(tmpdir(), 'latentmap-bench-server-'));
  let proc: ChildProcess | null = null;
  try {
    const t0 = performance.now();
    await writeFixtureRun(runsDir, { id: RUN_ID, rows: ROWS, codeSize: 32, features: 8, seed: 7 });
    console.log(`synthetic run: ${ROWS} points, 32-wide codes, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Neighbour search without HTTP.
    const { codes } = await readCodes(path.join(runsDir, RUN_ID));
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const row = (i * 7919) % codes.rows;
      const s = performance.now();
      nearestRows(codes, row, 10);
      times.push(performance.now() - s);
    }
    console.log(`neighbour search in-process (k=10, ${codes.rows} x ${codes.cols}): mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`);

    proc = fork(fileURLToPath(import.meta.url), ['--child', runsDir], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const port = await new Promise<number>((resolve, reject) => {
      proc!.once('message', (m) => resolve((m as { port: number }).port));
      proc!.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    // Warm the caches (first requests parse and compress).
    for (const p of ['/points', '/points?format=json', '/neighbors/0', '']) {
      for (const enc of ['identity', 'gzip', 'br']) await fetch(`${base}/api/runs/${RUN_ID}${p}`, { headers: { 'accept-encoding': enc } });
    }

    let seed = 1;
    const randomRow = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % ROWS;
    };
    const rows: Row[] = [];
    const api = `${base}/api/runs/${RUN_ID}`;
    rows.push(await load('health (baseline)', `${base}/api/health`));
    rows.push(await load('manifest', api));
    rows.push(await load('points arrow', `${api}/points`));
    rows.push(await load('points arrow br', `${api}/points`, { headers: { 'accept-encoding': 'br' } }));
    rows.push(await load('points arrow gzip', `${api}/points`, { headers: { 'accept-encoding': 'gzip' } }));
    rows.push(await load('points json gzip', `${api}/points?format=json`, { headers: { 'accept-encoding': 'gzip' } }));
    rows.push(await load('points json', `${api}/points?format=json`));
    rows.push(await load('neighbors k=10', api, { paths: () => `/api/runs/${RUN_ID}/neighbors/${randomRow()}?k=10` }));
    rows.push(await load('neighbors k=100', api, { paths: () => `/api/runs/${RUN_ID}/neighbors/${randomRow()}?k=100` }));
    rows.push(await load('neighbors k=10, 1 conn', api, { connections: 1, paths: () => `/api/runs/${RUN_ID}/neighbors/${randomRow()}?k=10` }));
    // Naive baselines last: their slow requests keep the server busy after autocannon stops.
    rows.push(await load('points arrow gzip (naive)', `${base}/naive/points`, { headers: { 'accept-encoding': 'gzip' } }));
    rows.push(await load('points json gzip (naive)', `${base}/naive/points?format=json`, { headers: { 'accept-encoding': 'gzip' } }));

    const health = rows[0]!.reqs;
    const naive = new Map([
      ['points arrow gzip', rows.find((r) => r.name === 'points arrow gzip (naive)')!.reqs],
      ['points json gzip', rows.find((r) => r.name === 'points json gzip (naive)')!.reqs],
    ]);
    console.log(`\nautocannon: ${CONNECTIONS} connections, ${SECONDS} s per endpoint, ${ROWS} points\n`);
    const head = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'kB/resp', 'x health', 'x naive'];
    const table = rows.map((r) => [
      r.name,
      r.reqs.toFixed(0),
      r.p50.toFixed(1),
      r.p99.toFixed(1),
      String(r.errors),
      (r.bytes / 1024).toFixed(1),
      (r.reqs / health).toFixed(3),
      // A naive endpoint that finished nothing in the window managed under 1 request per window.
      naive.has(r.name) ? (naive.get(r.name)! > 0 ? (r.reqs / naive.get(r.name)!).toFixed(1) : `>${(r.reqs * SECONDS).toFixed(0)}`) : '',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
    const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(fmt(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const t of table) console.log(fmt(t));
    // autocannon's client parses every body in JS on the same two cores: for megabyte bodies it, not the
    // server, sets the req/s above. One sequential client shows the time the server needs per response.
    console.log('\none client, sequential requests (30 each): response time incl. body');
    for (const [name, url, headers] of [
      ['manifest', api, {}],
      ['points arrow', `${api}/points`, {}],
      ['points arrow br', `${api}/points`, { 'accept-encoding': 'br' }],
      ['points json gzip', `${api}/points?format=json`, { 'accept-encoding': 'gzip' }],
      ['neighbors k=10', `${api}/neighbors/12345?k=10`, {}],
    ] as [string, string, Record<string, string>][]) {
      const r = await sequential(url, headers);
      console.log(`  ${name.padEnd(18)} p50 ${r.p50.toFixed(1).padStart(6)} ms  p90 ${r.p90.toFixed(1).padStart(6)} ms  ${(r.bytes / 1024).toFixed(1).padStart(7)} kB`);
    }
    const one = rows.find((r) => r.name === 'neighbors k=10, 1 conn')!;
    console.log(`\nneighbours, one client at a time: p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms (target: well under 50 ms)`);
    console.log(`(under ${CONNECTIONS} concurrent connections latency is queueing: requests share one event loop)`);
  } finally {
    if (proc && proc.exitCode === null) {
      proc.send('stop');
      await new Promise((r) => proc!.once('exit', r));
    }
    await rm(runsDir, { recursive: true, force: true });
  }
}

await main();
