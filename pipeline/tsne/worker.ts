// Worker-thread module (started through threads.ts): runs t-SNE or a transform off the main thread so a server stays responsive.
// Protocol: one request message in; 'progress' messages and one 'done' or 'error' message out.

import { parentPort } from 'node:worker_threads';
import type { Matrix, ProgressInfo, TsneOptions } from '../types.js';
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

/** After the request, { type: 'finish' } ends a t-SNE early, keeping the layout so far. */
export type WorkerControl = { type: 'finish' };

export type WorkerMessage =
  | { type: 'progress'; progress: number; info?: ProgressInfo }
  | { type: 'layout'; embedding: Float32Array; iteration: number; last: boolean }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; message: string; location?: unknown; stack?: string };

const port = parentPort;
if (port) {
  port.once('message', (req: WorkerRequest) => {
    const onProgress = (progress: number, _stage: string, info?: ProgressInfo) => {
      port.postMessage({ type: 'progress', progress, info } satisfies WorkerMessage);
    };
    const finish = new AbortController();
    port.on('message', (msg: WorkerControl) => {
      if (msg?.type === 'finish') finish.abort();
    });
    const onLayout = (embedding: Float32Array, iteration: number, last: boolean): void => {
      port.postMessage({ type: 'layout', embedding, iteration, last } satisfies WorkerMessage, [embedding.buffer as ArrayBuffer]);
    };
    const run = async (): Promise<unknown> => {
      if (req.kind === 'tsne') {
        if (req.options.engine === 'tsne-js') return runTsneJs(req.x, req.options, { onProgress });
        return runTsne(req.x, req.options, { onProgress, finishEarly: finish.signal, ...(req.layouts ? { onLayout } : {}) });
      }
      return tsneTransform(req.reference, req.newX, req.options, { onProgress }, req.transform);
    };
    run().then(
      (result) => port.postMessage({ type: 'done', result } satisfies WorkerMessage),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({
          type: 'error',
          name: e.name,
          message: e.message,
          location: (e as { location?: unknown }).location,
          stack: e.stack,
        } satisfies WorkerMessage);
      },
    );
  });
}
