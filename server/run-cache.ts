// What the server keeps in memory per run: encoded bodies (manifest, points, history, feature columns) and
// parsed arrays (points table, codes, the layout and index of the stored input values), in one LRU bounded by
// bytes. Runs are immutable; the cache key includes a digest of the stamp of the run's files (inode, mtime,
// ctime and size of each) so a run removed and written again, or damaged in place, is checked and loaded again
// (concurrent requests for one run share one comparison of the stamp). Each load reserves its peak size
// before reading, so concurrent cold loads of big runs stay within the budget; what the rest of the process
// holds (worker threads, requests in progress) counts against the same budget (memory-budget.ts). The stored input values
// (data.arrow, often hundreds of MB) are never loaded whole: rows are read by position (pipeline/runs/data-rows.ts), and
// what needs every row (input-space neighbours, features) reads it in passes of 4 MB pieces. Work
// that takes CPU time (codes ordered for search, the points as an Arrow stream or JSON, a feature column)
// runs in the worker thread (read-tasks.ts). A run whose files cannot be read as what they should be is
// reported as corrupt (409 with code "run_corrupt", the same message on every endpoint): each run is checked
// whole (pipeline/runs/run-check.ts, in the worker thread) once per version of its files, and their stamp is
// compared again for every request (run(): a comparison begun after the request came, shared by the requests
// that came before it began), so nothing cached (bodies, their compressed variants, tables) is served after
// the run's files were damaged; the run list and the lookups a request makes after run() trust a comparison
// for versionTtlMs.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Table } from 'apache-arrow';
import { readPoints } from '../pipeline/runs/artifacts.js';
import type { RunFile } from '../pipeline/runs/layout.js';
import { stampRun, type RunCheck, type RunState } from '../pipeline/runs/run-check.js';
import { readHistory } from '../pipeline/runs/run-dir.js';
import type { RunStore } from '../pipeline/runs/store.js';
import type { Matrix, RunManifest, RunSummary } from '../pipeline/types.js';
import { cachedBody, setVariants, sizeOfBody, type CachedBody } from './cached-body.js';
import { readDataLayout, type DataLayout } from '../pipeline/runs/data-rows.js';
import { corruptRun, HttpError } from './http-error.js';
import { LruCache } from './lru.js';
import type { MemoryBudget } from './memory-budget.js';
import { runIdParam } from './params.js';
import { MAX_ANSWER_VALUES, replyWith, RUN_CHECK_BATCH, runTaskSafely, type RunCheckAnswer, type RunCheckAsk, type TaskProgress, type WorkerReply, type WorkerTask } from './read-tasks.js';
import { listedPart, summarize, type ListedManifest } from './run-summary.js';

/** Neighbouring feature columns read in one pass over data.arrow. */
export const FEATURE_BLOCK = 16;
/** Blocks of feature columns read at once, at most. */
export const MAX_FEATURE_LOADS = 2;

/**
 * Comparisons of a run's stamp begin at most this often, ms: a comparison is a stat of each of the run's files
 * (about 10; 0.25 ms of CPU time in libuv's pool and the event loop, measured), and a run asked 1,000 times a
 * second would otherwise pay one per request. A request waits at most this long more for its comparison.
 */
export const STAMP_GATHER_MS = 5;

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Maps a row's `index` value to its position in an artifact (identity in the common case). */
export interface IndexLookup {
  /** Position of the row whose index column equals `index`, or -1. */
  positionOf(index: number): number;
}

export function indexLookup(index: Int32Array): IndexLookup {
  let identity = true;
  for (let i = 0; i < index.length && identity; i++) if (index[i] !== i) identity = false;
  if (identity) return { positionOf: (i) => (Number.isInteger(i) && i >= 0 && i < index.length ? i : -1) };
  const map = new Map<number, number>();
  for (let i = 0; i < index.length; i++) map.set(index[i]!, i);
  return { positionOf: (i) => map.get(i) ?? -1 };
}

export interface PointsData {
  table: Table;
  rows: number;
  lookup: IndexLookup;
}

export interface MatrixData {
  /** Values in a SharedArrayBuffer, so the worker thread searches and averages them without a copy (codes). */
  matrix: Matrix;
  /** Codes: the original column of each stored column (they are reordered by variance); absent: in order. */
  columns?: Int32Array;
  index: Int32Array;
  lookup: IndexLookup;
}

/** The stored input values of a run (data.arrow): where its rows are (read one at a time by the worker thread, pipeline/runs/data-rows.ts). */
export interface DataRows {
  layout: DataLayout;
  index: Int32Array;
  lookup: IndexLookup;
}

/** Runs a read task, in the worker thread (the server's pool) or in this thread (tests). */
export type Offload = (task: WorkerTask, onProgress?: TaskProgress) => Promise<WorkerReply>;

export interface RunInfo {
  manifest: RunManifest;
  body: CachedBody;
  /** Cache key prefix for this version of the run. */
  key: string;
}

/** Feature names read from features.arrow (featureNames). */
interface FeatureNames {
  names: string[];
}

type Entry = CachedBody | PointsData | MatrixData | DataRows | RunInfo | FeatureNames;

function sizeOf(e: Entry): number {
  if ('identity' in e) return sizeOfBody(e);
  if ('table' in e) return e.table.data.reduce((s, d) => s + d.byteLength, 0) + 64;
  if ('matrix' in e) return e.matrix.values.byteLength + e.index.byteLength + 64;
  if ('names' in e) return e.names.reduce((n, name) => n + 48 + name.length * 2, 64);
  if ('layout' in e) return e.index.byteLength * 2 + e.layout.batches.length * 32 + 256;
  return sizeOfBody(e.body) * 2 + 256;
}

/** What the cache knows of one run: its last check (pipeline/runs/run-check.ts) and when its stamp was last found current. */
interface KnownRun {
  /** The files the check looked at, and their stamp then (stampRun). */
  files: string[];
  stamp: string;
  state: RunState;
  problem: string | null;
  /** Cache key prefix of this version of the run (its id and a digest of the stamp). */
  key: string;
  /** What the run list shows of it (complete runs). */
  listing: ListedManifest | null;
  /** Its line in the run list, made once (complete runs). */
  summary: RunSummary | null;
  /** The manifest the check read (a check asked for it), until the manifest entry is made of it. */
  manifest: RunManifest | null;
  /** When the comparison (or check) that last found the stamp current began, performance.now() ms. */
  seen: number;
}

/** A comparison of a run's stamp (or a check) under way, and when it began (performance.now() ms). */
interface Looking {
  began: number;
  known: Promise<KnownRun>;
}

export class RunCache {
  private readonly lru: LruCache<string, Entry>;
  /** Blocks of feature columns being read (feature()). */
  private readonly featureLoads = new Map<string, Promise<Map<number, CachedBody>>>();
  /** The last check of every run seen (not of runs absent), by id. */
  private readonly known = new Map<string, KnownRun>();
  /** Stamps compared or checks in flight, by id, shared by the requests that arrive before they begin. */
  private readonly looking = new Map<string, Looking>();
  /** Counts the verdicts that changed (a run damaged, mended, written again or gone): see `changes`. */
  private changed = 0;

  constructor(
    readonly store: RunStore,
    /** Memory budget for cached runs, bytes. Default 512 MiB. */
    private readonly maxBytes = 512 * 1024 * 1024,
    /** The manifest as clients see it (server paths removed). Default: as written. */
    private readonly view: (m: RunManifest) => RunManifest = (m) => m,
    /** Where CPU-heavy loads run. Default: in this thread. */
    private readonly offload: Offload = runTaskSafely,
    /** The process's memory outside the cache, counted against maxBytes (memory-budget.ts). Default: not counted. */
    memory: MemoryBudget | null = null,
    /**
     * How long a run's check is trusted before its files' stamp is compared again, ms. Default 0: at every
     * request (one comparison shared by the requests in flight). A run damaged in place, removed, or written
     * again under the same id is noticed that much later (a run not there yet is looked for again on every
     * request).
     */
    private readonly versionTtlMs = 0,
  ) {
    this.lru = new LruCache<string, Entry>({
      maxSize: maxBytes,
      sizeOf,
      // A sixteenth of the budget stays the cache's whatever the rest holds: loading the same body again for
      // every request (a 9 MB points body, seconds each) would cost more than the memory it saves. (A quarter
      // let the process reach its bound in bench:server, the rest of it holding 559 MiB.)
      ...(memory ? { outside: (held: number) => memory.outside(held), onEvict: (size: number) => memory.evicted(size), minSize: maxBytes / 16 } : {}),
    });
    memory?.watch(() => this.lru.trim(), maxBytes);
  }

  /** The cache's bound, bytes. */
  get budget(): number {
    return this.maxBytes;
  }

  /** Bytes held and reserved (for tests and the benchmark). */
  get usage(): { cached: number; reserved: number } {
    return { cached: this.lru.size, reserved: this.lru.reservedSize };
  }

  /**
   * How many times a run's verdict changed since the cache was made (a run found damaged, mended, written again
   * or gone, by any request or list): the run list built before the last change may list a run as it no longer
   * is (RunList builds again before answering).
   */
  get changes(): number {
    return this.changed;
  }

  /**
   * What a check begun at `began` (performance.now() ms) says of run `id`, kept (a run absent is forgotten: it
   * is looked for again next time).
   */
  private learn(id: string, check: RunCheck, listing: ListedManifest | null, began: number): KnownRun {
    const before = this.known.get(id);
    if (before && (before.stamp !== check.stamp || before.state !== check.state)) this.changed++;
    const k: KnownRun = {
      files: check.files,
      stamp: check.stamp,
      state: check.state,
      problem: check.problem,
      key: `${id}@${createHash('sha256').update(check.stamp).digest('base64url').slice(0, 16)}`,
      listing: listing ?? (check.manifest ? listedPart(check.manifest) : null),
      summary: null,
      manifest: check.manifest,
      seen: began,
    };
    if (check.state === 'absent') this.known.delete(id);
    else this.known.set(id, k);
    return k;
  }

  /**
   * Checks `runs` in the worker thread (one task, quick lane); those whose manifest is megabytes long are
   * checked again one by one in the slow lane, so that parsing one never holds the quick reads.
   */
  private async checks(runs: RunCheckAsk[], manifest: boolean): Promise<RunCheckAnswer[]> {
    const answers = replyWith(await this.offload({ op: 'run-check', runs, manifest }), 'checks').checks;
    return Promise.all(
      answers.map(async (a, i) => {
        if (!('heavy' in a)) return a;
        const [again] = replyWith(await this.offload({ op: 'run-check', runs: [runs[i]!], manifest, heavy: true }), 'checks').checks;
        return again!;
      }),
    );
  }

  /** Checks run `id` in the worker thread, its manifest read whole. */
  private async check(id: string): Promise<KnownRun> {
    const began = performance.now();
    const [answer] = await this.checks([{ id, runDir: this.store.path(id) }], true);
    if (!answer || !('state' in answer)) throw new Error('unexpected worker reply (no check)');
    return this.learn(id, answer, null, began);
  }

  /**
   * What is known of run `id` as of `since` (performance.now() ms): its last check when a comparison of its
   * files' stamp (a stat of each, pipeline/runs/run-check.ts stampRun) that began at or after `since` found it
   * current, else the stamp compared again, and the run checked again (worker thread) when the stamp moved or
   * the run was never checked. A comparison under way is shared only by callers whose `since` it does not
   * precede; the others wait for it and share the next one: a file damaged after `since` cannot hide behind
   * stats made before it. Comparisons of one run begin at most every STAMP_GATHER_MS (an isolated request's at
   * once): under load the requests that come meanwhile share one.
   */
  private current(id: string, since: number): Promise<KnownRun> {
    const k = this.known.get(id);
    if (k && k.seen >= since) return Promise.resolve(k);
    const under = this.looking.get(id);
    if (under && under.began >= since) return under.known;
    if (under) return under.known.then(() => this.current(id, since), () => this.current(id, since));
    // a comparison begins at most every STAMP_GATHER_MS: the requests that come meanwhile wait for it
    const now = performance.now();
    const wait = k ? k.seen + STAMP_GATHER_MS - now : 0;
    const began = wait > 0 ? now + wait : now;
    const known = (async () => {
      // not before `began`: a timer may fire a little early (whole ms, the loop's cached clock), and the stats
      // must follow every request that joined this comparison
      while (performance.now() < began) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(began - performance.now()))));
      if (k && (await stampRun(this.store.path(id), k.files)) === k.stamp) {
        k.seen = Math.max(k.seen, began);
        return k;
      }
      return this.check(id);
    })().finally(() => this.looking.delete(id));
    this.looking.set(id, { began, known });
    return known;
  }

  /** What is known of run `id`, trusted for versionTtlMs after a comparison found its stamp current. */
  private recent(id: string): Promise<KnownRun> {
    return this.current(id, performance.now() - this.versionTtlMs);
  }

  /** Throws what every endpoint of run `id` answers when it is not complete and whole: 404, or 409 (corrupt). */
  private verdict(id: string, k: KnownRun): void {
    if (k.state === 'absent') throw new HttpError(404, `no run ${id}`);
    if (k.state === 'incomplete') throw new HttpError(404, `run ${id} is not complete`);
    if (k.state === 'corrupt') throw corruptRun(id, k.problem ?? 'its files cannot be read');
  }

  /**
   * The manifest of complete run `id` (as clients see it), the lookup every request of a run makes first;
   * 400 for an invalid id, 404 when there is no such complete run, 409 (corruptRun) when its files are damaged:
   * checked whole once per version of its files (pipeline/runs/run-check.ts, in the worker thread), so every
   * endpoint, /events and the run list answer a damaged run alike, however it was damaged and whether before or
   * while the server runs. The stamp of the run's files is compared after this call begins (one comparison,
   * a stat of each file, shared by the calls that came before it began), so a request that comes after a file
   * was damaged is never answered from what was cached of the whole run: every cached body (points, their
   * compressed variants, history, features, the overview) and every table an answer is built from (items,
   * neighbours, pictures) is reached only through this lookup or, within the same request, `recent` (trusted
   * for versionTtlMs).
   */
  async run(id: string): Promise<RunInfo> {
    runIdParam(id);
    return this.info(id, await this.current(id, performance.now()));
  }

  /**
   * run(id) for the lookups a request makes after run(): its comparison trusted for versionTtlMs (a route that
   * reaches the cache otherwise is answered from a verdict at most that old).
   */
  private async ofRequest(id: string): Promise<RunInfo> {
    runIdParam(id);
    return this.info(id, await this.recent(id));
  }

  /** The manifest entry of run `id` as its verdict `k` says: 404 or 409 when not complete and whole. */
  private async info(id: string, k: KnownRun): Promise<RunInfo> {
    this.verdict(id, k);
    return (await this.lru.get(`${k.key}#manifest`, async () => {
      let manifest = k.manifest;
      k.manifest = null;
      if (!manifest) {
        // checked for the run list, or its entry evicted since: read again
        const again = await this.check(id);
        this.verdict(id, again);
        manifest = again.manifest!;
        again.manifest = null;
      }
      const shown = this.view(manifest);
      const body = await cachedBody(Buffer.from(JSON.stringify(shown)), JSON_TYPE);
      return { manifest: shown, body, key: k.key } satisfies RunInfo;
    })) as RunInfo;
  }

  /**
   * The run list's line of each of `ids` (every run id in the runs directory: what is known of any other is
   * dropped) that is a complete, whole run, else null (absent, not complete, or
   * corrupt: its own endpoints say why). Every run is looked at in the worker thread, RUN_CHECK_BATCH a task:
   * one whose stamp has not moved by a few stats there, the others read whole, so the first list of hundreds of
   * runs after a start never holds the event loop. (RunList says how often.)
   */
  async summaries(ids: string[]): Promise<(RunSummary | null)[]> {
    // `ids` are the runs directory's: what is known of runs no longer there goes
    const present = new Set(ids);
    for (const id of this.known.keys()) {
      if (present.has(id)) continue;
      this.known.delete(id);
      this.changed++;
    }
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += RUN_CHECK_BATCH) batches.push(ids.slice(i, i + RUN_CHECK_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        const runs = batch.map((id) => {
          const k = this.known.get(id);
          return { id, runDir: this.store.path(id), ...(k ? { known: { files: k.files, stamp: k.stamp } } : {}) };
        });
        const began = performance.now();
        for (const a of await this.checks(runs, false)) {
          if ('state' in a) this.learn(a.id, a, a.listing, began);
          else {
            const k = this.known.get(a.id);
            if (k) k.seen = Math.max(k.seen, began);
          }
        }
        // each batch's lines made as its answer comes (about 0.2 ms a run: the public view of its fields), not
        // all at the end: 300 runs at once held the event loop 60-80 ms, stretched to hundreds on a loaded machine
        for (const id of batch) this.summaryOf(id);
      }),
    );
    return ids.map((id) => this.summaryOf(id));
  }

  /** The run list's line of run `id` when it is known complete and whole (made once per check), else null. */
  private summaryOf(id: string): RunSummary | null {
    const k = this.known.get(id);
    if (!k || k.state !== 'complete' || !k.listing) return null;
    // the listed fields as clients see them (public-manifest.ts works on them as on the whole manifest)
    k.summary ??= summarize(this.view(k.listing as RunManifest));
    return k.summary;
  }

  /**
   * The feature names of complete run `id`, in column order, for answers that list them with a row's values
   * (items, decodes: rows of at most MAX_ANSWER_VALUES values): from the manifest when it lists them, else
   * read in the worker thread (features.arrow) and kept. Only the first MAX_ANSWER_VALUES names of a run that
   * has more are read; such a run's answers list none.
   */
  async featureNames(id: string): Promise<string[]> {
    const { key, manifest } = await this.ofRequest(id);
    const listed = manifest.dataset.features;
    if (Array.isArray(listed)) return listed;
    const entry = (await this.lru.get(`${key}#feature-names`, async () => {
      let reply;
      try {
        reply = replyWith(await this.offload({ op: 'feature-names', runDir: this.store.path(id), limit: MAX_ANSWER_VALUES }), 'names');
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw corruptRun(id, 'its feature names (features.arrow) cannot be read');
      }
      return { names: reply.names } satisfies FeatureNames;
    })) as FeatureNames;
    return entry.names;
  }

  /**
   * Where feature `name` is among the columns of complete run `id` (-1: it has no such feature), with how
   * many it has and the first few names (for the 404). A run whose manifest does not list its names is
   * searched in the worker thread.
   */
  async featureIndex(id: string, name: string): Promise<{ index: number; count: number; first: string[] }> {
    const { manifest } = await this.ofRequest(id);
    const listed = manifest.dataset.features;
    if (Array.isArray(listed)) return { index: listed.indexOf(name), count: listed.length, first: listed.slice(0, 5) };
    let reply;
    try {
      reply = replyWith(await this.offload({ op: 'feature-names', runDir: this.store.path(id), limit: 5, find: name }), 'names');
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw corruptRun(id, 'its feature names (features.arrow) cannot be read');
    }
    return { index: reply.found, count: reply.count, first: reply.names };
  }

  /** The run's directory and the size of its `file`; 404 naming `what` when the run has none. */
  private async dirWith(id: string, file: RunFile, what: string): Promise<{ dir: string; bytes: number }> {
    try {
      return { dir: this.store.path(id), bytes: (await stat(this.store.file(id, file))).size };
    } catch {
      throw new HttpError(404, `run ${id} has no ${what}`);
    }
  }

  /**
   * Loads an artifact with `read` (given the run's directory), reserving `reserve(file size)` bytes first;
   * anything but an HttpError means the file is damaged. A cached artifact is served without touching the disk.
   */
  private async artifact<T>(id: string, file: RunFile, what: string, reserve: (bytes: number) => number, cacheKey: string, read: (dir: string) => Promise<T>): Promise<T> {
    const hit = this.lru.peek(cacheKey);
    if (hit !== undefined) return hit as unknown as T;
    const f = await this.dirWith(id, file, what);
    return (await this.lru.get(
      cacheKey,
      async () => {
        try {
          return (await read(f.dir)) as unknown as Entry;
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw corruptRun(id, `its ${what} cannot be read`);
        }
      },
      reserve(f.bytes) + 4096,
    )) as unknown as T;
  }

  async points(id: string): Promise<PointsData> {
    const { key, manifest } = await this.ofRequest(id);
    return this.artifact(id, 'points', 'points', (b) => b * 3, `${key}#points`, async (dir) => {
      const table = await readPoints(dir);
      if (table.numRows !== manifest.dataset.rows && !(manifest.base && table.numRows > 0)) {
        throw corruptRun(id, `its points hold ${table.numRows} rows, its manifest says ${manifest.dataset.rows}`);
      }
      const idx = table.getChild('index');
      const index = idx ? Int32Array.from(idx.toArray() as ArrayLike<number>) : Int32Array.from({ length: table.numRows }, (_, i) => i);
      return { table, rows: table.numRows, lookup: indexLookup(index) } satisfies PointsData;
    });
  }

  /** A body the worker thread builds from the run's files (`what` names them in the corrupt-run error). */
  async workerBody(id: string, cacheKey: string, what: string, reserve: number, task: WorkerTask, type: string): Promise<CachedBody> {
    return (await this.lru.get(
      cacheKey,
      async () => {
        let reply;
        try {
          reply = replyWith(await this.offload(task), 'bytes');
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw corruptRun(id, `its ${what} cannot be read`);
        }
        // Served as identity at once; the compressed variants follow from the worker thread (compressLater).
        const body = await cachedBody(reply.bytes, type, false, reply.etag);
        this.compressLater([[cacheKey, body]]);
        return body;
      },
      reserve,
    )) as CachedBody;
  }

  /**
   * The points file re-encoded as an Arrow IPC stream: every column, or only `columns` (names the table
   * has, checked by the caller), in the order given.
   */
  async pointsArrow(id: string, columns?: string[]): Promise<CachedBody> {
    const { key } = await this.ofRequest(id);
    const { table } = await this.points(id);
    const bytes = table.data.reduce((s, d) => s + d.byteLength, 0);
    const cacheKey = columns ? `${key}#points.stream:${columns.join(',')}` : `${key}#points.stream`;
    return this.workerBody(id, cacheKey, 'points', bytes * 3, { op: 'points-body', runDir: this.store.path(id), format: 'arrow', ...(columns ? { columns } : {}) }, ARROW_STREAM);
  }

  /** The `?format=json` body: an array of row objects in input order. */
  async pointsJson(id: string): Promise<CachedBody> {
    const { key } = await this.ofRequest(id);
    const { table } = await this.points(id);
    return this.workerBody(id, `${key}#points.json`, 'points', table.numRows * table.numCols * 60, { op: 'points-body', runDir: this.store.path(id), format: 'json' }, JSON_TYPE);
  }

  async history(id: string): Promise<CachedBody> {
    const { key } = await this.ofRequest(id);
    return this.artifact(id, 'history', 'history', (b) => b * 4, `${key}#history`, async (dir) => {
      const history = await readHistory(dir);
      // Re-serialized: proven JSON, without the pretty-printing.
      return cachedBody(Buffer.from(JSON.stringify(history)), JSON_TYPE);
    });
  }

  /** The codes, columns ordered by variance (distances unchanged), in shared memory; loaded in the worker thread. */
  async codes(id: string): Promise<MatrixData> {
    const { key } = await this.ofRequest(id);
    return this.artifact(id, 'codes', 'codes', (b) => b * 3, `${key}#codes`, async (dir) => {
      const r = replyWith(await this.offload({ op: 'codes', runDir: dir }), 'codes');
      const matrix = { rows: r.rows, cols: r.cols, values: new Float32Array(r.codes, 0, r.rows * r.cols) };
      return { matrix, columns: r.columns, index: r.index, lookup: indexLookup(r.index) } satisfies MatrixData;
    });
  }

  /** Where the stored input values of every row lie in data.arrow: only its layout and index are held. */
  async data(id: string): Promise<DataRows> {
    const { key, manifest } = await this.ofRequest(id);
    return this.artifact(id, 'data', 'stored input values', () => manifest.dataset.rows * 8 + 65536, `${key}#data`, async () => {
      const { layout, index } = await readDataLayout(this.store.file(id, 'data'));
      return { layout, index, lookup: indexLookup(index) } satisfies DataRows;
    });
  }

  /**
   * One feature column of every row with the index, as an Arrow IPC stream. Read in the worker thread in
   * blocks of FEATURE_BLOCK neighbouring columns, one pass over data.arrow per block, all kept: the viewer asks
   * for features in order, several at a time. At most MAX_FEATURE_LOADS blocks are read at once; past that,
   * 503 with Retry-After: a client asking for every column cannot queue hundreds of passes in front of everyone.
   */
  async feature(id: string, col: number): Promise<CachedBody> {
    const { key } = await this.ofRequest(id);
    const data = await this.data(id);
    const cacheKey = (c: number): string => `${key}#feature:${c}`;
    const cached = this.lru.peek(cacheKey(col));
    if (cached) return cached as CachedBody;
    const first = col - (col % FEATURE_BLOCK);
    const blockKey = `${key}#features:${first}`;
    let load = this.featureLoads.get(blockKey);
    if (!load) {
      if (this.featureLoads.size >= MAX_FEATURE_LOADS) {
        throw new HttpError(503, 'the server is busy reading other feature columns; try again in a moment', { 'Retry-After': '1' });
      }
      const cols = Array.from({ length: Math.min(FEATURE_BLOCK, data.layout.cols - first) }, (_, k) => first + k);
      load = this.featureBlock(id, data, cols, cacheKey).finally(() => this.featureLoads.delete(blockKey));
      this.featureLoads.set(blockKey, load);
    }
    return (await load).get(col)!;
  }

  /**
   * Adds the gzip and brotli variants to bodies built in the worker thread (in shared memory), compressed
   * there in one task: megabytes compressed on the event loop's side leave pieces and copies behind whose
   * collection paused it. Until then each body is served as identity; each entry's size is counted again when
   * its variants are in. A refused or failed compression leaves the bodies as they are.
   */
  private compressLater(bodies: [string, CachedBody][]): void {
    void this.offload({ op: 'compress', bodies: bodies.map(([, b]) => b.identity) }).then(
      (reply) => {
        if (!reply.ok || !('variants' in reply)) return;
        for (const [i, [key, body]] of bodies.entries()) {
          setVariants(body, reply.variants[i]!);
          if (this.lru.peek(key) === body) this.lru.set(key, body);
        }
      },
      () => {},
    );
  }

  /** Reads columns `cols` in one pass (worker thread) and caches each as a body; reserves their bytes first. */
  private async featureBlock(id: string, data: DataRows, cols: number[], cacheKey: (c: number) => string): Promise<Map<number, CachedBody>> {
    const reserve = cols.length * data.layout.rows * 8 * 3;
    return this.lru.reserveDuring(reserve, async () => {
      let reply;
      try {
        reply = replyWith(await this.offload({ op: 'features', layout: data.layout, index: data.index, cols }), 'streams');
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw corruptRun(id, 'its stored input values cannot be read');
      }
      const out = new Map<number, CachedBody>();
      const bodies: [string, CachedBody][] = [];
      for (const [k, c] of cols.entries()) {
        const body = await cachedBody(reply.streams[k]!, ARROW_STREAM, false, reply.etags[k]);
        this.lru.set(cacheKey(c), body);
        bodies.push([cacheKey(c), body]);
        out.set(c, body);
      }
      this.compressLater(bodies);
      return out;
    });
  }

}
