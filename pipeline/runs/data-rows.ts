// Rows of a run's data file (data.arrow: the stored input values, `index` int32 and `values`
// FixedSizeList<float32>; pipeline/runs/artifacts.ts writes it) read by position, never the whole file.
// It is often the largest file of a run (70,000 x 784 float32 is 220 MB), and a request needs one row of it
// (an item, its picture) or one column (a feature for Color by). So readers (the server; the pipeline reading a run's rows back) read only the file's Arrow IPC
// layout (the schema and where each record batch's values start, from the message headers) and its index
// column, a few hundred kB; a row is then one positioned read of cols x 4 bytes, in the worker thread.
// Arrow IPC file format: https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { DataType, Precision, type Field, type Float, type Int } from 'apache-arrow';
import type { FixedSizeList } from 'apache-arrow';
import { ArrowFileError as DataLayoutError, fileVersion, readArrowStructure, readAt } from './arrow-footer.js';

/** Where the values of one record batch lie in the file. */
export interface DataBatch {
  /** Position of the batch's first row among all rows. */
  start: number;
  rows: number;
  /** File offset of the batch's first float32 value. */
  values: number;
}

export interface DataLayout {
  file: string;
  /** The file's inode, mtime, ctime and size (fileVersion) when the layout was read: a file written again is not read by it. */
  version: string;
  rows: number;
  /** Values per row. */
  cols: number;
  batches: DataBatch[];
}

/** The file is not a data file this server can read by position (damaged, or not what latentmap writes). */
export { ArrowFileError as DataLayoutError } from './arrow-footer.js';

/** Buffers a fixed-width field and its children occupy in a record batch (validity first), and its node count. */
function footprint(field: Field): { buffers: number; nodes: number } {
  const t = field.type;
  if (DataType.isInt(t) || DataType.isFloat(t)) return { buffers: 2, nodes: 1 };
  if (DataType.isFixedSizeList(t)) {
    const child = footprint(t.children[0]!);
    return { buffers: 1 + child.buffers, nodes: 1 + child.nodes };
  }
  throw new DataLayoutError(`column "${field.name}" has type ${String(t)}, not a fixed-width number or list`);
}

interface SchemaPlan {
  cols: number;
  /** Buffer and node positions of the index data, the values list and the list's float32 child. */
  indexData: number;
  indexNode: number;
  valuesNode: number;
  itemNode: number;
  itemData: number;
}

function planSchema(fields: Field[]): SchemaPlan {
  let buffers = 0;
  let nodes = 0;
  const plan: Partial<SchemaPlan> = {};
  for (const field of fields) {
    const t = field.type;
    if (field.name === 'index') {
      if (!DataType.isInt(t) || (t as Int).bitWidth !== 32 || !(t as Int).isSigned) throw new DataLayoutError('column "index" is not int32');
      plan.indexNode = nodes;
      plan.indexData = buffers + 1;
    } else if (field.name === 'values') {
      const list = t as FixedSizeList;
      const item = DataType.isFixedSizeList(t) ? list.children[0]!.type : null;
      if (!item || !DataType.isFloat(item) || (item as Float).precision !== Precision.SINGLE) throw new DataLayoutError('column "values" is not a fixed-size list of float32');
      plan.cols = list.listSize;
      plan.valuesNode = nodes;
      plan.itemNode = nodes + 1;
      plan.itemData = buffers + 2;
    }
    const f = footprint(field);
    buffers += f.buffers;
    nodes += f.nodes;
  }
  if (plan.indexData === undefined || plan.itemData === undefined) throw new DataLayoutError('the file has no "index" and "values" columns');
  return plan as SchemaPlan;
}

/**
 * Reads the layout and the index column of data file `file`. Throws DataLayoutError when the file is not an
 * uncompressed Arrow IPC file of `index` int32 and `values` FixedSizeList<float32> without nulls (what
 * latentmap writes), or is cut short; fs errors (ENOENT ...) pass through.
 */
export async function readDataLayout(file: string): Promise<{ layout: DataLayout; index: Int32Array }> {
  const fh = await open(file, 'r');
  try {
    const structure = await readArrowStructure(fh);
    if (structure.numDictionaries > 0) throw new DataLayoutError('it has dictionary batches');
    const plan = planSchema(structure.fields);
    const batches: DataBatch[] = [];
    const indexParts: Int32Array[] = [];
    let rows = 0;
    for (const batch of structure.batches) {
      const { header: rb, rows: n, bodyLength } = batch;
      if (rb.compression) throw new DataLayoutError('its record batches are compressed');
      for (const node of [plan.indexNode, plan.valuesNode, plan.itemNode]) {
        if ((rb.nodes[node]?.nullCount ?? 1) !== 0) throw new DataLayoutError('it has missing values');
      }
      const idx = rb.buffers[plan.indexData];
      const item = rb.buffers[plan.itemData];
      if (!idx || !item || idx.length < n * 4 || item.length < n * plan.cols * 4 || idx.offset + n * 4 > bodyLength || item.offset + n * plan.cols * 4 > bodyLength) {
        throw new DataLayoutError(`the record batch at byte ${batch.offset} is shorter than its ${n} rows`);
      }
      const raw = await readAt(fh, batch.body + idx.offset, n * 4, 'index');
      indexParts.push(new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + n * 4)));
      if (n > 0) batches.push({ start: rows, rows: n, values: batch.body + item.offset });
      rows += n;
    }
    const index = new Int32Array(rows);
    let at = 0;
    for (const part of indexParts) {
      index.set(part, at);
      at += part.length;
    }
    return { layout: { file, version: structure.version, rows, cols: plan.cols, batches }, index };
  } finally {
    await fh.close();
  }
}

function batchOf(layout: DataLayout, pos: number): DataBatch {
  let lo = 0;
  let hi = layout.batches.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.batches[mid]!.start <= pos) lo = mid;
    else hi = mid - 1;
  }
  return layout.batches[lo]!;
}

/** Open descriptors of data files (by file and version), the least recently used closed past MAX_OPEN. */
const open_ = new Map<string, number>();
const MAX_OPEN = 16;

function descriptor(layout: DataLayout): number {
  const key = `${layout.file}\n${layout.version}`;
  let fd = open_.get(key);
  if (fd !== undefined) {
    open_.delete(key);
  } else {
    fd = openSync(layout.file, 'r');
    if (fileVersion(fstatSync(fd)) !== layout.version) {
      closeSync(fd);
      throw new DataLayoutError('the file changed since its layout was read');
    }
    while (open_.size >= MAX_OPEN) {
      const [oldKey, oldFd] = open_.entries().next().value!;
      open_.delete(oldKey);
      closeSync(oldFd);
    }
  }
  open_.set(key, fd);
  return fd;
}

/**
 * The values of row `pos` (0 <= pos < layout.rows): one positioned read of cols x 4 bytes, synchronous (for
 * the worker thread: microseconds from the page cache), through a descriptor kept open for the next row.
 */
export function readDataRow(layout: DataLayout, pos: number): Float32Array {
  if (!(Number.isInteger(pos) && pos >= 0 && pos < layout.rows)) throw new RangeError(`row ${pos} out of range [0, ${layout.rows})`);
  const b = batchOf(layout, pos);
  const out = new Float32Array(layout.cols);
  const bytes = layout.cols * 4;
  const read = readSync(descriptor(layout), new Uint8Array(out.buffer), 0, bytes, b.values + (pos - b.start) * bytes);
  if (read !== bytes) throw new DataLayoutError(`row ${pos} is cut short`);
  return out;
}

/**
 * Calls `visit(block, at, pos)` for rows of the file, where block[at .. at + cols) holds the values of row
 * `pos`: every row in order (positions null: one pass), or rows `positions` (ascending; a repeated position is
 * visited again), reading spans of neighbouring chosen rows together. Reads go in pieces of about `blockBytes`,
 * so memory stays bounded whatever the file's size; seconds for a file of hundreds of MB: run it in a worker
 * thread. The block is reused: copy what must outlive the call. Returns the bytes read.
 */
export async function visitDataRows(layout: DataLayout, positions: Int32Array | null, visit: (block: Float32Array, at: number, pos: number) => void, blockBytes = 4 << 20): Promise<number> {
  const cols = layout.cols;
  const rowBytes = cols * 4;
  const blockRows = Math.max(1, Math.floor(blockBytes / Math.max(1, rowBytes)));
  const block = new Float32Array(Math.min(blockRows, Math.max(1, layout.rows)) * cols);
  let total = 0;
  const fh = await open(layout.file, 'r');
  try {
    if (fileVersion(await fh.stat()) !== layout.version) throw new DataLayoutError('the file changed since its layout was read');
    /** Reads rows [first, first + n) of batch b into the block. */
    const readSpan = async (b: DataBatch, first: number, n: number): Promise<void> => {
      const { bytesRead } = await fh.read(new Uint8Array(block.buffer), 0, n * rowBytes, b.values + (first - b.start) * rowBytes);
      if (bytesRead !== n * rowBytes) throw new DataLayoutError(`rows from ${first} are cut short`);
      total += bytesRead;
    };
    if (positions === null) {
      for (const b of layout.batches) {
        for (let r = 0; r < b.rows; r += blockRows) {
          const n = Math.min(blockRows, b.rows - r);
          await readSpan(b, b.start + r, n);
          for (let i = 0; i < n; i++) visit(block, i * cols, b.start + r + i);
        }
      }
      return total;
    }
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!;
      if (!(Number.isInteger(p) && p >= 0 && p < layout.rows)) throw new RangeError(`row ${p} out of range [0, ${layout.rows})`);
      if (i > 0 && p < positions[i - 1]!) throw new RangeError('positions must be in ascending order');
    }
    let i = 0;
    while (i < positions.length) {
      const first = positions[i]!;
      const b = batchOf(layout, first);
      // the span: chosen rows of this batch within blockRows of the first
      const end = Math.min(first + blockRows, b.start + b.rows);
      let j = i + 1;
      while (j < positions.length && positions[j]! < end) j++;
      const last = positions[j - 1]!;
      await readSpan(b, first, last - first + 1);
      for (let k = i; k < j; k++) visit(block, (positions[k]! - first) * cols, positions[k]!);
      i = j;
    }
    return total;
  } finally {
    await fh.close();
  }
}

/**
 * Every row of the file into `into` (rows x cols, row-major; a new Float32Array when null): each record batch's
 * values read straight into their place, so nothing but the result is held. For a caller that needs the whole
 * matrix back (the pipeline's metrics, after the map stage ran without it).
 */
export async function readAllDataRows(layout: DataLayout, into: Float32Array | null = null): Promise<Float32Array> {
  const out = into ?? new Float32Array(layout.rows * layout.cols);
  if (out.length !== layout.rows * layout.cols) throw new RangeError(`${layout.rows} x ${layout.cols} values do not fit ${out.length}`);
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const rowBytes = layout.cols * 4;
  const fh = await open(layout.file, 'r');
  try {
    if (fileVersion(await fh.stat()) !== layout.version) throw new DataLayoutError('the file changed since its layout was read');
    for (const b of layout.batches) {
      const at = b.start * rowBytes;
      const length = b.rows * rowBytes;
      // a read returns at most about 2 GB: a larger batch takes several
      for (let done = 0; done < length; ) {
        const { bytesRead } = await fh.read(bytes, at + done, Math.min(length - done, 1 << 30), b.values + done);
        if (bytesRead === 0) throw new DataLayoutError(`rows from ${b.start} are cut short`);
        done += bytesRead;
      }
    }
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Columns `cols` of every row, in one pass read in blocks of about `blockBytes` (memory stays bounded whatever
 * the file's size). Seconds for a file of hundreds of MB: run it in a worker thread.
 */
export async function readDataColumns(layout: DataLayout, cols: readonly number[], blockBytes = 4 << 20): Promise<Float32Array[]> {
  for (const col of cols) if (!(Number.isInteger(col) && col >= 0 && col < layout.cols)) throw new RangeError(`column ${col} out of range [0, ${layout.cols})`);
  const out = cols.map(() => new Float32Array(layout.rows));
  await visitDataRows(
    layout,
    null,
    (block, at, pos) => {
      for (let k = 0; k < cols.length; k++) out[k]![pos] = block[at + cols[k]!]!;
    },
    blockBytes,
  );
  return out;
}
