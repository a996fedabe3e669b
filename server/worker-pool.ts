// The worker threads (server/read-worker.ts running read-tasks.ts) and a bounded queue in front of them, in
// two lanes so that quick reads never wait behind slow ones: "slow" tasks read a whole file or run for
// seconds (feature columns, input-space passes, selection means over data.arrow, points bodies, codes,
// upload checks, compressing bodies, feature names, preprocessing); "quick" tasks take milliseconds (a PNG, a row, a code-space search, a model applied to a
// row once loaded, runs checked, RUN_CHECK_BATCH at a time for the run list, but for a manifest of megabytes). Each lane has its own threads (one each by default: the server has its event loop, and
// the machine's other core is shared by the two) and its own queue. A task waits for a free worker of its lane;
// when `maxQueued` tasks already wait there, run() refuses with 503 (the server is saturated: the client should
// retry) instead of letting the queue, and memory, grow. A worker that dies is replaced; one whose task ran
// out of heap (heapMb) answers that request with 503, without Retry-After (the same request would fail again).
import type { Transferable, Worker } from 'node:worker_threads';
import { startThread } from '../pipeline/threads.js';
import { HttpError } from './http-error.js';
import type { ProgressEvent } from '../pipeline/types.js';
import type { TaskProgress, WorkerReply, WorkerTask } from './read-tasks.js';
import type { ThreadMemory } from './read-worker.js';

const MODULE = new URL('./read-worker.ts', import.meta.url);

export type Lane = 'quick' | 'slow';

const SLOW: ReadonlySet<WorkerTask['op']> = new Set(['features', 'nearest-input', 'data-moments', 'points-body', 'points-subset', 'codes', 'check', 'compress', 'feature-names', 'scaling', 'columns']);

/** The lane a task runs in. */
export function laneOf(task: WorkerTask): Lane {
  return SLOW.has(task.op) || (task.op === 'run-check' && task.heavy) ? 'slow' : 'quick';
}

export interface WorkerPoolOptions {
  /** Worker threads per lane. Default one each. */
  threads?: Partial<Record<Lane, number>>;
  /** Tasks that may wait for a worker, per lane. Default 256. */
  maxQueued?: number;
  /** Heap limit of each worker, MB (typed arrays are outside it). Default 512. */
  heapMb?: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Answers to memory() in flight. */
  memory: ((m: ThreadMemory | null) => void)[];
}

interface Pending {
  task: WorkerTask;
  transfer: Transferable[];
  signal: AbortSignal | null;
  onProgress: TaskProgress | null;
  resolve: (r: WorkerReply) => void;
  reject: (e: Error) => void;
}

interface LaneState {
  size: number;
  slots: Slot[];
  waiting: Pending[];
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
  private readonly lanes: Record<Lane, LaneState>;
  private readonly inflight = new Map<Worker, Pending>();
  private readonly maxQueued: number;
  private readonly heapMb: number;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    const lane = (n: number | undefined): LaneState => ({ size: Math.max(1, n ?? 1), slots: [], waiting: [] });
    this.lanes = { quick: lane(options.threads?.quick), slow: lane(options.threads?.slow) };
    this.maxQueued = options.maxQueued ?? 256;
    this.heapMb = options.heapMb ?? 512;
  }

  /** Tasks waiting for a worker, in `lane` or in both. */
  queued(lane?: Lane): number {
    return lane ? this.lanes[lane].waiting.length : this.lanes.quick.waiting.length + this.lanes.slow.waiting.length;
  }

  /**
   * Starts every thread and waits until each has loaded its code (seconds of module transpiling on a busy
   * machine), so the first requests do not wait for it. serve() calls it at start-up.
   */
  async warm(): Promise<void> {
    const warming: Promise<WorkerReply>[] = [];
    for (const lane of Object.values(this.lanes)) {
      while (lane.slots.length < lane.size) this.spawn(lane);
      for (let i = 0; i < lane.size; i++) warming.push(this.enqueue(lane, { op: 'shortest', values: new Float32Array(0) }, [], null));
    }
    await Promise.all(warming);
  }

  /**
   * Runs a task when a worker of its lane is free. `signal`: the request's (requestSignal); a task whose client
   * went away before a worker took it is dropped from the queue (rejected with 499), so a client that fires
   * many requests and disconnects leaves no backlog for everyone else. `onProgress`: told the task's progress
   * (file checks: bytes read), every 250 ms at most.
   */
  run(task: WorkerTask, transfer: Transferable[] = [], signal: AbortSignal | null = null, onProgress: TaskProgress | null = null): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new HttpError(503, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(clientGone());
    const lane = this.lanes[laneOf(task)];
    if (lane.waiting.length >= this.maxQueued) {
      return Promise.reject(new HttpError(503, 'the server is busy; try again in a moment', { 'Retry-After': '1' }));
    }
    return this.enqueue(lane, task, transfer, signal, onProgress);
  }

  private enqueue(lane: LaneState, task: WorkerTask, transfer: Transferable[], signal: AbortSignal | null, onProgress: TaskProgress | null = null): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const pending: Pending = { task, transfer, signal, onProgress, resolve, reject };
      lane.waiting.push(pending);
      signal?.addEventListener(
        'abort',
        () => {
          const at = lane.waiting.indexOf(pending);
          if (at >= 0) {
            lane.waiting.splice(at, 1);
            reject(clientGone());
          }
        },
        { once: true },
      );
      this.pump(lane);
    });
  }

  private spawn(lane: LaneState): Slot {
    const worker = startThread(MODULE, { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref();
    const slot: Slot = { worker, busy: false, memory: [] };
    worker.on('message', (msg: { reply: WorkerReply } | { memory: ThreadMemory } | { progress: ProgressEvent }) => {
      if ('memory' in msg) {
        slot.memory.shift()?.(msg.memory);
        return;
      }
      if ('progress' in msg) {
        this.inflight.get(worker)?.onProgress?.(msg.progress);
        return;
      }
      const p = this.inflight.get(worker);
      this.inflight.delete(worker);
      slot.busy = false;
      p?.resolve(msg.reply);
      this.pump(lane);
    });
    const fail = (err: Error): void => {
      const p = this.inflight.get(worker);
      this.inflight.delete(worker);
      const at = lane.slots.indexOf(slot);
      if (at >= 0) lane.slots.splice(at, 1);
      for (const m of slot.memory.splice(0)) m(null);
      p?.reject(
        (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new HttpError(503, `this request needs more memory than a worker thread may use (${this.heapMb} MB of heap)`)
          : new Error(`worker thread failed: ${err.message}`),
      );
      this.pump(lane);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (lane.slots.includes(slot)) fail(new Error(`exited with code ${code}`));
    });
    lane.slots.push(slot);
    return slot;
  }

  private pump(lane: LaneState): void {
    while (!this.closed && lane.waiting.length > 0) {
      let slot = lane.slots.find((s) => !s.busy);
      if (!slot && lane.slots.length < lane.size) slot = this.spawn(lane);
      if (!slot) return;
      const p = lane.waiting.shift()!;
      slot.busy = true;
      this.inflight.set(slot.worker, p);
      slot.worker.postMessage({ seq: 0, task: p.task }, p.transfer);
    }
  }

  /**
   * What each running thread holds (its heap and the buffers its objects own), by lane. A thread answers
   * between the steps of the task it runs; one that has not answered within `timeoutMs` (busy in a long
   * synchronous step) or has died is left out.
   */
  async memory(timeoutMs = 1000): Promise<(ThreadMemory & { lane: Lane })[]> {
    const asks = (Object.entries(this.lanes) as [Lane, LaneState][]).flatMap(([lane, state]) =>
      state.slots.map(
        (slot) =>
          new Promise<(ThreadMemory & { lane: Lane }) | null>((resolve) => {
            const timer = setTimeout(() => resolve(null), timeoutMs);
            slot.memory.push((m) => {
              clearTimeout(timer);
              resolve(m && { ...m, lane });
            });
            slot.worker.postMessage({ memory: true });
          }),
      ),
    );
    return (await Promise.all(asks)).filter((m): m is ThreadMemory & { lane: Lane } => m !== null);
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots: Slot[] = [];
    for (const lane of Object.values(this.lanes)) {
      for (const p of lane.waiting.splice(0)) p.reject(new HttpError(503, 'the server is shutting down'));
      slots.push(...lane.slots.splice(0));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
