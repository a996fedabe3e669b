// Arrow IPC files of a run (points, codes, data). Writing and reading them lives here only; every function
// takes the run directory and finds the file by its name in layout.ts.
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  Bool,
  DataType,
  Field,
  FixedSizeList,
  Float32,
  RecordBatchFileWriter,
  Table,
  type RecordBatch,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import type { Matrix, MetaColumn } from '../types.js';
import { RUN_FILES, runFile } from './layout.js';

export interface PointsColumns {
  /** Row index in the input (after --limit, before dropping rows with missing values). */
  index: Int32Array;
  /** n x 2 map coordinates, row-major. */
  embedding: Float32Array;
  /** Per-row reconstruction error, when a model made the codes. */
  error?: Float32Array | null;
  /** Per-row neighbourhood preservation: share of the row's k input-space neighbours among its k map neighbours. */
  preservation?: Float32Array | null;
  label?: MetaColumn | null;
  metadata?: MetaColumn[];
  /** For transform runs: true for the rows placed by the transform, false for the base run's rows. */
  isNew?: Uint8Array | null;
}

/** Column names the points file reserves; metadata columns with these names are renamed with a trailing underscore. */
const RESERVED = new Set(['index', 'x', 'y', 'error', 'preservation', 'label', 'isNew']);

export function metaVector(col: MetaColumn): Vector {
  if (col.kind === 'number') {
    const v = col.values;
    let integral = v.length > 0;
    for (let i = 0; i < v.length && integral; i++) {
      const x = v[i]!;
      if (!Number.isInteger(x) || Math.abs(x) > 2147483647) integral = false;
    }
    return integral ? makeVector(Int32Array.from(v)) : makeVector(v instanceof Float64Array ? v : Float64Array.from(v));
  }
  return vectorFromArray(col.values, new Utf8());
}

/** Builds the points table (columns in contract order). */
export function pointsTable(p: PointsColumns): Table {
  const n = p.index.length;
  if (p.embedding.length !== n * 2) throw new Error(`points: embedding has ${p.embedding.length / 2} rows, index has ${n}`);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = p.embedding[2 * i]!;
    y[i] = p.embedding[2 * i + 1]!;
  }
  const cols: Record<string, Vector> = { index: makeVector(p.index), x: makeVector(x), y: makeVector(y) };
  if (p.error) cols.error = makeVector(p.error);
  if (p.preservation) cols.preservation = makeVector(p.preservation);
  if (p.label) cols.label = metaVector(p.label);
  for (const m of p.metadata ?? []) {
    let name = m.name;
    while (RESERVED.has(name) || name in cols) name = `${name}_`;
    cols[name] = metaVector(m);
  }
  if (p.isNew) cols.isNew = vectorFromArray(Array.from(p.isNew, (b) => b !== 0), new Bool());
  for (const [name, v] of Object.entries(cols)) {
    if (v.length !== n) throw new Error(`points: column "${name}" has ${v.length} rows, expected ${n}`);
  }
  return new Table(cols);
}

/** Writes the run's points file; returns its name relative to the run (for the manifest's `artifacts`). */
export async function writePoints(runDir: string, p: PointsColumns): Promise<string> {
  await writeFile(runFile(runDir, 'points'), tableToIPC(pointsTable(p), 'file'));
  return RUN_FILES.points;
}

/** A FixedSizeList<float32> vector holding each matrix row as one list. */
function matrixVector(m: Matrix): Vector {
  const child = makeData({ type: new Float32(), length: m.rows * m.cols, nullCount: 0, data: m.values });
  const type = new FixedSizeList(m.cols, new Field('item', new Float32(), false));
  return makeVector(makeData({ type, length: m.rows, nullCount: 0, child }));
}

function matrixFromVector(v: Vector | null, what: string): Matrix {
  if (!v || !(v.type instanceof FixedSizeList)) throw new Error(`${what}: missing fixed-size-list column`);
  const cols = v.type.listSize;
  const rows = v.length;
  const values = new Float32Array(rows * cols);
  let offset = 0;
  for (const chunk of v.data) {
    const child = chunk.children[0]!;
    const base = child.offset + chunk.offset * cols;
    const count = chunk.length * cols;
    values.set((child.values as Float32Array).subarray(base, base + count), offset);
    offset += count;
  }
  return { rows, cols, values };
}

function int32Column(t: Table, name: string, what: string): Int32Array {
  const v = t.getChild(name);
  if (!v) throw new Error(`${what}: missing column "${name}"`);
  const arr = v.toArray();
  return arr instanceof Int32Array ? arr : Int32Array.from(arr as ArrayLike<number>);
}

/** The codes file: `index` int32 and `code` FixedSizeList<float32>[codeSize]. Returns its relative name. */
export async function writeCodes(runDir: string, codes: Matrix, index: Int32Array): Promise<string> {
  await writeFile(runFile(runDir, 'codes'), tableToIPC(new Table({ index: makeVector(index), code: matrixVector(codes) }), 'file'));
  return RUN_FILES.codes;
}

export async function readCodes(runDir: string): Promise<{ codes: Matrix; index: Int32Array }> {
  const t = tableFromIPC(await readFile(runFile(runDir, 'codes')));
  return { codes: matrixFromVector(t.getChild('code'), RUN_FILES.codes), index: int32Column(t, 'index', RUN_FILES.codes) };
}

/** Values per record batch of the data file (about 16 MB of float32), so writing it holds one batch at a time. */
const DATA_BATCH_VALUES = 4 << 20;

/**
 * The data file: original (unscaled) feature values of every row: `index` int32, `values` FixedSizeList<float32>.
 * Row i of the file is row `rows[i]` of `values` (rows: increasing row numbers; row i when rows is null); the
 * file's index column is `index`.
 * Streamed to disk in record batches of about 16 MB: rows are gathered one batch at a time (a batch of
 * consecutive rows is a view of the matrix), so the file never exists in memory whole.
 */
export async function writeData(runDir: string, values: Matrix, index: Int32Array, rows: Int32Array | null = null): Promise<string> {
  const n = rows ? rows.length : values.rows;
  if (index.length !== n) throw new Error(`data: ${n} rows but ${index.length} index values`);
  const { cols } = values;
  const per = Math.max(1, Math.floor(DATA_BATCH_VALUES / Math.max(1, cols)));
  if (n === 0) {
    await writeFile(runFile(runDir, 'data'), tableToIPC(new Table({ index: makeVector(index), values: matrixVector({ rows: 0, cols, values: new Float32Array(0) }) }), 'file'));
    return RUN_FILES.data;
  }
  function* batches(): Generator<RecordBatch> {
    for (let start = 0; start < n; start += per) {
      const end = Math.min(n, start + per);
      const first = rows ? (rows[start] ?? 0) : start;
      const consecutive = !rows || end === start || rows[end - 1]! - first === end - 1 - start;
      let part: Float32Array;
      if (consecutive) part = values.values.subarray(first * cols, (first + end - start) * cols);
      else {
        part = new Float32Array((end - start) * cols);
        for (let i = start; i < end; i++) part.set(values.values.subarray(rows![i]! * cols, (rows![i]! + 1) * cols), (i - start) * cols);
      }
      yield new Table({ index: makeVector(index.subarray(start, end)), values: matrixVector({ rows: end - start, cols, values: part }) }).batches[0]!;
    }
  }
  await pipeline(Readable.from(batches()), RecordBatchFileWriter.throughNode(), createWriteStream(runFile(runDir, 'data')));
  return RUN_FILES.data;
}

export async function readData(runDir: string): Promise<{ values: Matrix; index: Int32Array }> {
  const t = tableFromIPC(await readFile(runFile(runDir, 'data')));
  return { values: matrixFromVector(t.getChild('values'), RUN_FILES.data), index: int32Column(t, 'index', RUN_FILES.data) };
}

/** The run's points.arrow. Throws when the file is missing, unreadable as Arrow, or has no x and y columns (emptied: never an empty map). */
export async function readPoints(runDir: string): Promise<Table> {
  const table = tableFromIPC(await readFile(runFile(runDir, 'points')));
  // an emptied or foreign file reads as a table without the map's columns: never an empty map
  if (!table.getChild('x') || !table.getChild('y')) throw new Error(`${runFile(runDir, 'points')} holds no x and y columns`);
  return table;
}

/** The `?format=json` body: one plain object per row, in input order. */
export function pointsToRows(table: Table): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const columns = names.map((n) => table.getChild(n)!);
  const rows: Record<string, unknown>[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) {
      const v = columns[c]!.get(i);
      row[names[c]!] = typeof v === 'bigint' ? Number(v) : v;
    }
    rows[i] = row;
  }
  return rows;
}

/** Reads a MetaColumn back from a points table column (used by transform runs to carry the base run's metadata). */
export function metaColumnFrom(table: Table, name: string): MetaColumn | null {
  const v = table.getChild(name);
  if (!v) return null;
  if (DataType.isUtf8(v.type)) return { name, kind: 'string', values: Array.from({ length: v.length }, (_, i) => v.get(i) as string | null) };
  if (DataType.isInt(v.type) || DataType.isFloat(v.type)) {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v.get(i);
      out[i] = x === null ? NaN : Number(x);
    }
    return { name, kind: 'number', values: out };
  }
  return { name, kind: 'string', values: Array.from({ length: v.length }, (_, i) => (v.get(i) == null ? null : String(v.get(i)))) };
}
