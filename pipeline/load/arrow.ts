// Arrow IPC loader: the file format (.arrow/.feather v2, "ARROW1" magic) or the stream format (.arrows/.ipc).
// With a row limit, record batches past the limit are not decoded.
import { RecordBatchReader, Table, type RecordBatch } from 'apache-arrow';
import { InputError, throwIfAborted } from '../errors.js';
import type { Dataset, StageHooks } from '../types.js';
import { datasetFromArrowTable, type TableFileOptions } from './arrow-table.js';
import { DecompressedLimitError, fileSize, gzipError, isGzip, readWholeFile } from './source.js';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

export interface ArrowOptions extends TableFileOptions {
  /** Gzipped files: fail with DecompressedLimitError past this many decompressed bytes (zlib stops there). Default no cap. */
  maxDecompressedBytes?: number;
}

export async function loadArrow(path: string, opts: ArrowOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; an Arrow IPC file starts with ARROW1', { file: path });
  const whole = await readWholeFile(path);
  const { sha256 } = whole;
  let bytes = whole.bytes;
  if (isGzip(bytes)) {
    try {
      const cap = opts.maxDecompressedBytes;
      bytes = await promisify(gunzip)(bytes, cap === undefined ? {} : { maxOutputLength: cap });
    } catch (err) {
      if (opts.maxDecompressedBytes !== undefined && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DecompressedLimitError(opts.maxDecompressedBytes, path);
      }
      throw gzipError(err, path);
    }
  }
  hooks.onProgress?.(0.3, 'load');
  throwIfAborted(hooks.signal);
  const table = readArrowTable(bytes, path, opts.limit ?? null);
  const dataset = datasetFromArrowTable(table, {
    file: path,
    labelColumn: opts.labelColumn ?? null,
    ownLabel: opts.ownLabel ?? null,
    ...(opts.selection ? { selection: opts.selection } : {}),
    sha256,
    format: 'Arrow',
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  });
  hooks.onProgress?.(1, 'load');
  return dataset;
}

/** Decodes an Arrow IPC file or stream, keeping only the first `limit` rows. Damage → InputError. */
export function readArrowTable(bytes: Uint8Array, path: string, limit: number | null): Table {
  const looksArrow =
    Buffer.from(bytes.subarray(0, 6)).toString('latin1') === 'ARROW1' ||
    (bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff);
  if (!looksArrow) {
    throw new InputError('not an Arrow IPC file or stream (it starts with neither "ARROW1" nor a 0xFFFFFFFF message marker)', { file: path });
  }
  try {
    const reader = RecordBatchReader.from(bytes);
    const batches: RecordBatch[] = [];
    let rows = 0;
    for (const batch of reader) {
      if (limit !== null && rows + batch.numRows > limit) {
        batches.push(batch.slice(0, limit - rows));
        rows = limit;
        break;
      }
      batches.push(batch);
      rows += batch.numRows;
      if (limit !== null && rows >= limit) break;
    }
    if (batches.length === 0) return new Table(reader.schema);
    return new Table(batches);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(
      // the reader's own message names its insides (properties of null...), not the file's fault: kept as the cause
      'the Arrow data is truncated or corrupt: it does not read as a whole Arrow IPC file or stream; write the file again',
      { file: path },
      { cause: err },
    );
  }
}
