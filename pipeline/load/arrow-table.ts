// Turns Arrow data (from an Arrow IPC file or stream, or from Parquet through parquet-wasm) into a Dataset:
// numeric columns (ints, floats, decimals, booleans, fixed-size lists of numbers) form the matrix, nulls and NaN
// become NaN (missing); the label column and every other column are metadata. Record batches are added one at
// a time (ArrowDatasetBuilder), so a reader can stream a file without holding all of it decoded.
import { DataType, makeVector, type Data, type RecordBatch, type Schema, type Table, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn } from '../types.js';
import { absolute, cleanNames, datasetName, findLabelColumn, metaFromStrings } from './columns.js';
import { ALL_FEATURES, identifierNote, nonFeaturesByName, notLabelColumns, type FeatureSelection } from './feature-choice.js';
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

type Kind = 'number' | 'list' | 'varlist' | 'other';

function isNumberType(type: DataType | undefined): boolean {
  return !!type && (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type));
}

/**
 * How a column is read: 'number' (ints of every width, floats, decimals, booleans) and 'list' (a fixed-size
 * list of numbers: an embedding) and 'varlist' (a list of numbers of the same length in every row, as Parquet
 * stores embeddings) are features; everything else is metadata text (metaText).
 */
function kindOf(type: DataType): Kind {
  if (isNumberType(type) || DataType.isBool(type)) return 'number';
  if (DataType.isFixedSizeList(type) && isNumberType(type.children[0]?.type)) return 'list';
  if ((DataType.isList(type) || String(type).startsWith('LargeList')) && isNumberType(type.children[0]?.type)) return 'varlist';
  return 'other';
}

/** Types whose cells become metadata text; anything else is refused naming the column and its type. */
function metaReadable(type: DataType): boolean {
  return (
    DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBool(type) || isNumberType(type) || DataType.isDate(type) ||
    DataType.isTimestamp(type) || DataType.isTime(type) || DataType.isDuration(type) || DataType.isNull(type) || DataType.isBinary(type) ||
    DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type) || DataType.isList(type) || DataType.isFixedSizeList(type) ||
    DataType.isStruct(type) || DataType.isMap(type) || DataType.isInterval(type) ||
    (DataType.isDictionary(type) && metaReadable(type.dictionary))
  );
}

/** 10^scale as a bigint and a number (decimals store an unscaled integer). */
function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A cell as a number: bigints (int64, uint64) and decimals (scaled) included; null → NaN. */
function cellNumber(v: unknown, type: DataType): number {
  if (v === null || v === undefined) return NaN;
  if (DataType.isDecimal(type)) return Number(decimalText(BigInt(String(v)), type.scale));
  return toNumber(v);
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
  /** Element of a (fixed-size or same-length) list, or -1 for a plain column. */
  sub: number;
}

/** Nanoseconds per unit of Arrow's TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND). */
const NANOS_PER_UNIT = [1_000_000_000n, 1_000_000n, 1_000n, 1n];

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
  private values: Float32Array = new Float32Array(0);
  private width = 0;
  private rows = 0;
  private readonly notes: string[] = [];
  /** Columns of same-length lists, whose width the first batch tells. */
  private readonly varlists: { col: number; name: string; type: DataType }[] = [];
  private readonly names: string[];
  private readonly fields: Schema['fields'];
  /** Float64 copies of feature columns that hold values float32 cannot (see Dataset.precise). */
  private readonly wide = new Map<number, Float64Array>();

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
    this.labelIndex = findLabelColumn(names, opts.labelColumn, opts.ownLabel, file, notLabelColumns(opts.selection));
    const chosen = nonFeaturesByName(names, opts.selection ?? ALL_FEATURES, this.labelIndex, file);
    const idNote = identifierNote(chosen.identifiers.filter((n) => kindOf(fields[names.indexOf(n)]!.type) === 'number'));
    if (idNote) this.notes.push(idNote);
    this.names = names;
    this.fields = fields;
    fields.forEach((f, i) => {
      const k = chosen.names.has(names[i]!) ? 'other' : kindOf(f.type);
      if (i !== this.labelIndex && k === 'number') this.features.push({ col: i, name: names[i]!, sub: -1 });
      else if (i !== this.labelIndex && k === 'list') {
        const size = (f.type as { listSize: number }).listSize;
        for (let j = 0; j < size; j++) this.features.push({ col: i, name: `${names[i]}_${j}`, sub: j });
      } else if (i !== this.labelIndex && k === 'varlist') {
        this.varlists.push({ col: i, name: names[i]!, type: f.type });
      } else {
        if (!metaReadable(f.type)) {
          throw new InputError(`column "${names[i]}" has type ${String(f.type)}, which latentmap cannot read; leave the column out of the file`, { file, field: names[i]! });
        }
        // 64-bit integers and decimals are read as exact text first; finish() keeps them numbers when no digit is lost.
        const numeric = k === 'number' && !(DataType.isInt(f.type) && f.type.bitWidth === 64) && !DataType.isDecimal(f.type);
        this.meta.push({ col: i, name: names[i]!, type: f.type, numeric, values: numeric ? new Float64Array(capacity) : new Array<string | null>(capacity) });
      }
    });
    // no column of numbers: text-features.ts (after loading) may still make features of text, else says so
    if (this.varlists.length === 0) this.allocate();
  }

  private allocate(): void {
    this.width = this.features.length;
    this.values = new Float32Array(this.capacity * this.width);
  }

  /** Lists of numbers of one length in every row (an embedding as Parquet stores it): the first row tells the length. */
  private layoutLists(batch: RecordBatch): void {
    for (const v of this.varlists) {
      const data = batch.data.children[v.col]!;
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      let width = -1;
      for (let i = 0; i < data.length && width < 0; i++) if (data.getValid(i)) width = Number(offsets[i + 1]!) - Number(offsets[i]!);
      if (width <= 0) {
        throw new InputError(`column "${v.name}" (${String(v.type)}) holds no values in its first rows; an embedding column needs the same number of values in every row`, { file: this.opts.file, field: v.name });
      }
      for (let j = 0; j < width; j++) this.features.push({ col: v.col, name: `${v.name}_${j}`, sub: j });
      (v as { width?: number }).width = width;
    }
    this.notes.push(`${this.varlists.map((v) => `"${v.name}" (${(v as { width?: number }).width} values per row)`).join(', ')} read as features: ${this.varlists.length === 1 ? 'an embedding column' : 'embedding columns'}`);
    this.varlists.length = 0;
    this.allocate();
  }

  /** Refuses a list column whose rows do not all hold `width` values, naming the first such row. */
  private checkListLengths(batch: RecordBatch, r0: number): void {
    const seen = new Set<number>();
    for (const f of this.features) {
      if (f.sub < 0 || seen.has(f.col)) continue;
      seen.add(f.col);
      const data = batch.data.children[f.col]!;
      if (DataType.isFixedSizeList(data.type)) continue;
      const width = this.features.filter((g) => g.col === f.col).length;
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      for (let i = 0; i < data.length; i++) {
        const len = Number(offsets[i + 1]!) - Number(offsets[i]!);
        if (data.getValid(i) && len !== width) {
          throw new InputError(`row ${r0 + i + 1} of column "${this.names[f.col]}" (${String(this.fields[f.col]!.type)}) holds ${len} values, the first rows ${width}; every row of an embedding column needs the same number`, { file: this.opts.file, field: this.names[f.col]! });
        }
      }
    }
  }

  /** Rows added so far. */
  get count(): number {
    return this.rows;
  }

  /** Appends a record batch's rows (at most up to the capacity). */
  addBatch(batch: RecordBatch): void {
    const n = Math.min(batch.numRows, this.capacity - this.rows);
    if (n <= 0) return;
    if (this.varlists.length > 0) this.layoutLists(batch);
    const children = batch.data.children;
    const r0 = this.rows;
    this.checkListLengths(batch, r0);
    const sources = this.features.map((feat) => {
      const data = children[feat.col]!;
      if (feat.sub < 0 && directNumeric(data.type)) return { data, direct: data.values as ArrayLike<number>, stride: 1, sub: 0, nulls: data.nullCount > 0, vec: null };
      // a fixed-size list (an embedding, image pixels) without nulls: its child's values, row i at i * listSize
      // (a sliced list's child is sliced with it)
      const child = data.children[0];
      if (feat.sub >= 0 && DataType.isFixedSizeList(data.type) && child && directNumeric(child.type) && data.nullCount === 0 && child.nullCount === 0) {
        return { data, direct: child.values as ArrayLike<number>, stride: data.type.listSize, sub: feat.sub, nulls: false, vec: null };
      }
      return { data, direct: null, stride: 1, sub: 0, nulls: false, vec: makeVector(data) as Vector };
    });
    // Tiles of rows: each column fills the same few hundred KB of the row-major matrix in turn.
    for (let t = 0; t < n; t += TILE) {
      const end = Math.min(n, t + TILE);
      for (let c = 0; c < this.width; c++) {
        const s = sources[c]!;
        if (s.direct !== null) this.fillDirect(s.direct, s.stride, s.sub, s.nulls ? s.data : null, c, r0, t, end);
        else this.fillGeneric(s.vec!, this.features[c]!, c, r0, t, end);
      }
    }
    for (const m of this.meta) fillMeta(m, children[m.col]!, r0, n);
    this.rows += n;
  }

  addTable(table: Table): void {
    for (const batch of table.batches) this.addBatch(batch);
  }

  /** Column c from src[i * stride + sub] for rows start..end of the batch; nullable: the column's validity, when it has nulls. */
  private fillDirect(src: ArrayLike<number>, stride: number, sub: number, nullable: Data | null, c: number, r0: number, start: number, end: number): void {
    const width = this.width;
    const out = this.values;
    for (let i = start; i < end; i++) {
      let v = src[i * stride + sub]!;
      if (nullable !== null && !nullable.getValid(i)) v = NaN;
      else if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.fail(this.features[c]!.name, r0 + i, v);
      out[(r0 + i) * width + c] = v;
      this.keepWide(c, r0 + i, v);
    }
  }

  /** Keeps column c in float64 too once it holds a value float32 cannot (|v| >= 2^24 and not a float32). */
  private keepWide(c: number, row: number, v: number): void {
    let wide = this.wide.size > 0 ? this.wide.get(c) : undefined;
    if (wide === undefined) {
      if (!((v >= 16777216 || v <= -16777216) && Math.fround(v) !== v)) return;
      wide = new Float64Array(this.capacity);
      for (let r = 0; r < row; r++) wide[r] = this.values[r * this.width + c]!;
      this.wide.set(c, wide);
    }
    wide[row] = v;
  }

  private fillGeneric(vec: Vector, feat: Feature, c: number, r0: number, start: number, end: number): void {
    const width = this.width;
    const out = this.values;
    for (let i = start; i < end; i++) {
      let v: number;
      if (feat.sub < 0) v = cellNumber(vec.get(i), vec.type);
      else {
        const list = vec.get(i) as { get(j: number): unknown } | null;
        v = list === null ? NaN : cellNumber(list.get(feat.sub), vec.type.children[0]!.type);
      }
      if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.fail(feat.name, r0 + i, v);
      out[(r0 + i) * width + c] = v;
      this.keepWide(c, r0 + i, v);
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
      const exactText = DataType.isDecimal(m.type) || (DataType.isInt(m.type) && m.type.bitWidth === 64);
      const col: MetaColumn = m.numeric
        ? { name: m.name, kind: 'number', values: (m.values as Float64Array).subarray(0, rows) }
        : exactText
          ? metaFromStrings(m.name, (m.values as (string | null)[]).slice(0, rows))
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
    if (this.wide.size > 0) dataset.precise = new Map([...this.wide].map(([c, w]) => [c, w.subarray(0, rows)]));
    if (this.notes.length > 0) dataset.notes = [...this.notes];
    return dataset;
  }
}

function fillMeta(m: MetaPlan, data: Data, r0: number, n: number): void {
  if (m.numeric) {
    const vec: Vector = makeVector(data);
    const out = m.values as Float64Array;
    for (let i = 0; i < n; i++) out[r0 + i] = cellNumber(vec.get(i), data.type);
    return;
  }
  const out = m.values as (string | null)[];
  const text = metaText(data);
  for (let i = 0; i < n; i++) out[r0 + i] = text(i);
}

/**
 * Cell i of a column as text, exactly: dictionaries through their indices of any width (signed or not, 64-bit
 * too), 64-bit integers and decimals in full, dates and timestamps as ISO 8601 in UTC to the unit's precision
 * (nanoseconds included), binary as hex, lists and structs as JSON.
 */
function metaText(data: Data): (i: number) => string | null {
  const type = data.type;
  if (DataType.isDictionary(type)) {
    const chunks = data.dictionary!.data;
    const dict = chunks.length === 1 ? metaText(chunks[0]!) : (k: number) => String(data.dictionary!.get(k) ?? '');
    const indices = data.values as ArrayLike<number | bigint>;
    return (i) => (data.getValid(i) ? dict(Number(indices[i]!)) : null);
  }
  if (DataType.isTimestamp(type)) {
    const raw = data.values as ArrayLike<number | bigint>;
    const per = NANOS_PER_UNIT[type.unit]!;
    return (i) => (data.getValid(i) ? isoFromNanos(BigInt(raw[i]!) * per, type.unit) : null);
  }
  const vec: Vector = makeVector(data);
  if (DataType.isDecimal(type)) return (i) => (data.getValid(i) ? decimalText(BigInt(String(vec.get(i))), type.scale) : null);
  if (DataType.isDate(type)) return (i) => (data.getValid(i) ? new Date(Number(vec.get(i))).toISOString().slice(0, 10) : null);
  if (DataType.isBinary(type) || DataType.isLargeBinary(type) || DataType.isFixedSizeBinary(type)) {
    return (i) => (data.getValid(i) ? `0x${Buffer.from(vec.get(i) as Uint8Array).toString('hex')}` : null);
  }
  return (i) => {
    const v: unknown = vec.get(i);
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    return String(v);
  };
}

/** ISO 8601 (UTC) of a time in nanoseconds since the epoch, with as many fraction digits as the unit has. */
function isoFromNanos(ns: bigint, unit: number): string {
  const ms = ns / 1_000_000n - (ns < 0n && ns % 1_000_000n !== 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  if (unit <= 1) return unit === 0 ? iso.replace('.000Z', 'Z') : iso;
  const sub = ((ns % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const digits = unit === 2 ? (sub / 1000n).toString().padStart(3, '0') : sub.toString().padStart(6, '0');
  return `${iso.slice(0, -1)}${digits}Z`;
}

/** A whole table at once. */
export function datasetFromArrowTable(table: Table, opts: ArrowTableOptions): Dataset {
  const b = new ArrowDatasetBuilder(table.schema, table.numRows, opts);
  b.addTable(table);
  return b.finish();
}
