// What the server keeps in memory per run: encoded bodies (manifest, points, history, feature columns) and
// parsed arrays (points table, codes, the layout and index of the stored input values), in one LRU bounded by
// bytes. Runs are immutable; the cache key includes the manifest's inode and mtime so a run removed and written
// again is reloaded (concurrent requests for one run share one stat of it). Each load reserves its peak size
// before reading, so concurrent cold loads of big runs stay within the budget; what the rest of the process
// holds (worker threads, requests in progress) counts against the same budget (memory-budget.ts). The stored input values
// (data.arrow, often hundreds of MB) are never loaded whole: rows are read by position (pipeline/runs/data-rows.ts), and
// what needs every row (input-space neighbours, features) reads it in passes of 4 MB pieces. Work
// that takes CPU time (codes ordered for search, the points as an Arrow stream or JSON, a feature column)
// runs in the worker thread (read-tasks.ts). A run whose files cannot be read as what they should be is
// reported as corrupt (500, the same message on every endpoint).
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Table } from 'apache-arrow';
import { readPoints } from '../pipeline/runs/artifacts.js';
import { fileVersion, readArrowFileStructure } from '../pipeline/runs/arrow-footer.js';
import type { RunFile } from '../pipeline/runs/layout.js';
import { manifestVersion, readHistory, readManifest } from '../pipeline/runs/run-dir.js';
import type { RunStore } from '../pipeline/runs/store.js';
import type { Matrix, RunManifest } from '../pipeline/types.js';
import { cachedBody, setVariants, sizeOfBody, type CachedBody } from './cached-body.js';
import { readDataLayout, type DataLayout } from '../pipeline/runs/data-rows.js';
import { HttpError } from './http-error.js';
import { LruCache } from './lru.js';
import type { MemoryBudget } from './memory-budget.js';
import { runIdParam } from './params.js';
import { compactManifest } from '../pipeline/runs/feature-names.js';
import { MAX_ANSWER_VALUES, replyWith, runTaskSafely, type TaskProgress, type WorkerReply, type WorkerTask } from './read-tasks.js';

/** Largest manifest parsed on the event loop, bytes; a larger one is parsed in the worker thread. */
export const MANIFEST_INLINE_BYTES = 1 << 20;

/** Neighbouring feature columns read in one pass over data.arrow. */
export const FEATURE_BLOCK = 16;
/** Blocks of feature columns read at once, at most. */
export const MAX_FEATURE_LOADS = 2;

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

/** The error every endpoint answers for a run whose files are damaged. */
export function corruptRun(id: string, what: string): HttpError {
  return new HttpError(500, `run ${id} is corrupt: ${what}; remove it (latentmap prune) or write it again`);
}

export class RunCache {
  private readonly lru: LruCache<string, Entry>;
  /** Blocks of feature columns being read (feature()). */
  private readonly featureLoads = new Map<string, Promise<Map<number, CachedBody>>>();
  /** Row counts of points files read from their Arrow footers, by path and version (pointsRows). */
  private readonly rowCounts = new Map<string, number>();
  /** Corrupt verdicts of the points check, by run version (`id@version`). */
  private readonly corrupt = new Map<string, HttpError>();
  /** Stats of manifests in flight (and for versionTtlMs after), shared by the requests that arrive meanwhile. */
  private readonly versions = new Map<string, Promise<string | null>>();

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
     * How long a run's manifest stamp (manifestVersion) is trusted before it is read again, ms. Default 0: one
     * stat per request (shared by the requests in flight). Runs are immutable; the stamp only notices a run
     * removed or written again under the same id, which a client may see that much later (a run not there yet
     * is looked for again on every request).
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

  /** Version of a file (inode, mtime, size), or null when it cannot be stat'ed. */
  /** The manifest's version stamp (manifestVersion), one stat shared by concurrent requests for run `id`. */
  private version(id: string): Promise<string | null> {
    let p = this.versions.get(id);
    if (!p) {
      p = manifestVersion(this.store.path(id));
      this.versions.set(id, p);
      const forget = (): void => void (this.versions.get(id) === p && this.versions.delete(id));
      // "No manifest" is never kept: a run that a job has just written must be served at once.
      void p.then((v) => (this.versionTtlMs > 0 && v !== null ? setTimeout(forget, this.versionTtlMs).unref() : forget()));
    }
    return p;
  }

  /** Bytes held and reserved (for tests and the benchmark). */
  /** The cache's bound, bytes. */
  get budget(): number {
    return this.maxBytes;
  }

  get usage(): { cached: number; reserved: number } {
    return { cached: this.lru.size, reserved: this.lru.reservedSize };
  }

  /** The manifest of complete run `id`; 400 for an invalid id, 404 when there is no such complete run. */
  async run(id: string): Promise<RunInfo> {
    runIdParam(id);
    const version = await this.version(id);
    if (version === null) throw new HttpError(404, `no run ${id}`);
    const key = `${id}@${version}`;
    return (await this.lru.get(`${key}#manifest`, async () => {
      const manifest = await this.readManifest(id, version);
      if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest) || typeof manifest.dataset !== 'object' || manifest.dataset === null) {
        throw corruptRun(id, 'its manifest.json is not a run manifest');
      }
      // a directory copied or renamed by hand: its manifest describes another run
      if (manifest.id !== id) throw corruptRun(id, `its manifest.json is that of run ${JSON.stringify(String(manifest.id).slice(0, 80))}, not of its directory`);
      if (manifest.status !== 'complete') throw new HttpError(404, `run ${id} is not complete`);
      await this.checkPoints(id, key, manifest);
      const shown = this.view(manifest);
      const body = await cachedBody(Buffer.from(JSON.stringify(shown)), JSON_TYPE);
      return { manifest: shown, body, key } satisfies RunInfo;
    })) as RunInfo;
  }

  /**
   * The manifest of run `id` as readers keep it (compactManifest: no list of millions of feature names). One
   * of at most MANIFEST_INLINE_BYTES is parsed here (a millisecond or two); a larger one (a run written before
   * features.arrow) in the worker thread, so that parsing tens of megabytes never stops the event loop.
   */
  private async readManifest(id: string, version: string): Promise<RunManifest> {
    const bytes = Number(version.split(':')[2]);
    const dir = this.store.path(id);
    if (!(bytes <= MANIFEST_INLINE_BYTES)) {
      const reply = await this.offload({ op: 'manifest', runDir: dir });
      if (reply.ok && 'manifest' in reply) return reply.manifest;
      if (!reply.ok && reply.status !== undefined) throw new HttpError(reply.status, reply.message);
      throw corruptRun(id, 'its manifest.json is not valid JSON');
    }
    try {
      return compactManifest(await readManifest(dir));
    } catch {
      throw corruptRun(id, 'its manifest.json is not valid JSON');
    }
  }

  /**
   * The feature names of complete run `id`, in column order, for answers that list them with a row's values
   * (items, decodes: rows of at most MAX_ANSWER_VALUES values): from the manifest when it lists them, else
   * read in the worker thread (features.arrow) and kept. Only the first MAX_ANSWER_VALUES names of a run that
   * has more are read; such a run's answers list none.
   */
  async featureNames(id: string): Promise<string[]> {
    const { key, manifest } = await this.run(id);
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
    const { manifest } = await this.run(id);
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

  /**
   * A complete run's points.arrow must be there, non-empty, readable as an Arrow table and hold the manifest's
   * rows, and its codes.arrow and data.arrow, when it has them, must not be empty: checked once per version of
   * the run (with its manifest entry), so every endpoint, /events and the run list answer a damaged run alike.
   * A corrupt verdict is remembered for that version too.
   */
  private async checkPoints(id: string, key: string, manifest: RunManifest): Promise<void> {
    const known = this.corrupt.get(key);
    if (known) throw known;
    const verdict = await this.pointsVerdict(id, manifest);
    if (verdict === null) return;
    if (this.corrupt.size >= 1000) this.corrupt.delete(this.corrupt.keys().next().value!);
    this.corrupt.set(key, verdict);
    throw verdict;
  }

  private async pointsVerdict(id: string, manifest: RunManifest): Promise<HttpError | null> {
    const file = this.store.file(id, 'points');
    let st: Stats;
    try {
      st = await stat(file);
    } catch {
      return corruptRun(id, 'its points.arrow is missing');
    }
    if (st.size === 0) return corruptRun(id, 'its points.arrow is empty (0 bytes)');
    // the other tables a run may have: absent is a run without them (404 where asked for), empty is damage
    for (const file of ['codes', 'data'] as const) {
      const bytes = await stat(this.store.file(id, file)).then((st) => st.size, () => null);
      if (bytes === 0) return corruptRun(id, `its ${file}.arrow is empty (0 bytes)`);
    }
    let rows: number;
    try {
      rows = await this.pointsRows(file, st);
    } catch {
      return corruptRun(id, 'its points cannot be read');
    }
    if (rows !== manifest.dataset.rows && !(manifest.base && rows > 0)) {
      return corruptRun(id, `its points hold ${rows} rows, its manifest says ${manifest.dataset.rows}`);
    }
    return null;
  }

  /**
   * The row count of a points file from its Arrow footer and record batch headers (a few hundred bytes,
   * whatever the file's size), kept by the file's path and version (inode, mtime, size). Throws when the
   * file is not a whole Arrow IPC file.
   */
  private async pointsRows(file: string, st: Stats): Promise<number> {
    const key = `${file}\n${fileVersion(st)}`;
    const known = this.rowCounts.get(key);
    if (known !== undefined) return known;
    const structure = await readArrowFileStructure(file);
    if (this.rowCounts.size >= 4096) this.rowCounts.delete(this.rowCounts.keys().next().value!);
    this.rowCounts.set(`${file}\n${structure.version}`, structure.rows);
    return structure.rows;
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
    const { key, manifest } = await this.run(id);
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
    const { key } = await this.run(id);
    const { table } = await this.points(id);
    const bytes = table.data.reduce((s, d) => s + d.byteLength, 0);
    const cacheKey = columns ? `${key}#points.stream:${columns.join(',')}` : `${key}#points.stream`;
    return this.workerBody(id, cacheKey, 'points', bytes * 3, { op: 'points-body', runDir: this.store.path(id), format: 'arrow', ...(columns ? { columns } : {}) }, ARROW_STREAM);
  }

  /** The `?format=json` body: an array of row objects in input order. */
  async pointsJson(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    const { table } = await this.points(id);
    return this.workerBody(id, `${key}#points.json`, 'points', table.numRows * table.numCols * 60, { op: 'points-body', runDir: this.store.path(id), format: 'json' }, JSON_TYPE);
  }

  async history(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    return this.artifact(id, 'history', 'history', (b) => b * 4, `${key}#history`, async (dir) => {
      const history = await readHistory(dir);
      // Re-serialized: proven JSON, without the pretty-printing.
      return cachedBody(Buffer.from(JSON.stringify(history)), JSON_TYPE);
    });
  }

  /** The codes, columns ordered by variance (distances unchanged), in shared memory; loaded in the worker thread. */
  async codes(id: string): Promise<MatrixData> {
    const { key } = await this.run(id);
    return this.artifact(id, 'codes', 'codes', (b) => b * 3, `${key}#codes`, async (dir) => {
      const r = replyWith(await this.offload({ op: 'codes', runDir: dir }), 'codes');
      const matrix = { rows: r.rows, cols: r.cols, values: new Float32Array(r.codes, 0, r.rows * r.cols) };
      return { matrix, columns: r.columns, index: r.index, lookup: indexLookup(r.index) } satisfies MatrixData;
    });
  }

  /** Where the stored input values of every row lie in data.arrow: only its layout and index are held. */
  async data(id: string): Promise<DataRows> {
    const { key, manifest } = await this.run(id);
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
    const { key } = await this.run(id);
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
