// Some of a run's points as the Arrow IPC stream the points endpoint serves (the same columns, integer columns
// narrowed, the `index` column naming each row): an overview sample of the map, or the rows of a region
// (points-grid.ts). Runs in the server's worker thread (read-tasks.ts, op `points-subset`), which keeps the
// last run's table and grid for MEMO_IDLE_MS after its last use, so a user zooming about a 20M-point map does
// not have the 300+ MB file read again for each region. What the thread holds is counted against the run
// cache's budget as the process's memory (memory-budget.ts: RSS), so the cache gives way while it is held.
//
// The answer's schema metadata says what it stands for (SUBSET_KEYS): the rows it stands for (the run's, or
// the region's: the true count), whether it is a sample of them, and the grid's seed.
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
} as const;

/** The last run's table and grid are dropped this long after their last use, ms. */
export const MEMO_IDLE_MS = 60_000;

export type SubsetPick = { kind: 'overview'; rows: number; seed: number } | ({ kind: 'region'; limit: number; seed: number } & Region);

interface Memo {
  runDir: string;
  stamp: string;
  table: Table;
  x: Float32Array;
  y: Float32Array;
  grid: PointsGrid;
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
    return { runDir, stamp, table, x, y, grid, timer: null };
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

/** The rows a pick chooses, and the time the memo was in use (for tests). */
export async function pickRows(runDir: string, pick: SubsetPick): Promise<{ table: Table; picked: PickedRows }> {
  const m = await load(runDir);
  keepFor(m);
  const picked = pick.kind === 'overview' ? overviewRows(m.grid, pick.rows, pick.seed) : regionRows(m.grid, m.x, m.y, pick, pick.limit, pick.seed);
  return { table: m.table, picked };
}

/** The Arrow IPC stream of the pick's rows with every column of the run's points, and its true count. */
export async function pointsSubset(runDir: string, pick: SubsetPick): Promise<{ bytes: Uint8Array; total: number; rows: number }> {
  const { table, picked } = await pickRows(runDir, pick);
  const vectors: Record<string, Vector> = {};
  for (const field of table.schema.fields) vectors[field.name] = gather(table.getChild(field.name)!, picked.positions);
  const metadata = new Map([
    [SUBSET_KEYS.total, String(picked.total)],
    [SUBSET_KEYS.sampled, String(picked.positions.length < picked.total)],
    [SUBSET_KEYS.kind, pick.kind],
  ]);
  return { bytes: pointsStream(new Table(vectors), undefined, metadata), total: picked.total, rows: picked.positions.length };
}

/** Drops the kept table and grid (tests). */
export function forgetSubsetMemo(): void {
  if (memo?.timer) clearTimeout(memo.timer);
  memo = null;
}
