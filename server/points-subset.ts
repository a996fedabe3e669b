// Some of a run's points as the Arrow IPC stream the points endpoint serves (the same columns, integer columns
// narrowed, the `index` column naming each row): an overview sample of the map, or the rows of a region
// (points-grid.ts). Runs in the server's worker thread (read-tasks.ts, op `points-subset`), which keeps the
// last run's table and grid for MEMO_IDLE_MS after its last use, so a user zooming about a 20M-point map does
// not have the 300+ MB file read again for each region. What the thread holds is counted against the run
// cache's budget as the process's memory (memory-budget.ts: RSS), so the cache gives way while it is held.
//
// The answer's schema metadata says what it stands for (SUBSET_KEYS): the rows it stands for (the run's, or
// the region's: the true count), whether it is a sample of them, what it is, and (a region answer with
// `around`) how many of its rows are overview rows outside the region.
import { stat } from 'node:fs/promises';
import { DataType, makeVector, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { readPoints } from '../pipeline/runs/artifacts.js';
import { runFile } from '../pipeline/runs/layout.js';
import { buildGrid, classCodes, overviewRows, regionRows, type PickedRows, type PointsGrid, type Region } from './points-grid.js';
import { pointsStream } from './points-stream.js';

/** The answer's schema metadata keys. */
export const SUBSET_KEYS = {
  /** Rows the answer stands for: the run's (overview) or the region's (region), as a decimal. */
  total: 'latentmap.total',
  /** "true" when the answer holds a sample of them, else "false". */
  sampled: 'latentmap.sampled',
  /** What the answer is: "overview" or "region". */
  kind: 'latentmap.subset',
  /** Of a region answer with `around`: how many of its rows are the overview's rows outside the region. */
  outside: 'latentmap.outside',
} as const;

/** The last run's table and grid are dropped this long after their last use, ms. */
export const MEMO_IDLE_MS = 60_000;

/**
 * overview: at most `rows` rows of the whole map. region: the rows inside the region (at most `limit`), and
 * with `around` > 0 the rows of the overview of that many rows that lie outside it, so a viewer holds one
 * table: exact (or denser) where it looks, the overview elsewhere.
 */
export type SubsetPick = { kind: 'overview'; rows: number; seed: number } | ({ kind: 'region'; limit: number; seed: number; around: number } & Region);

interface Memo {
  runDir: string;
  stamp: string;
  table: Table;
  x: Float32Array;
  y: Float32Array;
  grid: PointsGrid;
  /** The last overview drawn (a region answer with `around` draws the same one again). */
  overview: { rows: number; seed: number; positions: Int32Array } | null;
  timer: ReturnType<typeof setTimeout> | null;
}

let memo: Memo | null = null;
let loading: Promise<Memo> | null = null;

async function stampOf(runDir: string): Promise<string> {
  const st = await stat(runFile(runDir, 'points'));
  return `${st.ino}:${st.mtimeMs}:${st.size}`;
}

function float32(vec: Vector | null, name: string): Float32Array {
  if (!vec) throw new Error(`the points have no ${name} column`);
  const arr = vec.toArray() as unknown;
  return arr instanceof Float32Array && vec.nullCount === 0 ? arr : Float32Array.from({ length: vec.length }, (_, i) => Number(vec.get(i) ?? NaN));
}

async function load(runDir: string): Promise<Memo> {
  const stamp = await stampOf(runDir);
  if (memo && memo.runDir === runDir && memo.stamp === stamp) return memo;
  if (loading) await loading.catch(() => undefined);
  if (memo && memo.runDir === runDir && memo.stamp === stamp) return memo;
  if (memo?.timer) clearTimeout(memo.timer);
  memo = null; // one run at a time: the old one goes before the new one is read
  loading = (async () => {
    const table = await readPoints(runDir);
    const x = float32(table.getChild('x'), 'x');
    const y = float32(table.getChild('y'), 'y');
    const label = table.getChild('label');
    const ints = label && DataType.isInt(label.type) && label.nullCount === 0 ? (label.toArray() as ArrayLike<number>) : null;
    const classes = label ? classCodes(table.numRows, ints ? (i) => ints[i] : (i) => label.get(i)) : null;
    const grid = buildGrid(x, y, classes?.codes ?? null, classes?.classes ?? 1);
    return { runDir, stamp, table, x, y, grid, overview: null, timer: null };
  })();
  try {
    memo = await loading;
  } finally {
    loading = null;
  }
  return memo;
}

function keepFor(m: Memo): void {
  if (m.timer) clearTimeout(m.timer);
  m.timer = setTimeout(() => {
    if (memo === m) memo = null;
  }, MEMO_IDLE_MS);
  m.timer.unref?.();
}

/** The column's values at `positions` (ascending), same type. */
export function gather(vec: Vector, positions: Int32Array): Vector {
  const m = positions.length;
  if ((DataType.isInt(vec.type) || DataType.isFloat(vec.type)) && vec.nullCount === 0) {
    const arr = vec.toArray() as Int32Array | Float32Array | Float64Array | BigInt64Array;
    const Ctor = arr.constructor as new (n: number) => typeof arr;
    const out = new Ctor(m);
    for (let j = 0; j < m; j++) out[j] = arr[positions[j]!]!;
    return makeVector(out);
  }
  const values = new Array<unknown>(m);
  for (let j = 0; j < m; j++) values[j] = vec.get(positions[j]!);
  return vectorFromArray(values, vec.type);
}

function overviewOf(m: Memo, rows: number, seed: number): PickedRows {
  if (!m.overview || m.overview.rows !== rows || m.overview.seed !== seed) m.overview = { rows, seed, ...overviewRows(m.grid, rows, seed) };
  return { positions: m.overview.positions, total: m.grid.order.length };
}

/** The ascending union of two ascending position lists without common entries. */
function mergeAscending(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** The rows a pick chooses (positions ascending), the true count, and how many are overview rows outside a region. */
export async function pickRows(runDir: string, pick: SubsetPick): Promise<{ table: Table; picked: PickedRows; outside: number }> {
  const m = await load(runDir);
  keepFor(m);
  if (pick.kind === 'overview') return { table: m.table, picked: overviewOf(m, pick.rows, pick.seed), outside: 0 };
  const inside = regionRows(m.grid, m.x, m.y, pick, pick.limit, pick.seed);
  if (pick.around <= 0) return { table: m.table, picked: inside, outside: 0 };
  const all = overviewOf(m, pick.around, pick.seed).positions;
  const out = new Int32Array(all.length);
  let k = 0;
  for (const p of all) {
    const a = m.x[p]!;
    const b = m.y[p]!;
    if (!(a >= pick.x0 && a <= pick.x1 && b >= pick.y0 && b <= pick.y1)) out[k++] = p;
  }
  return { table: m.table, picked: { positions: mergeAscending(inside.positions, out.subarray(0, k)), total: inside.total }, outside: k };
}

/** The Arrow IPC stream of the pick's rows with every column of the run's points, and its true count. */
export async function pointsSubset(runDir: string, pick: SubsetPick): Promise<{ bytes: Uint8Array; total: number; rows: number }> {
  const { table, picked, outside } = await pickRows(runDir, pick);
  const vectors: Record<string, Vector> = {};
  for (const field of table.schema.fields) vectors[field.name] = gather(table.getChild(field.name)!, picked.positions);
  const metadata = new Map([
    [SUBSET_KEYS.total, String(picked.total)],
    [SUBSET_KEYS.sampled, String(picked.positions.length - outside < picked.total)],
    [SUBSET_KEYS.kind, pick.kind],
    [SUBSET_KEYS.outside, String(outside)],
  ]);
  return { bytes: pointsStream(new Table(vectors), undefined, metadata), total: picked.total, rows: picked.positions.length };
}

/** Drops the kept table and grid (tests). */
export function forgetSubsetMemo(): void {
  if (memo?.timer) clearTimeout(memo.timer);
  memo = null;
}
