// Worker-thread module (started through threads.ts runInWorker): runs t-SNE or a transform off the main
// thread so a server stays responsive. Protocol (threads.ts StageMessage): one WorkerRequest in; progress
// (and, when asked, layout) messages and one done or error message out; { type: 'finish' } ends a t-SNE
// early, keeping the layout so far.

import type { Matrix, TsneOptions } from '../types.js';
import { serveStage } from '../threads.js';
import { runTsne } from './tsne.js';
import { runTsneJs } from './tsnejs.js';
import { tsneTransform, type TransformOptions } from './transform.js';

export type WorkerRequest =
  /** layouts: post the layout so far every LAYOUT_EVERY iterations. */
  | { kind: 'tsne'; x: Matrix; options: TsneOptions; layouts?: boolean }
  | {
      kind: 'transform';
      reference: { x: Matrix; embedding: Float32Array };
      newX: Matrix;
      options: TsneOptions;
      transform: TransformOptions;
    };

serveStage<WorkerRequest>((req, { onProgress, onLayout, finishEarly }) => {
  if (req.kind === 'tsne') {
    if (req.options.engine === 'tsne-js') return runTsneJs(req.x, req.options, { onProgress });
    return runTsne(req.x, req.options, { onProgress, finishEarly, ...(req.layouts ? { onLayout } : {}) });
  }
  return tsneTransform(req.reference, req.newX, req.options, { onProgress }, req.transform);
});
