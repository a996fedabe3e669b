// The one way to start a TypeScript worker thread and talk to it over shared memory. The code runs as
// TypeScript through tsx; Node 20 worker threads neither inherit the parent's tsx loader nor accept
// `--import` in execArgv, so every thread starts from a small bootstrap that registers tsx's loader and
// then imports the module. The protocols built on it (the t-SNE helper, the neighbour-search helper, the
// training engine's second thread, the t-SNE stage's worker) keep counters in an Int32Array over a
// SharedArrayBuffer and move them with post() and awaitValue() below. A whole stage (t-SNE, UMAP, their
// transforms) runs off the main thread through runInWorker() here and serveStage() in the worker module.

import { Worker, parentPort, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import type { ProgressFn, ProgressInfo, Stage, StageHooks } from './types.js';
import { CancelledError, InputError, throwIfAborted } from './errors.js';

export interface ThreadOptions {
  /** Structured-cloned into the thread (SharedArrayBuffers and WebAssembly.Memory are shared, not copied). */
  workerData?: unknown;
  transferList?: readonly TransferListItem[];
  /** Let the process exit while the thread still runs (helpers that only serve a caller). Default false. */
  unref?: boolean;
  /** Heap limits of the thread (e.g. maxOldGenerationSizeMb); default Node's. */
  resourceLimits?: ResourceLimits;
}

/** Source of the bootstrap that registers tsx's loader in the new thread, then imports the module. */
function bootstrap(moduleUrl: string): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
}

/**
 * Starts a worker thread running the TypeScript (or JavaScript) module at `module` (a file URL, usually
 * `new URL('./x.ts', import.meta.url)`). Throws when the thread cannot be created; errors inside the
 * thread arrive as the Worker's 'error' event (a listener that ignores them is attached for unref'd
 * helpers, whose callers notice a dead helper through their own timeouts).
 */
export function startThread(module: URL, options: ThreadOptions = {}): Worker {
  const worker = new Worker(bootstrap(module.href), {
    eval: true,
    workerData: options.workerData,
    transferList: options.transferList as TransferListItem[] | undefined,
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  if (options.unref) {
    worker.unref();
    worker.on('error', () => undefined);
  }
  return worker;
}

/**
 * Stores `value` in ctrl[slot] and wakes every thread waiting on that slot. The store and the wake are two steps:
 * a waiter may see the value, serve it and wait again before the wake arrives, and that late wake returns its
 * Atomics.wait with 'ok' while the slot still holds the value it served. So a wake is no news: a waiter acts
 * only on a changed value (awaitChange, awaitValue). Acting on the wake re-ran the training worker's optimizer
 * update on a busy machine (a preempted caller between store and notify), and a seed stopped giving one model.
 */
export function post(ctrl: Int32Array, slot: number, value: number): void {
  Atomics.store(ctrl, slot, value);
  Atomics.notify(ctrl, slot);
}

/**
 * Blocks this thread until ctrl[slot] === value; false when `timeoutMs` passed first. (Node allows
 * Atomics.wait on the main thread too; every caller here holds the thread only while a helper finishes
 * a share of the same computation.)
 */
export function awaitValue(ctrl: Int32Array, slot: number, value: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = Atomics.load(ctrl, slot);
    if (now === value) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, slot, now, left);
  }
}

/** Blocks this thread while ctrl[slot] === from; returns the new value, or `from` when `timeoutMs` (may be Infinity) passed first. */
export function awaitChange(ctrl: Int32Array, slot: number, from: number, timeoutMs: number): number {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = Atomics.load(ctrl, slot);
    if (now !== from) return now;
    const left = deadline - Date.now();
    if (left <= 0) return from;
    Atomics.wait(ctrl, slot, from, left);
  }
}

/** awaitValue that throws `new Error(message)` on timeout. */
export function requireValue(ctrl: Int32Array, slot: number, value: number, timeoutMs: number, message: string): void {
  if (!awaitValue(ctrl, slot, value, timeoutMs)) throw new Error(message);
}

/**
 * What a stage worker sends back for its one request: any number of 'progress' messages, then one 'done'
 * (the result, structured-cloned) or one 'error' (the thrown error's name, message, input location, stack).
 */
export type StageMessage =
  | { type: 'progress'; progress: number; info?: ProgressInfo }
  | { type: 'layout'; embedding: Float32Array; iteration: number; last: boolean }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; message: string; location?: unknown; stack?: string };

/** After the request, { type: 'finish' } asks the stage to end early, keeping what it has reached. */
export type StageControl = { type: 'finish' };

/** What a stage worker's serve function gets besides the request: the hooks of runInWorker's caller, relayed. */
export interface StageServeHooks {
  onProgress: ProgressFn;
  /** Posts the layout so far to the caller's hooks.onLayout (the embedding's buffer is transferred). */
  onLayout: NonNullable<StageHooks['onLayout']>;
  /** Aborted when the caller's hooks.finishEarly is. */
  finishEarly: AbortSignal;
}

/** How a stage is named in messages about its worker ("the t-SNE worker exited ..."). */
const STAGE_NAMES: Partial<Record<Stage, string>> = { tsne: 't-SNE', umap: 'UMAP' };

/**
 * Runs one request of a whole stage in a new worker thread started from `module` (a module that calls
 * serveStage), and resolves with its result. Progress arrives as hooks.onProgress(progress, stage, info),
 * layouts the stage posts as hooks.onLayout; aborting hooks.finishEarly asks the stage to end early (it answers
 * with what it reached); aborting hooks.signal terminates the thread and rejects with CancelledError (so does
 * an already aborted signal, before any thread starts). Errors thrown in the worker are rebuilt here: an InputError stays an
 * InputError (exit 2) with its location, an abort a CancelledError, anything else an Error of the same
 * name whose stack says it came from the worker. A thread that dies without answering rejects with an Error.
 */
export function runInWorker<T>(module: URL, request: unknown, hooks: StageHooks, stage: Stage): Promise<T> {
  const name = STAGE_NAMES[stage] ?? stage;
  return new Promise<T>((resolve, reject) => {
    try {
      throwIfAborted(hooks.signal);
    } catch (err) {
      reject(err);
      return;
    }
    const worker = startThread(module);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      hooks.finishEarly?.removeEventListener('abort', onFinishEarly);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new CancelledError()));
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // ending early is the worker's to do: it stops at its next step and answers with what it reached
    const onFinishEarly = () => worker.postMessage({ type: 'finish' } satisfies StageControl);
    if (hooks.finishEarly?.aborted) onFinishEarly();
    else hooks.finishEarly?.addEventListener('abort', onFinishEarly, { once: true });
    worker.on('message', (msg: StageMessage) => {
      if (msg.type === 'progress') {
        if (!settled) hooks.onProgress?.(msg.progress, stage, msg.info);
      } else if (msg.type === 'layout') {
        if (!settled) hooks.onLayout?.(msg.embedding, msg.iteration, msg.last);
      } else if (msg.type === 'done') {
        finish(() => resolve(msg.result as T));
      } else {
        finish(() => reject(rebuildError(msg, name)));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the ${name} worker exited with code ${code} before finishing`))));
    worker.postMessage(request);
  });
}

/** The worker's error as an Error of this thread: InputError and CancelledError keep their kind. */
function rebuildError(msg: Extract<StageMessage, { type: 'error' }>, name: string): Error {
  let err: Error;
  if (msg.name === 'InputError') {
    err = new InputError(msg.message);
    Object.defineProperty(err, 'location', { value: msg.location ?? {} });
  } else if (msg.name === 'AbortError') {
    err = new CancelledError(msg.message);
  } else {
    err = new Error(msg.message);
    err.name = msg.name;
  }
  if (msg.stack) err.stack = `${err.name}: ${err.message}\n    (in the ${name} worker)\n${msg.stack}`;
  return err;
}

/**
 * The worker side of runInWorker: called once at the top of a stage worker module, it takes the one
 * request, runs `serve(request, hooks)` and posts its progress and layouts, then its result or its error, as
 * StageMessages; a later { type: 'finish' } aborts hooks.finishEarly. Does nothing outside a worker thread.
 */
export function serveStage<R>(serve: (request: R, hooks: StageServeHooks) => Promise<unknown> | unknown): void {
  const port = parentPort;
  if (!port) return;
  port.once('message', (request: R) => {
    const finishEarly = new AbortController();
    port.on('message', (msg: StageControl) => {
      if (msg?.type === 'finish') finishEarly.abort();
    });
    const hooks: StageServeHooks = {
      onProgress: (progress, _stage, info) => port.postMessage({ type: 'progress', progress, info } satisfies StageMessage),
      onLayout: (embedding, iteration, last) =>
        port.postMessage({ type: 'layout', embedding, iteration, last } satisfies StageMessage, [embedding.buffer as ArrayBuffer]),
      finishEarly: finishEarly.signal,
    };
    Promise.resolve()
      .then(() => serve(request, hooks))
      .then(
        (result) => port.postMessage({ type: 'done', result } satisfies StageMessage),
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          const location = (e as { location?: unknown }).location;
          port.postMessage({ type: 'error', name: e.name, message: e.message, location, stack: e.stack } satisfies StageMessage);
        },
      );
  });
}
