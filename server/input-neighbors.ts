// Input-space neighbour queries (GET /api/runs/:id/neighbors/:index?space=input) answered by passes over the
// run's data.arrow in the worker thread (read-tasks.ts nearest-input), never by holding the stored values in
// memory: 70,000 x 784 values are 220 MB, most of the server's whole cache budget, and every query needs all
// of them. A pass reads the file in 4 MB pieces (from the page cache, once read) and measures every row against
// each query of its batch, so concurrent queries of one run share one pass: a query that arrives while a pass
// of its run is running waits for the next pass, joining every other query that arrived meanwhile.
// Bounded: passes of at most `maxRuns` runs at once, at most `maxBatch` queries waiting per run; past either,
// 503 with Retry-After (the client asks again in a second), so memory and queued work stay bounded whatever
// the clients do. A query whose client went away before its pass started is dropped.
import type { DataLayout } from '../pipeline/runs/data-rows.js';
import { HttpError } from './http-error.js';
import type { ColumnScaling, Nearest } from './nearest.js';
import { replyWith, type WorkerReply, type WorkerTask } from './read-tasks.js';

interface Query {
  pos: number;
  k: number;
  resolve: (n: Nearest) => void;
  reject: (e: Error) => void;
}

interface RunPasses {
  layout: DataLayout;
  scaling: ColumnScaling;
  /** Queries for the next pass. */
  next: Query[];
  running: boolean;
}

export class InputNeighbours {
  /** Runs with a pass running or queries waiting for one. */
  private readonly runs = new Map<string, RunPasses>();

  constructor(
    /** Runs a task in the worker thread (the server's WorkerPool.run). */
    private readonly run: (task: WorkerTask) => Promise<WorkerReply>,
    /** Runs whose passes may run or wait at once. */
    readonly maxRuns = 2,
    /** Queries one pass answers, at most; as many more may wait for the next. */
    readonly maxBatch = 64,
  ) {}

  /** Passes running or waiting (for tests and the benchmark). */
  get active(): number {
    return this.runs.size;
  }

  /**
   * The k rows nearest to row `pos` of the run whose data.arrow is `layout` (key: the run's version), among
   * its rows through `scaling`; positions in data.arrow, nearest first. 503 when the server is reading as
   * many runs as it allows, or this run's next pass is full.
   */
  find(key: string, layout: DataLayout, scaling: ColumnScaling, pos: number, k: number, signal: AbortSignal | null = null): Promise<Nearest> {
    let r = this.runs.get(key);
    if (!r) {
      if (this.runs.size >= this.maxRuns) throw busy('other runs');
      r = { layout, scaling, next: [], running: false };
      this.runs.set(key, r);
    }
    if (r.next.length >= this.maxBatch) throw busy('this run');
    const entry = r;
    return new Promise<Nearest>((resolve, reject) => {
      const query: Query = { pos, k, resolve, reject };
      entry.next.push(query);
      // a client that leaves before its pass starts is dropped from it
      signal?.addEventListener(
        'abort',
        () => {
          const at = entry.next.indexOf(query);
          if (at >= 0) {
            entry.next.splice(at, 1);
            reject(new HttpError(499, 'the client closed the connection'));
          }
        },
        { once: true },
      );
      if (!entry.running) void this.pass(key, entry);
    });
  }

  /** Runs passes for run `key` until no query waits. */
  private async pass(key: string, r: RunPasses): Promise<void> {
    r.running = true;
    try {
      while (r.next.length > 0) {
        const batch = r.next.splice(0);
        try {
          const reply = replyWith(
            await this.run({ op: 'nearest-input', layout: r.layout, scaling: r.scaling, rows: Int32Array.from(batch, (q) => q.pos), k: Int32Array.from(batch, (q) => q.k) }),
            'neighbours',
          );
          batch.forEach((q, i) => q.resolve({ rows: reply.neighbours[i]!, distances: reply.neighbourDistances[i]! }));
        } catch (err) {
          for (const q of batch) q.reject(err as Error);
        }
      }
    } finally {
      r.running = false;
      this.runs.delete(key);
    }
  }
}

function busy(what: string): HttpError {
  return new HttpError(503, `the server is busy searching the input space of ${what}; try again in a moment`, { 'Retry-After': '1' });
}
