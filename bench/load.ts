// Loader throughput and peak memory: `npm run bench:load [-- --rows N --cols D --repeat K]`.
// Generates one dataset (default 1,000,000 x 64, float values with 4 decimals) as CSV, CSV.gz, Arrow IPC,
// Parquet and .npy in a temp dir, then loads each in a fresh child process (so peak RSS is that format's alone)
// and prints MB/s of the file and peak RSS against the matrix size. Baselines measured in the same run:
// - "read": streaming the same file's bytes without parsing (the disk/page-cache ceiling), per format;
// - "idle": the peak RSS of a child that imports the loaders and loads nothing.
// --rows, --cols and --repeat are whole numbers of at least 1; an unknown flag, a bad number or an argument is
// one line on stderr and exit 2, before any file is written.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readFlags } from './flags.js';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

interface ChildResult {
  seconds: number;
  maxRssMB: number;
  rows: number;
  cols: number;
}

// `--child MODE PATH` is this script running itself (child() below), not its command line
if (args.length === 3 && args[0] === '--child') {
  // Child: load one file (or nothing, for the idle baseline, or just read the bytes) and report.
  const [, mode, path] = args;
  const { loadDataset } = await import('../pipeline/load/index.js');
  const t0 = performance.now();
  let rows = 0;
  let cols = 0;
  if (mode === 'load') {
    const d = await loadDataset({ dataset: null, input: path!, labelColumn: null, dataDir: null, limit: null });
    rows = d.matrix.rows;
    cols = d.matrix.cols;
  } else if (mode === 'read') {
    let bytes = 0;
    for await (const chunk of createReadStream(path!, { highWaterMark: 1 << 20 })) bytes += (chunk as Buffer).length;
    if (bytes === 0) throw new Error('read nothing');
  }
  const seconds = (performance.now() - t0) / 1000;
  // VmHWM (peak RSS) starts afresh at exec; getrusage's maxRSS would inherit the parent's peak from the fork.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const result: ChildResult = { seconds, maxRssMB: hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024, rows, cols };
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const flags = readFlags(import.meta.url, {
  rows: { type: 'integer', default: 1_000_000, min: 1 },
  cols: { type: 'integer', default: 64, min: 1 },
  repeat: { type: 'integer', default: 1, min: 1 },
});
const ROWS = flags.rows;
const COLS = flags.cols;
const REPEAT = flags.repeat;
const dir = mkdtempSync(join(tmpdir(), 'latentmap-bench-load-'));
const matrixMB = (ROWS * COLS * 4) / 2 ** 20;

function child(mode: 'load' | 'read' | 'idle', path = ''): ChildResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', here, '--child', mode, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as ChildResult;
}

/** Deterministic values with 4 decimals, as a CSV writer would print them. */
function value(r: number, c: number): number {
  const x = Math.sin(r * 12.9898 + c * 78.233) * 43758.5453;
  return Math.round((x - Math.floor(x)) * 2e4 - 1e4) / 1e4;
}

async function generate(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  console.error(`generating ${ROWS.toLocaleString()} x ${COLS} in ${dir} ...`);
  // CSV (and gz of it)
  files.csv = join(dir, 'data.csv');
  {
    const ws = createWriteStream(files.csv);
    const header = Array.from({ length: COLS }, (_, c) => `f${c}`).join(',') + '\n';
    ws.write(header);
    const block = 5000;
    for (let r0 = 0; r0 < ROWS; r0 += block) {
      let s = '';
      for (let r = r0; r < Math.min(ROWS, r0 + block); r++) {
        for (let c = 0; c < COLS; c++) s += (c ? ',' : '') + value(r, c);
        s += '\n';
      }
      if (!ws.write(s)) await new Promise<void>((res) => ws.once('drain', () => res()));
    }
    await new Promise<void>((res, rej) => ws.end((err?: Error | null) => (err ? rej(err) : res())));
  }
  files['csv.gz'] = join(dir, 'data.csv.gz');
  await pipeline(createReadStream(files.csv), createGzip({ level: 1 }), createWriteStream(files['csv.gz']));
  // Arrow, Parquet, .npy
  const matrix = new Float32Array(ROWS * COLS);
  for (let r = 0; r < ROWS; r++) for (let c = 0; c < COLS; c++) matrix[r * COLS + c] = value(r, c);
  const { tableFromArrays, tableToIPC } = await import('apache-arrow');
  const columns: Record<string, Float32Array> = {};
  for (let c = 0; c < COLS; c++) {
    const col = new Float32Array(ROWS);
    for (let r = 0; r < ROWS; r++) col[r] = matrix[r * COLS + c]!;
    columns[`f${c}`] = col;
  }
  const table = tableFromArrays(columns);
  files.arrow = join(dir, 'data.arrow');
  writeFileSync(files.arrow, tableToIPC(table, 'file'));
  const { initParquet } = await import('../pipeline/load/parquet.js');
  await initParquet();
  const pq = await import('parquet-wasm/esm');
  files.parquet = join(dir, 'data.parquet');
  writeFileSync(files.parquet, pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(table, 'stream'))));
  files.npy = join(dir, 'data.npy');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${COLS}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(files.npy, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(matrix.buffer)]));
  return files;
}

try {
  const files = await generate();
  child('idle'); // warms tsx's compile cache, so the idle baseline below is steady
  const idle = child('idle');
  console.log(`\nlatentmap loaders: ${ROWS.toLocaleString()} x ${COLS} float values (matrix ${matrixMB.toFixed(0)} MB); best of ${REPEAT}; idle child RSS ${idle.maxRssMB.toFixed(0)} MB\n`);
  const rowsOut: string[][] = [['format', 'file MB', 'load s', 'load MB/s', 'read MB/s', 'load/read', 'peak RSS MB', '(RSS-idle)/matrix']];
  for (const [format, path] of Object.entries(files)) {
    const mb = statSync(path).size / 2 ** 20;
    let best: ChildResult | null = null;
    let read: ChildResult | null = null;
    for (let k = 0; k < REPEAT; k++) {
      const r = child('read', path);
      if (!read || r.seconds < read.seconds) read = r;
      const l = child('load', path);
      if (l.rows !== ROWS || l.cols !== COLS) throw new Error(`${format}: loaded ${l.rows} x ${l.cols}`);
      if (!best || l.seconds < best.seconds) best = l;
    }
    const loadRate = mb / best!.seconds;
    const readRate = mb / read!.seconds;
    rowsOut.push([
      format,
      mb.toFixed(0),
      best!.seconds.toFixed(2),
      loadRate.toFixed(0),
      readRate.toFixed(0),
      (loadRate / readRate).toFixed(3),
      best!.maxRssMB.toFixed(0),
      ((best!.maxRssMB - idle.maxRssMB) / matrixMB).toFixed(2),
    ]);
  }
  const widths = rowsOut[0]!.map((_, i) => Math.max(...rowsOut.map((r) => r[i]!.length)));
  for (const r of rowsOut) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  console.log('\nread: streaming the file without parsing, in a child like the load. (RSS-idle)/matrix: 1.00 = the matrix alone.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
