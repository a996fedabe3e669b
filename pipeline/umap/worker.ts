// Worker-thread entry of the UMAP engine: runs a fit or a transform off the main thread so a server stays
// responsive. Protocol: one request message in; 'progress' messages and one 'done' or 'error' message out.

import { parentPort } from 'node:worker_threads';
import type { Matrix, ProgressInfo, UmapOptions } from '../types.js';
import { runUmap } from './umap.js';
import { umapTransform, type UmapTransformOptions } from './transform.js';

export type UmapWorkerRequest =
  | { kind: 'umap'; x: Matrix; options: UmapOptions }
  | { kind: 'transform'; reference: { x: Matrix; embedding: Float32Array }; newX: Matrix; options: UmapOptions; transform: UmapTransformOptions };

export type UmapWorkerMessage =
  | { type: 'progress'; progress: number; info?: ProgressInfo }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; message: string; location?: unknown; stack?: string };

const port = parentPort;
if (port) {
  port.once('message', (req: UmapWorkerRequest) => {
    const onProgress = (progress: number, _stage: string, info?: ProgressInfo) => {
      port.postMessage({ type: 'progress', progress, info } satisfies UmapWorkerMessage);
    };
    const run = (): Promise<unknown> =>
      req.kind === 'umap' ? runUmap(req.x, req.options, { onProgress }) : umapTransform(req.reference, req.newX, req.options, { onProgress }, req.transform);
    run().then(
      (result) => port.postMessage({ type: 'done', result } satisfies UmapWorkerMessage),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ type: 'error', name: e.name, message: e.message, location: (e as { location?: unknown }).location, stack: e.stack } satisfies UmapWorkerMessage);
      },
    );
  });
}
