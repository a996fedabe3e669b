// Turns an apache-arrow Table (from an Arrow IPC file or stream, or from Parquet through parquet-wasm) into a
// Dataset: numeric columns (ints, floats, decimals, booleans, fixed-size lists of numbers) form the matrix,
// nulls and NaN become NaN (missing); the label column and every other column are metadata.
import { DataType, type Data, type Table, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn } from '../types.js';
import { absolute, cleanNames, datasetName, findLabelColumn } from './columns.js';
import { FLOAT32_MAX } from './number.js';

export interface ArrowTableOptions {
  file: string;
  labelColumn: string | null;
  ownLabel?: string | null;
  sha256: string;
  name?: string;
  source?: string;
  /** What to call the format in messages ("Arrow", "Parquet"). */
  format: string;
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

export function datasetFromArrowTable(table: Table, opts: ArrowTableOptions): Dataset {
  const { file } = opts;
  const rows = table.numRows;
  const fields = table.schema.fields;
  if (fields.length === 0) throw new InputError(`the ${opts.format} data has no columns`, { file });
  if (rows === 0) throw new InputError(`the ${opts.format} data has columns (${fields.map((f) => f.name).join(', ')}) but no rows`, { file });
  const names = cleanNames(fields.map((f) => f.name));
  const labelIndex = findLabelColumn(names, opts.labelColumn, opts.ownLabel, file);

  // Feature layout: one matrix column per numeric column, k per fixed-size list of k numbers.
  const features: { col: number; name: string; sub: number; size: number }[] = [];
  fields.forEach((f, i) => {
    if (i === labelIndex) return;
    const k = kindOf(f.type);
    if (k === 'number') features.push({ col: i, name: names[i]!, sub: -1, size: 1 });
    else if (k === 'list') {
      const size = (f.type as { listSize: number }).listSize;
      for (let j = 0; j < size; j++) features.push({ col: i, name: `${names[i]}_${j}`, sub: j, size });
    }
  });
  if (features.length === 0) {
    throw new InputError(
      `no numeric columns to map; the columns are ${fields.map((f, i) => `${JSON.stringify(names[i])} (${String(f.type)})`).join(', ')}`,
      { file },
    );
  }
  const width = features.length;
  const values = new Float32Array(rows * width);
  const fail = (name: string, row: number, v: number): never => {
    throw new InputError(
      Number.isFinite(v)
        ? `${v} is too large for a 32-bit float (largest: 3.4e38); rescale the column`
        : `the value is infinite (${v}); use finite numbers, or null for missing`,
      { file, field: `${name}, row ${row + 1}` },
    );
  };
  features.forEach((feat, c) => {
    const vec = table.getChildAt(feat.col)!;
    let r0 = 0;
    for (const data of vec.data as Data[]) {
      const n = data.length;
      if (feat.sub < 0 && directNumeric(data.type)) {
        const src = data.values as ArrayLike<number>;
        const hasNulls = data.nullCount > 0;
        for (let i = 0; i < n; i++) {
          let v = src[i]!;
          if (hasNulls && !data.getValid(i)) v = NaN;
          else if (v > FLOAT32_MAX || v < -FLOAT32_MAX) fail(feat.name, r0 + i, v);
          values[(r0 + i) * width + c] = v;
        }
      } else if (feat.sub < 0) {
        const chunk = vecOf(vec, data);
        for (let i = 0; i < n; i++) {
          const v = toNumber(chunk.get(i));
          if (v > FLOAT32_MAX || v < -FLOAT32_MAX) fail(feat.name, r0 + i, v);
          values[(r0 + i) * width + c] = v;
        }
      } else {
        const chunk = vecOf(vec, data);
        for (let i = 0; i < n; i++) {
          const list = chunk.get(i) as { get(j: number): unknown } | null;
          const v = list === null ? NaN : toNumber(list.get(feat.sub));
          if (v > FLOAT32_MAX || v < -FLOAT32_MAX) fail(feat.name, r0 + i, v);
          values[(r0 + i) * width + c] = v;
        }
      }
      r0 += n;
    }
  });

  let label: MetaColumn | undefined;
  const metadata: MetaColumn[] = [];
  fields.forEach((f, i) => {
    const k = kindOf(f.type);
    if (i !== labelIndex && k !== 'other') return;
    const meta = metaColumn(names[i]!, f.type, table.getChildAt(i)!, rows);
    if (i === labelIndex) label = meta;
    else metadata.push(meta);
  });
  const dataset: Dataset = {
    name: opts.name ?? datasetName(file),
    source: opts.source ?? absolute(file),
    matrix: { rows, cols: width, values },
    columns: features.map((f) => f.name),
    metadata,
    sha256: opts.sha256,
  };
  if (label) dataset.label = label;
  return dataset;
}

/** A Vector over one Data chunk of vec. */
function vecOf(vec: Vector, data: Data): Vector {
  return vec.data.length === 1 ? vec : new (vec.constructor as new (d: Data[]) => Vector)([data]);
}

function metaColumn(name: string, type: DataType, vec: Vector, rows: number): MetaColumn {
  if (kindOf(type) === 'number') {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = toNumber(vec.get(i));
    return { name, kind: 'number', values: out };
  }
  const out = new Array<string | null>(rows);
  const isTime = DataType.isDate(type) || DataType.isTimestamp(type);
  for (let i = 0; i < rows; i++) {
    const v: unknown = vec.get(i);
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v === 'string') out[i] = v;
    else if (isTime && (typeof v === 'number' || typeof v === 'bigint')) out[i] = new Date(Number(v)).toISOString();
    else if (v instanceof Date) out[i] = v.toISOString();
    else if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') out[i] = JSON.stringify(v);
    else out[i] = String(v);
  }
  return { name, kind: 'string', values: out };
}
