// Writers for test inputs in every format, into a fresh temp directory per test file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableToIPC, type Table } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/esm';
import { initParquet } from '../../../pipeline/load/parquet.js';

export function makeTempDir(prefix = 'latentmap-load-'): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeText(path: string, text: string, gzip = false): string {
  const bytes = Buffer.from(text, 'utf8');
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

/** A .npy file (format 1.0) of the given dtype descr ('<f4', '>i2', '|u1', ...) and shape. */
export function writeNpy(path: string, descr: string, shape: number[], data: ArrayBufferView, fortran = false): string {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
  return path;
}

/** An IDX file with unsigned-byte values. */
export function writeIdxU8(path: string, dims: number[], data: Uint8Array, gzip = false): string {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  const bytes = Buffer.concat([head, Buffer.from(data)]);
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

export function writeArrow(path: string, table: Table, format: 'file' | 'stream' = 'file'): string {
  writeFileSync(path, tableToIPC(table, format));
  return path;
}

export async function writeParquetFile(path: string, table: Table): Promise<string> {
  await initParquet();
  const wasm = WasmTable.fromIPCStream(tableToIPC(table, 'stream'));
  writeFileSync(path, writeParquet(wasm));
  return path;
}

/** Seeded uniform floats. */
export function seededFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 4294967296;
  }
  return out;
}
