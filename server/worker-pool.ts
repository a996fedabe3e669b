// A few worker threads (server/read-worker.ts running read-tasks.ts) and a bounded queue in front of them. A task waits for a
// free worker; when `maxQueued` tasks already wait, run() refuses with 503 (the server is saturated: the
// client should retry) instead of letting the queue, and memory, grow. A worker that dies is replaced.
import type { Transferable, Worker } from 'node:worker_threads';
import { startThread } from '../pipeline/threads.js';
import { HttpError } from './http-error.js';
import type { WorkerReply, WorkerTask } from './read-tasks.js';

const MODULE = new URL('./read-worker.ts', import.meta.url);

export interface WorkerPoolOptions {
  /** Worker threads. Default 1 (the machine's other core serves requests). */
  size?: number;
  /** Tasks that may wait for a worker. Default 256. */
  maxQueued?: number;
  /** Heap limit of each worker, MB (typed arrays are outside it). Default 512. */
  heapMb?: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  task: WorkerTask;
  transfer: Transferable[];
  signal: AbortSignal | null;
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

/** The rejection of a task whose client disconnected (nginx's 499: nobody is there to read the answer). */
function clientGone(): HttpError {
  return new HttpError(499, 'the client closed the connection');
}

/** Aborted when the response's connection closes before the response was sent. */
export function requestSignal(res: { on(event: 'close', f: () => void): unknown; writableEnded: boolean; closed?: boolean }): AbortSignal {
  const controller = new AbortController();
  if (res.closed && !res.writableEnded) controller.abort();
  res.on('close', () => {
    if (!res.writableEnded) controller.abort();
  });
  return controller.signal;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private readonly inflight = new Map<Worker, Pending>();
  private readonly maxQueued: number;
  private readonly size: number;
  private readonly heapMb: number;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = options.size ?? 1;
    this.maxQueued = options.maxQueued ?? 256;
    this.heapMb = options.heapMb ?? 512;
  }

  /** Tasks waiting for a worker. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Starts every thread and waits until each has loaded its code (seconds of module transpiling on a busy
   * machine), so the first requests do not wait for it. serve() calls it at start-up.
   */
  async warm(): Promise<void> {
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map(() => this.run({ op: 'shortest', values: new Float32Array(0) })));
  }

  /**
   * Runs a task when a worker is free. `signal`: the request's (requestSignal); a task whose client went away
   * before a worker took it is dropped from the queue (rejected with 499), so a client that fires many requests
   * and disconnects leaves no backlog for everyone else.
   */
  run(task: WorkerTask, transfer: Transferable[] = [], signal: AbortSignal | null = null): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new HttpError(503, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(clientGone());
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(new HttpError(503, 'the server is busy; try again in a moment', { 'Retry-After': '1' }));
    }
    return new Promise<WorkerReply>((resolve, reject) => {
      const pending: Pending = { task, transfer, signal, resolve, reject };
      this.waiting.push(pending);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(pending);
          if (at >= 0) {
            this.waiting.splice(at, 1);
            reject(clientGone());
          }
        },
        { once: true },
      );
      this.pump();
    });
  }

  private spawn(): Slot {
    const worker = startThread(MODULE, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { reply: WorkerReply }) => {
      const p = this.inflight.get(worker);
      this.inflight.delete(worker);
      slot.busy = false;
      p?.resolve(msg.reply);
      this.pump();
    });
    const fail = (err: Error): void => {
      const p = this.inflight.get(worker);
      this.inflight.delete(worker);
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      p?.reject(new Error(`worker thread failed: ${err.message}`));
      this.pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (!this.closed && this.waiting.length > 0) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const p = this.waiting.shift()!;
      slot.busy = true;
      this.inflight.set(slot.worker, p);
      slot.worker.postMessage({ seq: 0, task: p.task }, p.transfer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.waiting.splice(0)) p.reject(new HttpError(503, 'the server is shutting down'));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
