// The points as the Arrow IPC stream the viewer reads: its integer columns in the narrowest integer type that
// holds their values (a class label 0-9 stored as int32 travels as int8). The values are the same; only the
// bytes change. At ten million rows a label is 40 MB as int32 and 10 MB as int8, and in headless Chromium on a
// shared 2-core machine the page received decoded bytes at about 25 MB/s whatever their compression (a
// brotli-compressed int32 label of 217 bytes took 1.5-1.7 s to arrive as its 40 MB): the bytes a map's first
// picture waits for are what count.
import { DataType, Int8, Int16, makeData, makeVector, Table, tableToIPC, type Vector } from 'apache-arrow';

/**
 * The IPC stream of `table` (or of its `columns`, in that order) with narrowed integer columns, and
 * `metadata` (if given) as the schema's custom metadata.
 */
export function pointsStream(table: Table, columns?: string[], metadata?: Map<string, string>): Uint8Array {
  const chosen: Table = columns ? table.select(columns) : table;
  const vectors: Record<string, Vector> = {};
  for (const field of chosen.schema.fields) vectors[field.name] = narrowInteger(chosen.getChild(field.name)!);
  const out = new Table(vectors);
  for (const [k, v] of metadata ?? []) out.schema.metadata.set(k, v);
  return tableToIPC(out, 'stream');
}

/**
 * A signed or unsigned integer column of 16 or more bits without nulls, as int8 or int16 when every value
 * fits; any other column as it is.
 */
export function narrowInteger(vec: Vector): Vector {
  const type = vec.type;
  if (!DataType.isInt(type) || type.bitWidth < 16 || type.bitWidth > 32 || vec.nullCount > 0 || vec.length === 0) return vec;
  const values = vec.toArray() as Int32Array | Uint32Array | Int16Array | Uint16Array;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= -128 && max <= 127) return makeVector(makeData({ type: new Int8(), length: values.length, nullCount: 0, data: Int8Array.from(values) }));
  if (type.bitWidth > 16 && min >= -32768 && max <= 32767) return makeVector(makeData({ type: new Int16(), length: values.length, nullCount: 0, data: Int16Array.from(values) }));
  return vec;
}
