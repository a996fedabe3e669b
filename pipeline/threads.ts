// The one way to start a TypeScript worker thread and talk to it over shared memory. The code runs as
// TypeScript through tsx; Node 20 worker threads neither inherit the parent's tsx loader nor accept
// `--import` in execArgv, so every thread starts from a small bootstrap that registers tsx's loader and
// then imports the module. The protocols built on it (the t-SNE helper, the neighbour-search helper, the
// training engine's second thread, the t-SNE stage's worker) keep counters in an Int32Array over a
// SharedArrayBuffer and move them with post() and awaitValue() below.

import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';

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

/** Stores `value` in ctrl[slot] and wakes every thread waiting on that slot. */
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

/** Blocks this thread while ctrl[slot] === from; returns the new value, or `from` when `timeoutMs` passed first. */
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
