// Worker-thread entry of the UMAP engine (started through threads.ts runInWorker): runs a fit or a
// transform off the main thread so a server stays responsive. Protocol (threads.ts StageMessage): one
// UmapWorkerRequest in; progress messages and one done or error message out.

import type { Matrix, UmapOptions } from '../types.js';
import { serveStage } from '../threads.js';
import { runUmap } from './umap.js';
import { umapTransform, type UmapTransformOptions } from './transform.js';

export type UmapWorkerRequest =
  | { kind: 'umap'; x: Matrix; options: UmapOptions }
  | { kind: 'transform'; reference: { x: Matrix; embedding: Float32Array }; newX: Matrix; options: UmapOptions; transform: UmapTransformOptions };

serveStage<UmapWorkerRequest>((req, { onProgress }) =>
  req.kind === 'umap' ? runUmap(req.x, req.options, { onProgress }) : umapTransform(req.reference, req.newX, req.options, { onProgress }, req.transform),
);
