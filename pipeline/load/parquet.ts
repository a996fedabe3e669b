// Parquet loader: parquet-wasm 0.7.1 decodes the file BATCH_ROWS rows at a time, each slice handed over as an
// Arrow IPC stream that apache-arrow reads and ArrowDatasetBuilder copies into the matrix, so only one slice
// is decoded at once (peak memory: the file's bytes, the matrix and one slice). With a row limit only the rows
// needed are decoded.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tableFromIPC, type Schema } from 'apache-arrow';
import { initSync, readParquet, readSchema } from 'parquet-wasm/esm';
import { InputError, throwIfAborted } from '../errors.js';
import type { Dataset, StageHooks } from '../types.js';
import { ArrowDatasetBuilder, type TableFileOptions } from './arrow-table.js';
import { fileSize, readRange, readWholeFile } from './source.js';

let ready = false;

/** Instantiates parquet-wasm's WebAssembly module once (its node build is CommonJS, so the esm build is used). */
export async function initParquet(): Promise<void> {
  if (ready) return;
  const require = createRequire(import.meta.url);
  const wasm = await readFile(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm'));
  if (!ready) {
    initSync({ module: wasm });
    ready = true;
  }
}

export type ParquetOptions = TableFileOptions;

export async function loadParquet(path: string, opts: ParquetOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; a Parquet file starts and ends with PAR1', { file: path });
  const head = (await readRange(path, 0, 4)).toString('latin1');
  if (head !== 'PAR1') throw new InputError(`not a Parquet file (it starts with ${JSON.stringify(head)}, not "PAR1")`, { file: path });
  const tail = size >= 12 ? (await readRange(path, size - 4, 4)).toString('latin1') : '';
  if (tail !== 'PAR1') {
    throw new InputError('the Parquet file is truncated (it does not end with "PAR1"); write or copy it again', { file: path });
  }
  await initParquet();
  throwIfAborted(hooks.signal);
  const corrupt = (err: unknown): InputError =>
    err instanceof InputError ? err : new InputError(`the Parquet data is corrupt or unsupported (${errorText(err)})`, { file: path }, { cause: err });
  const { bytes, sha256 } = await readWholeFile(path);
  // parquet-wasm's synchronous reader reports damaged data as errors (its async reader aborts the
  // WebAssembly instance instead), so rows are read synchronously, BATCH_ROWS at a time: only one slice of
  // the data is ever decoded at once.
  let total: number;
  let schema: Schema;
  try {
    total = parquetRowCount(bytes);
    schema = tableFromIPC(readSchema(bytes).intoIPCStream()).schema;
  } catch (err) {
    throw corrupt(err);
  }
  const limit = opts.limit ?? null;
  const capacity = limit === null ? total : Math.min(limit, total);
  const builder = new ArrowDatasetBuilder(schema, capacity, {
    file: path,
    labelColumn: opts.labelColumn ?? null,
    ownLabel: opts.ownLabel ?? null,
    ...(opts.selection ? { selection: opts.selection } : {}),
    sha256,
    format: 'Parquet',
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  });
  while (builder.count < capacity) {
    const offset = builder.count;
    let ipc: Uint8Array;
    try {
      ipc = readParquet(bytes, { offset, limit: Math.min(BATCH_ROWS, capacity - offset), batchSize: BATCH_ROWS }).intoIPCStream();
    } catch (err) {
      throw corrupt(err);
    }
    builder.addTable(tableFromIPC(ipc));
    if (builder.count === offset) {
      throw new InputError(`the Parquet metadata promises ${capacity} rows but the data ends after ${offset}; the file is corrupt`, { file: path });
    }
    hooks.onProgress?.(0.95 * (builder.count / Math.max(1, capacity)), 'load');
    throwIfAborted(hooks.signal);
    await new Promise<void>((resolve) => setImmediate(resolve)); // let progress and cancellation through
  }
  const dataset = builder.finish();
  hooks.onProgress?.(1, 'load');
  return dataset;
}

/**
 * The row count from the Parquet footer: FileMetaData (Thrift compact protocol) field 3, num_rows. Read here
 * because parquet-wasm exposes it only through its asynchronous reader.
 */
export function parquetRowCount(bytes: Uint8Array): number {
  const n = bytes.length;
  const footerLen = bytes[n - 8]! | (bytes[n - 7]! << 8) | (bytes[n - 6]! << 16) | (bytes[n - 5]! << 24);
  if (footerLen <= 0 || footerLen + 12 > n) throw new Error(`the footer length (${footerLen}) does not fit the file`);
  const r = new ThriftReader(bytes, n - 8 - footerLen, n - 8);
  let fieldId = 0;
  for (;;) {
    const head = r.byte();
    if (head === 0) break;
    const type = head & 0x0f;
    const delta = head >> 4;
    fieldId = delta === 0 ? r.zigzag() : fieldId + delta;
    if (fieldId === 3 && type === 6) return r.zigzag();
    r.skip(type);
  }
  throw new Error('the footer has no row count');
}

class ThriftReader {
  constructor(
    private readonly b: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  byte(): number {
    if (this.pos >= this.end) throw new Error('the footer ends early');
    return this.b[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Error('a varint in the footer is too long');
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  skip(type: number, depth = 0): void {
    if (depth > 64) throw new Error('the footer nests too deeply');
    switch (type) {
      case 1:
      case 2:
        return; // booleans live in the field header
      case 3:
        this.pos++;
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        this.pos += 8;
        return;
      case 8: {
        const len = this.varint(); // read first: `this.pos += this.varint()` would lose the varint's bytes
        this.pos += len;
        return;
      }
      case 9:
      case 10: {
        const h = this.byte();
        const size = h >> 4 === 15 ? this.varint() : h >> 4;
        const et = h & 0x0f;
        for (let i = 0; i < size; i++) this.skip(et === 1 || et === 2 ? 3 : et, depth + 1);
        return;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kv >> 4, depth + 1);
          this.skip(kv & 0x0f, depth + 1);
        }
        return;
      }
      case 12: {
        for (;;) {
          const head = this.byte();
          if (head === 0) return;
          if (head >> 4 === 0) this.zigzag();
          this.skip(head & 0x0f, depth + 1);
        }
      }
      default:
        throw new Error(`unknown Thrift type ${type} in the footer`);
    }
  }
}

/** Rows decoded per readParquet call. */
const BATCH_ROWS = 65536;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
