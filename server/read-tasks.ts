// What the server's worker thread (read-worker.ts) computes: CPU-heavy work a request asks for, kept off the
// event loop so /api/health and every other request stay fast. Pure functions of the task (they read run
// files, never write); the main thread owns the caches. Run in-process by RunCache when it has no pool (tests).
//   png          one image row → PNG bytes (pipeline/image.ts)
//   nearest      the k nearest rows of one row in code space (nearest.ts) over codes in shared memory
//   check        an uploaded file loaded by the pipeline's own loaders (pipeline/load): its shape, or its error
//   codes        a run's codes.arrow, columns ordered by variance (nearest.ts), in shared memory
//   points-body  a run's points as the Arrow IPC stream or the ?format=json body, with its strong ETag
//   feature      one column of data.arrow (data-rows.ts) with the index, as an Arrow IPC stream, with its ETag
//   shortest     float32 values in their shortest round-trip decimals (points-json.ts)
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { isInputError } from '../pipeline/errors.js';
import { rowToPng } from '../pipeline/image.js';
import { readCodes, readPoints } from '../pipeline/runs/artifacts.js';
import type { ImageShape, UploadShape } from '../pipeline/types.js';
import { strongEtag } from './cached-body.js';
import { readDataColumn, type DataLayout } from './data-rows.js';
import { byVariance, nearestRows } from './nearest.js';
import { pointsJson, shortestFloat32 } from './points-json.js';

export type WorkerTask =
  | { op: 'png'; values: Float32Array; shape: ImageShape; range: [number, number]; scale: number }
  | { op: 'nearest'; codes: SharedArrayBuffer; rows: number; cols: number; row: number; k: number }
  | { op: 'check'; file: string }
  | { op: 'codes'; runDir: string }
  | { op: 'points-body'; runDir: string; format: 'arrow' | 'json' }
  | { op: 'feature'; layout: DataLayout; index: Int32Array; col: number }
  | { op: 'shortest'; values: Float32Array };

export type WorkerReply =
  | { ok: true; png: Uint8Array }
  | { ok: true; rows: Int32Array; distances: Float32Array }
  | { ok: true; shape: UploadShape }
  | { ok: true; codes: SharedArrayBuffer; rows: number; cols: number; index: Int32Array }
  | { ok: true; bytes: Uint8Array; etag: string }
  | { ok: true; numbers: Float64Array }
  | { ok: false; input: boolean; message: string };

/** A reply of the kind that carries `key`, or an Error (the task failed, or answered something else). */
export function replyWith<K extends string>(reply: WorkerReply, key: K): Extract<WorkerReply, Record<K, unknown>> {
  if (!reply.ok) throw new Error(reply.message);
  if (!(key in reply)) throw new Error(`unexpected worker reply (no ${key})`);
  return reply as Extract<WorkerReply, Record<K, unknown>>;
}

function body(bytes: Uint8Array): WorkerReply {
  return { ok: true, bytes, etag: strongEtag(bytes) };
}

export async function runTask(task: WorkerTask): Promise<WorkerReply> {
  switch (task.op) {
    case 'png':
      return { ok: true, png: rowToPng(task.values, task.shape, { range: task.range, scale: task.scale }) };
    case 'nearest': {
      const near = nearestRows({ rows: task.rows, cols: task.cols, values: new Float32Array(task.codes, 0, task.rows * task.cols) }, task.row, task.k);
      return { ok: true, rows: near.rows, distances: near.distances };
    }
    case 'check': {
      const { loadDataset } = await import('../pipeline/load/index.js');
      const d = await loadDataset({ dataset: null, input: task.file, labelColumn: null, dataDir: null, limit: null });
      return {
        ok: true,
        shape: { rows: d.matrix.rows, columns: d.matrix.cols, label: d.label?.name ?? null, metadata: d.metadata.map((m) => m.name), image: d.image ?? null },
      };
    }
    case 'codes': {
      const { codes, index } = await readCodes(task.runDir);
      // Only distances are needed from the codes: keep them in the order that searches fastest, in shared
      // memory for the neighbour searches.
      const ordered = byVariance(codes);
      const shared = new Float32Array(new SharedArrayBuffer(ordered.values.byteLength));
      shared.set(ordered.values);
      return { ok: true, codes: shared.buffer as SharedArrayBuffer, rows: ordered.rows, cols: ordered.cols, index: index.slice() };
    }
    case 'points-body': {
      const table = await readPoints(task.runDir);
      return body(task.format === 'json' ? Buffer.from(pointsJson(table)) : tableToIPC(table, 'stream'));
    }
    case 'feature': {
      const value = await readDataColumn(task.layout, task.col);
      return body(tableToIPC(tableFromArrays({ index: task.index, value }), 'stream'));
    }
    case 'shortest':
      return { ok: true, numbers: Float64Array.from(task.values, shortestFloat32) };
  }
}

/** runTask, with any failure as an error reply (input: a bad-input error of the pipeline). */
export function runTaskSafely(task: WorkerTask): Promise<WorkerReply> {
  return runTask(task).catch((err: unknown) => ({ ok: false as const, input: isInputError(err), message: err instanceof Error ? err.message : String(err) }));
}

/** The buffers of a reply that can move to the other thread instead of being copied. */
export function transferables(reply: WorkerReply): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of Object.values(reply)) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.push(v.buffer);
  }
  return out;
}
