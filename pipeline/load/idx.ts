// IDX loader (the MNIST file format), gzipped or not: a 4-byte magic (0, 0, type, dimensions), the sizes as
// big-endian uint32, then the values, big-endian. Images n x rows x cols (x channels) become rows of
// rows*cols(*channels) values; unsigned-byte pixels are scaled to [0, 1]. A labels file beside an images file
// (train-images-idx3-ubyte ↔ train-labels-idx1-ubyte, .gz or not) becomes the label column.
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { Dataset, ImageShape, MetaColumn, StageHooks } from '../types.js';
import { absolute, datasetName, genericColumnNames } from './columns.js';
import { fileSize, fsError, gzipError, isGzip, openByteSource, readHead } from './source.js';

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'unsigned byte', bytes: 1 },
  0x09: { name: 'signed byte', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

/** A parsed IDX file: its dimensions (first = items) and the raw big-endian body of the items read. */
export interface IdxFile {
  type: number;
  dims: number[];
  /** Items actually read (at most dims[0], at most the limit). */
  items: number;
  /** Values per item: product of dims[1..]. */
  itemSize: number;
  body: Buffer;
  /** Size of the file (possibly gzipped) in bytes. */
  bytes: number;
  /** sha256 of the whole file's bytes, hex. */
  sha256: string;
}

/** True when the first bytes look like an IDX header (0, 0, known type, 1-4 dimensions). */
export function looksLikeIdx(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && TYPES[head[2]!] !== undefined && head[3]! >= 1 && head[3]! <= 4;
}

/**
 * Reads an IDX file's header and up to `limit` items (all when null), and hashes the whole file.
 * Stops decompressing once it has the items it needs.
 */
export async function readIdx(path: string, limit: number | null, hooks: StageHooks = {}, maxDecompressedBytes?: number): Promise<IdxFile> {
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; an IDX file starts with a 4-byte magic number and its dimensions', { file: path });
  const gzip = isGzip(await readHead(path, 2));
  const src = openByteSource(path, gzip, size, hooks, maxDecompressedBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  let need = Infinity;
  let digest = '';
  let header: { type: number; dims: number[]; headerLen: number; itemSize: number } | null = null;
  try {
    for await (const chunk of src.stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (header === null && total >= 4) {
        const first = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const ndims = first[3]!;
        if (!looksLikeIdx(first)) throw notIdx(path, first);
        if (total >= 4 + 4 * ndims) {
          header = parseHeader(first, path);
          const items = limit === null ? header.dims[0]! : Math.min(limit, header.dims[0]!);
          need = header.headerLen + items * header.itemSize * TYPES[header.type]!.bytes;
        }
      }
      if (total >= need) break;
    }
    digest = await src.finishHash();
  } catch (err) {
    src.close();
    throw gzipError(fsError(err, path), path);
  }
  const all = Buffer.concat(chunks, total);
  if (header === null) {
    if (total >= 4 && !looksLikeIdx(all)) throw notIdx(path, all);
    throw new InputError(`the file is too short for an IDX header (${total} bytes); it is truncated`, { file: path });
  }
  const { type, dims, headerLen, itemSize } = header;
  const width = TYPES[type]!.bytes;
  const wanted = limit === null ? dims[0]! : Math.min(limit, dims[0]!);
  const have = Math.floor((total - headerLen) / (itemSize * width));
  if (have < wanted) {
    throw new InputError(
      `the header says ${dims[0]} items of ${dims.slice(1).join('x') || '1'} ${TYPES[type]!.name} values (${headerLen + dims[0]! * itemSize * width} bytes), but the data holds ${total} bytes: the file is truncated`,
      { file: path },
    );
  }
  return { type, dims, items: wanted, itemSize, body: all.subarray(headerLen, headerLen + wanted * itemSize * width), bytes: size, sha256: digest };
}

function parseHeader(buf: Buffer, path: string): { type: number; dims: number[]; headerLen: number; itemSize: number } {
  const type = buf[2]!;
  const ndims = buf[3]!;
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  let itemSize = 1;
  for (let i = 1; i < ndims; i++) itemSize *= dims[i]!;
  if (dims[0] === 0) throw new InputError('the IDX header says the file holds 0 items', { file: path });
  if (itemSize === 0) throw new InputError(`the IDX header has a zero dimension (${dims.join('x')})`, { file: path });
  if (itemSize > 1 << 24) throw new InputError(`the IDX header gives an implausible item size (${dims.join('x')}); the file is corrupt`, { file: path });
  return { type, dims, headerLen: 4 + 4 * ndims, itemSize };
}

function notIdx(path: string, head: Uint8Array): InputError {
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new InputError(
    `not an IDX file: it starts with bytes ${hex}, not 00 00 <type 08-0e> <1-4 dimensions>; the file is corrupt or in another format`,
    { file: path },
  );
}

/** The values of an IDX body as float32; unsigned bytes scaled to [0, 1] when `scaleBytes`. */
export function idxValues(f: IdxFile, scaleBytes: boolean): Float32Array {
  const n = f.items * f.itemSize;
  const out = new Float32Array(n);
  const b = f.body;
  switch (f.type) {
    case 0x08:
      if (scaleBytes) for (let i = 0; i < n; i++) out[i] = b[i]! / 255;
      else for (let i = 0; i < n; i++) out[i] = b[i]!;
      break;
    case 0x09:
      for (let i = 0; i < n; i++) out[i] = b.readInt8(i);
      break;
    case 0x0b:
      for (let i = 0; i < n; i++) out[i] = b.readInt16BE(2 * i);
      break;
    case 0x0c:
      for (let i = 0; i < n; i++) out[i] = b.readInt32BE(4 * i);
      break;
    case 0x0d:
      for (let i = 0; i < n; i++) out[i] = b.readFloatBE(4 * i);
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = b.readDoubleBE(8 * i);
  }
  return out;
}

/** The labels file that belongs to an images file, when one exists beside it. */
export async function findLabelsFile(imagesPath: string): Promise<string | null> {
  for (const p of labelsFileCandidates(imagesPath)) {
    try {
      await access(p);
      return p;
    } catch {
      // not there
    }
  }
  return null;
}

/** The paths findLabelsFile looks at beside an IDX images file, in order (none when its name says no labels file). */
export function labelsFileCandidates(imagesPath: string): string[] {
  const stem = basename(imagesPath).replace(/\.gz$/i, '');
  let cand = stem.replace(/images/i, 'labels').replace(/idx[34]/i, 'idx1');
  if (cand === stem) cand = stem.replace(/idx[34]/i, 'idx1');
  if (cand === stem) return [];
  return [cand, `${cand}.gz`].map((name) => join(dirname(imagesPath), name));
}

export interface IdxOptions {
  /** Read only the first N items. Default: all. */
  limit?: number | null;
  /** Labels file. Default: the one beside the images file, when present (undefined); null: none. */
  labels?: string | null;
  /** Names for the label values 0..k-1 (fashion-mnist's classes). Default: the numbers themselves. */
  labelNames?: readonly string[];
  name?: string;
  source?: string;
  /** Gzipped files (images and labels): fail with DecompressedLimitError past this many decompressed bytes. Default no cap. */
  maxDecompressedBytes?: number;
}

/** Loads an IDX images (or n x d) file, with its labels file when there is one. */
export async function loadIdx(path: string, opts: IdxOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const f = await readIdx(path, opts.limit ?? null, hooks, opts.maxDecompressedBytes);
  const labelsPath = opts.labels === undefined ? await findLabelsFile(path) : opts.labels;
  let label: MetaColumn | undefined;
  let sha256 = f.sha256;
  if (labelsPath !== null && f.dims.length > 1) {
    const lf = await readIdx(labelsPath, f.items, {}, opts.maxDecompressedBytes);
    label = labelColumn(lf, labelsPath, f.items, opts.labelNames);
    sha256 = combineHashes([f.sha256, lf.sha256]);
  }
  const shape = imageShape(f.dims);
  const dataset: Dataset = {
    name: opts.name ?? datasetName(path),
    source: opts.source ?? absolute(path),
    matrix: { rows: f.items, cols: f.itemSize, values: idxValues(f, true) },
    columns: genericColumnNames(f.itemSize, shape ? 'pixel_' : 'col_', shape ? 0 : 1),
    metadata: [],
    sha256,
  };
  if (f.type === 0x08) dataset.valueRange = [0, 1];
  if (shape) dataset.image = shape;
  if (label) dataset.label = label;
  hooks.onProgress?.(1, 'load');
  return dataset;
}

/** Image geometry for n x rows x cols (x 1|3) files. */
export function imageShape(dims: number[]): ImageShape | undefined {
  if (dims.length === 3) return { width: dims[2]!, height: dims[1]!, channels: 1 };
  if (dims.length === 4 && (dims[3] === 1 || dims[3] === 3)) return { width: dims[2]!, height: dims[1]!, channels: dims[3] as 1 | 3 };
  return undefined;
}

/** The label column from an IDX labels file (n or n x 1 values). */
export function labelColumn(lf: IdxFile, path: string, rows: number, names?: readonly string[]): MetaColumn {
  if (lf.itemSize !== 1) {
    throw new InputError(`a labels file holds one value per item, but this one holds ${lf.dims.slice(1).join('x')} per item`, { file: path });
  }
  if (lf.items < rows) {
    throw new InputError(`the labels file holds ${lf.items} labels but the images file ${rows} images; they do not belong together`, { file: path });
  }
  const raw = idxValues(lf, false);
  if (names) {
    const values = new Array<string | null>(rows);
    for (let i = 0; i < rows; i++) {
      const k = raw[i]!;
      const name = names[k];
      if (name === undefined) throw new InputError(`label ${k} of item ${i} is outside 0..${names.length - 1}`, { file: path });
      values[i] = name;
    }
    return { name: 'label', kind: 'string', values };
  }
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = raw[i]!;
  return { name: 'label', kind: 'number', values };
}

/** One sha256 for several files: the sha256 of their hex digests, in order. */
export function combineHashes(digests: readonly string[]): string {
  const h = createHash('sha256');
  for (const d of digests) h.update(d);
  return h.digest('hex');
}
