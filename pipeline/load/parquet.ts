// Parquet loader: parquet-wasm 0.7.1 decodes the file to an Arrow IPC stream, apache-arrow reads that.
// The row limit is passed to the Parquet reader, which then decodes only what it needs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { initSync, readParquet } from 'parquet-wasm/esm';
import { InputError, throwIfAborted } from '../errors.js';
import type { Dataset, StageHooks } from '../types.js';
import { datasetFromArrowTable } from './arrow-table.js';
import { fileSize, fsError } from './source.js';

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

export interface ParquetOptions {
  labelColumn?: string | null;
  ownLabel?: string | null;
  /** Read only the first N rows. Default all. */
  limit?: number | null;
  name?: string;
  source?: string;
}

export async function loadParquet(path: string, opts: ParquetOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; a Parquet file starts and ends with PAR1', { file: path });
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fsError(err, path);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const head = bytes.subarray(0, 4).toString('latin1');
  const tail = bytes.subarray(bytes.length - 4).toString('latin1');
  if (head !== 'PAR1') throw new InputError(`not a Parquet file (it starts with ${JSON.stringify(head)}, not "PAR1")`, { file: path });
  if (tail !== 'PAR1' || bytes.length < 12) {
    throw new InputError('the Parquet file is truncated (it does not end with "PAR1"); write or copy it again', { file: path });
  }
  await initParquet();
  hooks.onProgress?.(0.2, 'load');
  throwIfAborted(hooks.signal);
  let ipc: Uint8Array;
  try {
    const limit = opts.limit ?? null;
    const wasmTable = readParquet(bytes, limit === null ? undefined : { limit });
    ipc = wasmTable.intoIPCStream();
  } catch (err) {
    throw new InputError(`the Parquet data is corrupt or unsupported (${errorText(err)})`, { file: path }, { cause: err });
  }
  hooks.onProgress?.(0.7, 'load');
  const table = tableFromIPC(ipc);
  const dataset = datasetFromArrowTable(table, {
    file: path,
    labelColumn: opts.labelColumn ?? null,
    ownLabel: opts.ownLabel ?? null,
    sha256,
    format: 'Parquet',
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.source !== undefined ? { source: opts.source } : {}),
  });
  hooks.onProgress?.(1, 'load');
  return dataset;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
