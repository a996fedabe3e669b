// Turns Arrow data (from an Arrow IPC file or stream, or from Parquet through parquet-wasm) into a Dataset:
// numeric columns (ints, floats, decimals, booleans, fixed-size lists of numbers) form the matrix, nulls and NaN
// become NaN (missing); the label column and every other column are metadata. Record batches are added one at
// a time (ArrowDatasetBuilder), so a reader can stream a file without holding all of it decoded.
import { DataType, makeVector, type Data, type RecordBatch, type Schema, type Table, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn } from '../types.js';
import { absolute, cleanNames, datasetName, findLabelColumn } from './columns.js';
import { ALL_FEATURES, identifierNote, nonFeaturesByName, type FeatureSelection } from './feature-choice.js';
import { FLOAT32_MAX } from './number.js';

/** Options of the loaders that go through Arrow tables (Arrow IPC and Parquet files). */
export interface TableFileOptions {
  labelColumn?: string | null;
  ownLabel?: string | null;
  /** Read only the first N rows. Default all. */
  limit?: number | null;
  name?: string;
  source?: string;
  /** --features / --exclude. Default: every numeric column that is not identifier-like. */
  selection?: FeatureSelection;
}

export interface ArrowTableOptions {
  file: string;
  labelColumn: string | null;
  ownLabel?: string | null;
  sha256: string;
  name?: string;
  source?: string;
  /** What to call the format in messages ("Arrow", "Parquet"). */
  format: string;
  selection?: FeatureSelection;
}

type Kind = 'number' | 'list' | 'other';

function kindOf(type: DataType): Kind {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type) || DataType.isBool(type)) return 'number';
  if (DataType.isFixedSizeList(type)) {
    const child = type.children[0]?.type;
    if (child && (DataType.isInt(child) || DataType.isFloat(child))) return 'list';
  }
  return 'other';
}

/** True for ints up to 32 bits and float32/float64: their Data.values index directly. */
function directNumeric(type: DataType): boolean {
  if (DataType.isFloat(type)) return type.precision !== 0; // 0: half precision (stored as uint16)
  if (DataType.isInt(type)) return type.bitWidth <= 32;
  return false;
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v as string);
  return Number.isNaN(n) ? NaN : n;
}

interface Feature {
  col: number;
  name: string;
  /** Element of a fixed-size list, or -1 for a plain column. */
  sub: number;
}

interface MetaPlan {
  col: number;
  name: string;
  type: DataType;
  numeric: boolean;
  values: Float64Array | (string | null)[];
}

/** Rows written per tile: one tile of the row-major matrix stays in cache while each column fills it. */
const TILE = 1024;

export class ArrowDatasetBuilder {
  private readonly features: Feature[] = [];
  private readonly meta: MetaPlan[] = [];
  private readonly labelIndex: number;
  private readonly values: Float32Array;
  private readonly width: number;
  private rows = 0;
  private readonly notes: string[] = [];

  constructor(
    schema: Schema,
    private readonly capacity: number,
    private readonly opts: ArrowTableOptions,
  ) {
    const { file } = opts;
    const fields = schema.fields;
    if (fields.length === 0) throw new InputError(`the ${opts.format} data has no columns`, { file });
    const { names, notes: nameNotes } = cleanNames(fields.map((f) => f.name));
    this.notes.push(...nameNotes);
    if (capacity === 0) throw new InputError(`the ${opts.format} data has columns (${names.join(', ')}) but no rows`, { file });
    this.labelIndex = findLabelColumn(names, opts.labelColumn, opts.ownLabel, file);
    const chosen = nonFeaturesByName(names, opts.selection ?? ALL_FEATURES, this.labelIndex, file);
    const idNote = identifierNote(chosen.identifiers.filter((n) => kindOf(fields[names.indexOf(n)]!.type) === 'number'));
    if (idNote) this.notes.push(idNote);
    fields.forEach((f, i) => {
      const k = chosen.names.has(names[i]!) ? 'other' : kindOf(f.type);
      if (i !== this.labelIndex && k === 'number') this.features.push({ col: i, name: names[i]!, sub: -1 });
      else if (i !== this.labelIndex && k === 'list') {
        const size = (f.type as { listSize: number }).listSize;
        for (let j = 0; j < size; j++) this.features.push({ col: i, name: `${names[i]}_${j}`, sub: j });
      } else {
        const numeric = k === 'number';
        this.meta.push({ col: i, name: names[i]!, type: f.type, numeric, values: numeric ? new Float64Array(capacity) : new Array<string | null>(capacity) });
      }
    });
    if (this.features.length === 0) {
      throw new InputError(
        `no numeric columns to map; the columns are ${fields.map((f, i) => `${JSON.stringify(names[i])} (${String(f.type)})`).join(', ')}`,
        { file },
      );
    }
    this.width = this.features.length;
    this.values = new Float32Array(capacity * this.width);
  }

  /** Rows added so far. */
  get count(): number {
    return this.rows;
  }

  /** Appends a record batch's rows (at most up to the capacity). */
  addBatch(batch: RecordBatch): void {
    const n = Math.min(batch.numRows, this.capacity - this.rows);
    if (n <= 0) return;
    const children = batch.data.children;
    const r0 = this.rows;
    const sources = this.features.map((feat) => {
      const data = children[feat.col]!;
      return feat.sub < 0 && directNumeric(data.type)
        ? { data, direct: data.values as ArrayLike<number>, nulls: data.nullCount > 0, vec: null }
        : { data, direct: null, nulls: false, vec: makeVector(data) as Vector };
    });
    // Tiles of rows: each column fills the same few hundred KB of the row-major matrix in turn.
    for (let t = 0; t < n; t += TILE) {
      const end = Math.min(n, t + TILE);
      for (let c = 0; c < this.width; c++) {
        const s = sources[c]!;
        if (s.direct !== null) this.fillDirect(s.direct, s.nulls ? s.data : null, c, r0, t, end);
        else this.fillGeneric(s.vec!, this.features[c]!, c, r0, t, end);
      }
    }
    for (const m of this.meta) fillMeta(m, children[m.col]!, r0, n);
    this.rows += n;
  }

  addTable(table: Table): void {
    for (const batch of table.batches) this.addBatch(batch);
  }

  private fillDirect(src: ArrayLike<number>, nullable: Data | null, c: number, r0: number, start: number, end: number): void {
    const width = this.width;
    const out = this.values;
    for (let i = start; i < end; i++) {
      let v = src[i]!;
      if (nullable !== null && !nullable.getValid(i)) v = NaN;
      else if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.fail(this.features[c]!.name, r0 + i, v);
      out[(r0 + i) * width + c] = v;
    }
  }

  private fillGeneric(vec: Vector, feat: Feature, c: number, r0: number, start: number, end: number): void {
    const width = this.width;
    const out = this.values;
    for (let i = start; i < end; i++) {
      let v: number;
      if (feat.sub < 0) v = toNumber(vec.get(i));
      else {
        const list = vec.get(i) as { get(j: number): unknown } | null;
        v = list === null ? NaN : toNumber(list.get(feat.sub));
      }
      if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.fail(feat.name, r0 + i, v);
      out[(r0 + i) * width + c] = v;
    }
  }

  private fail(name: string, row: number, v: number): never {
    throw new InputError(
      Number.isFinite(v)
        ? `${v} is too large for a 32-bit float (largest: 3.4e38); rescale the column`
        : `the value is infinite (${v}); use finite numbers, or null for missing`,
      { file: this.opts.file, field: `${name}, row ${row + 1}` },
    );
  }

  finish(): Dataset {
    const { opts } = this;
    const rows = this.rows;
    const values = rows === this.capacity ? this.values : this.values.slice(0, rows * this.width);
    let label: MetaColumn | undefined;
    const metadata: MetaColumn[] = [];
    for (const m of this.meta) {
      const col: MetaColumn = m.numeric
        ? { name: m.name, kind: 'number', values: (m.values as Float64Array).subarray(0, rows) }
        : { name: m.name, kind: 'string', values: (m.values as (string | null)[]).slice(0, rows) };
      if (m.col === this.labelIndex) label = col;
      else metadata.push(col);
    }
    const dataset: Dataset = {
      name: opts.name ?? datasetName(opts.file),
      source: opts.source ?? absolute(opts.file),
      matrix: { rows, cols: this.width, values },
      columns: this.features.map((f) => f.name),
      metadata,
      sha256: opts.sha256,
    };
    if (label) dataset.label = label;
    if (this.notes.length > 0) dataset.notes = [...this.notes];
    return dataset;
  }
}

function fillMeta(m: MetaPlan, data: Data, r0: number, n: number): void {
  const vec: Vector = makeVector(data);
  if (m.numeric) {
    const out = m.values as Float64Array;
    for (let i = 0; i < n; i++) out[r0 + i] = toNumber(vec.get(i));
    return;
  }
  const out = m.values as (string | null)[];
  const isTime = DataType.isDate(m.type) || DataType.isTimestamp(m.type);
  for (let i = 0; i < n; i++) {
    const v: unknown = vec.get(i);
    let s: string | null;
    if (v === null || v === undefined) s = null;
    else if (typeof v === 'string') s = v;
    else if (isTime && (typeof v === 'number' || typeof v === 'bigint')) s = new Date(Number(v)).toISOString();
    else if (v instanceof Date) s = v.toISOString();
    else if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') s = JSON.stringify(v);
    else s = String(v);
    out[r0 + i] = s;
  }
}

/** A whole table at once. */
export function datasetFromArrowTable(table: Table, opts: ArrowTableOptions): Dataset {
  const b = new ArrowDatasetBuilder(table.schema, table.numRows, opts);
  b.addTable(table);
  return b.finish();
}
