// The server's worker thread (started by worker-pool.ts through pipeline/threads.ts): CPU-heavy work a request asks for, kept off the event loop so /api/health
// and every other request stay fast. Pure functions of the message; the main thread owns files and caches.
//   png      one image row → PNG bytes (pipeline/image.ts)
//   nearest  the k nearest rows of one row (server/nearest.ts) over codes, or stored values through the run's
//            scaling (input space), in shared memory
//   mean     per-column means of chosen rows (server/column-means.ts) over a matrix in shared memory
//   check    an uploaded file loaded by the pipeline's own loaders (pipeline/load): its shape, or its error
import { parentPort } from 'node:worker_threads';
import { isInputError } from '../pipeline/errors.js';
import { rowToPng } from '../pipeline/image.js';
import type { ImageShape, UploadShape } from '../pipeline/types.js';
import { columnMeans } from './column-means.js';
import { nearestRows } from './nearest.js';

export type WorkerTask =
  | { op: 'png'; values: Float32Array; shape: ImageShape; range: [number, number]; scale: number }
  | { op: 'nearest'; values: SharedArrayBuffer; rows: number; cols: number; row: number; k: number; scaling?: { scale: Float64Array; fill: Float64Array } }
  | { op: 'mean'; values: SharedArrayBuffer; rows: number; cols: number; positions: Int32Array }
  | { op: 'check'; file: string };

export type WorkerReply =
  | { ok: true; png: Uint8Array }
  | { ok: true; rows: Int32Array; distances: Float32Array }
  | { ok: true; shape: UploadShape }
  | { ok: true; mean: Float64Array }
  | { ok: false; input: boolean; message: string };

async function handle(task: WorkerTask): Promise<WorkerReply> {
  switch (task.op) {
    case 'png':
      return { ok: true, png: rowToPng(task.values, task.shape, { range: task.range, scale: task.scale }) };
    case 'nearest': {
      const near = nearestRows({ rows: task.rows, cols: task.cols, values: new Float32Array(task.values, 0, task.rows * task.cols) }, task.row, task.k, task.scaling);
      return { ok: true, rows: near.rows, distances: near.distances };
    }
    case 'mean':
      return { ok: true, mean: columnMeans({ rows: task.rows, cols: task.cols, values: new Float32Array(task.values, 0, task.rows * task.cols) }, task.positions) };
    case 'check': {
      const { loadDataset } = await import('../pipeline/load/index.js');
      const d = await loadDataset({ dataset: null, input: task.file, labelColumn: null, dataDir: null, limit: null });
      return {
        ok: true,
        shape: { rows: d.matrix.rows, columns: d.matrix.cols, label: d.label?.name ?? null, metadata: d.metadata.map((m) => m.name), image: d.image ?? null },
      };
    }
  }
}

parentPort?.on('message', (msg: { seq: number; task: WorkerTask }) => {
  void handle(msg.task).then(
    (reply) => parentPort!.postMessage({ seq: msg.seq, reply }),
    (err: unknown) =>
      parentPort!.postMessage({ seq: msg.seq, reply: { ok: false, input: isInputError(err), message: err instanceof Error ? err.message : String(err) } }),
  );
});
