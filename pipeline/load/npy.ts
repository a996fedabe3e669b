// NumPy .npy loader (format versions 1-3): float16/32/64, int8-64, uint8-64 and bool, either byte order, C or
// Fortran order. 1-D arrays are one column; 2-D are rows x columns; n x h x w (x 1|3) arrays are images whose
// pixels become the columns. With a row limit (C order) only the rows needed are read from disk.
import { InputError, throwIfAborted } from '../errors.js';
import type { Dataset, ImageShape, StageHooks } from '../types.js';
import { absolute, datasetName, genericColumnNames } from './columns.js';
import { FLOAT32_MAX } from './number.js';
import { fileSize, hashFile, readHead, readRange } from './source.js';

export interface NpyHeader {
  /** Type letter: f (float), i (int), u (uint), b (bool). */
  kind: 'f' | 'i' | 'u' | 'b';
  /** Bytes per value. */
  bytes: number;
  littleEndian: boolean;
  fortran: boolean;
  shape: number[];
  /** Offset of the first value. */
  dataOffset: number;
  descr: string;
}

export interface NpyOptions {
  labelColumn?: string | null;
  /** Read only the first N rows. Default all. */
  limit?: number | null;
  name?: string;
  source?: string;
}

/** Parses the header of a .npy file from its first bytes. */
export function parseNpyHeader(head: Buffer, path: string): NpyHeader {
  if (head.length < 10 || head[0] !== 0x93 || head.subarray(1, 6).toString('latin1') !== 'NUMPY') {
    throw new InputError('not a NumPy .npy file (it does not start with \\x93NUMPY)', { file: path });
  }
  const major = head[6]!;
  let len: number;
  let start: number;
  if (major === 1) {
    len = head.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) throw new InputError('the .npy header is truncated', { file: path });
    len = head.readUInt32LE(8);
    start = 12;
  } else {
    throw new InputError(`unsupported .npy format version ${major}.${head[7]} (supported: 1, 2, 3)`, { file: path });
  }
  if (head.length < start + len) throw new InputError(`the .npy header is truncated (it says ${len} bytes)`, { file: path });
  const text = head.subarray(start, start + len).toString(major === 3 ? 'utf8' : 'latin1');
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text);
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrM) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new InputError('structured .npy arrays (records with named fields) are not supported; save a plain numeric array (e.g. np.save(path, arr.astype("float32")))', { file: path });
    }
    throw new InputError(`the .npy header has no dtype ("descr"): ${text.trim()}`, { file: path });
  }
  if (!fortranM || !shapeM) throw new InputError(`the .npy header is malformed: ${text.trim()}`, { file: path });
  const descr = descrM[2]!;
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (!m) {
    const why = descr.includes('O') ? 'object arrays (pickled Python objects) are not supported' : `dtype ${descr} is not supported`;
    throw new InputError(`${why}; save a numeric array (float32, float64 or integers)`, { file: path });
  }
  const kind = m[2] as NpyHeader['kind'];
  const bytes = Number(m[3]);
  const okSizes: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] };
  if (!okSizes[kind]!.includes(bytes)) throw new InputError(`dtype ${descr} is not supported`, { file: path });
  const shape = shapeM[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`the .npy shape is malformed: (${shapeM[1]})`, { file: path });
  return { kind, bytes, littleEndian: m[1] !== '>', fortran: fortranM[1] === 'True', shape, dataOffset: start + len, descr };
}

export async function loadNpy(path: string, opts: NpyOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  if (opts.labelColumn !== null && opts.labelColumn !== undefined) {
    throw new InputError('a .npy file holds one unnamed numeric array, so it has no label column; save labels in a CSV, Arrow or Parquet file instead', { file: path, field: 'labelColumn' });
  }
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; a .npy file starts with \\x93NUMPY', { file: path });
  const head = await readHead(path, Math.min(size, 1 << 16));
  const h = parseNpyHeader(head, path);
  const shape = h.shape;
  if (shape.length === 0) throw new InputError('the .npy array is a single scalar; save an array of rows (1-D or 2-D)', { file: path });
  const n = shape[0]!;
  if (n === 0) throw new InputError(`the .npy array has shape (${shape.join(', ')}): no rows`, { file: path });
  let cols = 1;
  for (let i = 1; i < shape.length; i++) cols *= shape[i]!;
  if (cols === 0) throw new InputError(`the .npy array has shape (${shape.join(', ')}): no columns`, { file: path });
  const total = n * cols * h.bytes;
  const available = size - h.dataOffset;
  if (available < total) {
    throw new InputError(
      `the .npy file is truncated: shape (${shape.join(', ')}) of ${h.descr} needs ${total} bytes of data, the file holds ${available}`,
      { file: path },
    );
  }
  if (available > total) {
    throw new InputError(`the .npy file holds ${available - total} bytes more than its shape (${shape.join(', ')}) of ${h.descr} needs; it is corrupt`, { file: path });
  }
  const rows = opts.limit === null || opts.limit === undefined || h.fortran ? n : Math.min(n, opts.limit);
  const body = await readRange(path, h.dataOffset, rows * cols * h.bytes);
  hooks.onProgress?.(0.5, 'load');
  throwIfAborted(hooks.signal);
  let values = npyToFloat32(body, h, rows * cols);
  let outRows = rows;
  if (h.fortran) {
    // Column-major: element (r, c) is at c * n + r.
    outRows = opts.limit ? Math.min(n, opts.limit) : n;
    const t = new Float32Array(outRows * cols);
    for (let c = 0; c < cols; c++) for (let r = 0; r < outRows; r++) t[r * cols + c] = values[c * n + r]!;
    values = t;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === Infinity || v === -Infinity) {
      const r = Math.floor(i / cols);
      const c = i % cols;
      throw new InputError(
        `the value at [${r}, ${c}] (0-based row, column) is ${v > 0 ? '' : '-'}infinite${h.kind === 'f' && h.bytes === 8 ? ' or too large for a 32-bit float' : ''}; replace it with a finite number or NaN (missing)`,
        { file: path },
      );
    }
  }
  const sha256 = await hashFile(path);
  const image = npyImageShape(shape);
  const dataset: Dataset = {
    name: opts.name ?? datasetName(path),
    source: opts.source ?? absolute(path),
    matrix: { rows: outRows, cols, values },
    columns: image ? genericColumnNames(cols, 'pixel_', 0) : genericColumnNames(cols),
    metadata: [],
    sha256,
  };
  if (image) dataset.image = image;
  if (h.kind === 'b') dataset.valueRange = [0, 1];
  hooks.onProgress?.(1, 'load');
  return dataset;
}

function npyImageShape(shape: number[]): ImageShape | undefined {
  if (shape.length === 3) return { width: shape[2]!, height: shape[1]!, channels: 1 };
  if (shape.length === 4 && (shape[3] === 1 || shape[3] === 3)) return { width: shape[2]!, height: shape[1]!, channels: shape[3] as 1 | 3 };
  return undefined;
}

/** Converts `count` values of the given dtype to float32 (values beyond float32's range become ±Infinity). */
export function npyToFloat32(body: Buffer, h: NpyHeader, count: number): Float32Array {
  const le = h.littleEndian;
  const key = `${h.kind}${h.bytes}`;
  if (key === 'f4' && le && body.byteOffset === 0 && body.buffer.byteLength === count * 4) {
    return new Float32Array(body.buffer, 0, count); // the buffer is ours alone: no copy
  }
  const out = new Float32Array(count);
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (key) {
    case 'f4':
      if (le && body.byteOffset % 4 === 0) out.set(new Float32Array(body.buffer, body.byteOffset, count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, le);
      break;
    case 'f8':
      for (let i = 0; i < count; i++) {
        const v = dv.getFloat64(8 * i, le);
        out[i] = v > FLOAT32_MAX ? Infinity : v < -FLOAT32_MAX ? -Infinity : v;
      }
      break;
    case 'f2':
      for (let i = 0; i < count; i++) out[i] = half(dv.getUint16(2 * i, le));
      break;
    case 'i1':
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    case 'u1':
    case 'b1':
      for (let i = 0; i < count; i++) out[i] = body[i]!;
      break;
    case 'i2':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, le);
      break;
    case 'u2':
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, le);
      break;
    case 'i4':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, le);
      break;
    case 'u4':
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, le);
      break;
    case 'i8':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, le));
      break;
    case 'u8':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(8 * i, le));
      break;
    default:
      throw new Error(`unhandled dtype ${key}`);
  }
  return out;
}

/** IEEE 754 half precision to a number. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
