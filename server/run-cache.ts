// What the server keeps in memory per run: encoded bodies (manifest, points, history) and parsed
// arrays (points table, codes, original values), in one LRU bounded by bytes. Runs are immutable;
// the cache key includes the manifest's inode and mtime so a run removed and written again is reloaded.
// Each load reserves its peak size (a multiple of the file's size) before reading, so concurrent cold
// loads of big runs stay within the budget. A run whose files cannot be read as what they should be is
// reported as corrupt (500, the same message on every endpoint).
import { stat } from 'node:fs/promises';
import { tableToIPC, type Table } from 'apache-arrow';
import { readCodes, readData, readPoints } from '../pipeline/runs/artifacts.js';
import type { RunFile } from '../pipeline/runs/layout.js';
import { manifestVersion, readHistory, readManifest } from '../pipeline/runs/run-dir.js';
import type { RunStore } from '../pipeline/runs/store.js';
import type { Matrix, RunManifest } from '../pipeline/types.js';
import { cachedBody, sizeOfBody, type CachedBody } from './cached-body.js';
import { HttpError } from './http-error.js';
import { LruCache } from './lru.js';
import { byVariance } from './nearest.js';
import { runIdParam } from './params.js';
import { pointsJson } from './points-json.js';

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
  /** Values in a SharedArrayBuffer, so the worker thread searches and averages them without a copy. */
  matrix: Matrix;
  /** Codes: the original column of each stored column (they are reordered by variance); absent: in order. */
  columns?: Int32Array;
  index: Int32Array;
  lookup: IndexLookup;
}

export interface RunInfo {
  manifest: RunManifest;
  body: CachedBody;
  /** Cache key prefix for this version of the run. */
  key: string;
}

type Entry = CachedBody | PointsData | MatrixData | RunInfo;

function sizeOf(e: Entry): number {
  if ('identity' in e) return sizeOfBody(e);
  if ('table' in e) return e.table.data.reduce((s, d) => s + d.byteLength, 0) + 64;
  if ('matrix' in e) return e.matrix.values.byteLength + e.index.byteLength + 64;
  return sizeOfBody(e.body) * 2 + 256;
}

/** The error every endpoint answers for a run whose files are damaged. */
export function corruptRun(id: string, what: string): HttpError {
  return new HttpError(500, `run ${id} is corrupt: ${what}; remove it (latentmap prune) or write it again`);
}

export class RunCache {
  private readonly lru: LruCache<string, Entry>;

  constructor(
    readonly store: RunStore,
    /** Memory budget for cached runs, bytes. Default 512 MiB. */
    maxBytes = 512 * 1024 * 1024,
    /** The manifest as clients see it (server paths removed). Default: as written. */
    private readonly view: (m: RunManifest) => RunManifest = (m) => m,
  ) {
    this.lru = new LruCache<string, Entry>({ maxSize: maxBytes, sizeOf });
  }

  /** Bytes held and reserved (for tests and the benchmark). */
  get usage(): { cached: number; reserved: number } {
    return { cached: this.lru.size, reserved: this.lru.reservedSize };
  }

  /** The manifest of complete run `id`; 400 for an invalid id, 404 when there is no such complete run. */
  async run(id: string): Promise<RunInfo> {
    runIdParam(id);
    const version = await manifestVersion(this.store.path(id));
    if (version === null) throw new HttpError(404, `no run ${id}`);
    const key = `${id}@${version}`;
    return (await this.lru.get(`${key}#manifest`, async () => {
      let manifest: RunManifest;
      try {
        manifest = await readManifest(this.store.path(id));
      } catch {
        throw corruptRun(id, 'its manifest.json is not valid JSON');
      }
      if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest) || typeof manifest.dataset !== 'object' || manifest.dataset === null) {
        throw corruptRun(id, 'its manifest.json is not a run manifest');
      }
      if (manifest.status !== 'complete') throw new HttpError(404, `run ${id} is not complete`);
      const shown = this.view(manifest);
      const body = await cachedBody(Buffer.from(JSON.stringify(shown)), JSON_TYPE);
      return { manifest: shown, body, key } satisfies RunInfo;
    })) as RunInfo;
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
   * Loads an artifact with `read` (given the run's directory), reserving `factor` times its file size first;
   * anything but an HttpError means the file is damaged.
   */
  private async artifact<T>(id: string, file: RunFile, what: string, factor: number, cacheKey: string, read: (dir: string) => Promise<T>): Promise<T> {
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
      f.bytes * factor + 4096,
    )) as unknown as T;
  }

  async points(id: string): Promise<PointsData> {
    const { key } = await this.run(id);
    const { manifest } = await this.run(id);
    return this.artifact(id, 'points', 'points', 3, `${key}#points`, async (dir) => {
      const table = await readPoints(dir);
      if (table.numRows !== manifest.dataset.rows && !(manifest.base && table.numRows > 0)) {
        throw corruptRun(id, `its points hold ${table.numRows} rows, its manifest says ${manifest.dataset.rows}`);
      }
      const idx = table.getChild('index');
      const index = idx ? Int32Array.from(idx.toArray() as ArrayLike<number>) : Int32Array.from({ length: table.numRows }, (_, i) => i);
      return { table, rows: table.numRows, lookup: indexLookup(index) } satisfies PointsData;
    });
  }

  /** The points file re-encoded as an Arrow IPC stream. */
  async pointsArrow(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    const { table } = await this.points(id);
    const bytes = table.data.reduce((s, d) => s + d.byteLength, 0);
    return (await this.lru.get(`${key}#points.stream`, async () => cachedBody(tableToIPC(table, 'stream'), ARROW_STREAM), bytes * 3)) as CachedBody;
  }

  /** The `?format=json` body: an array of row objects in input order. */
  async pointsJson(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    const { table } = await this.points(id);
    const rows = table.numRows * table.numCols;
    return (await this.lru.get(`${key}#points.json`, async () => cachedBody(Buffer.from(pointsJson(table)), JSON_TYPE), rows * 60)) as CachedBody;
  }

  async history(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    return this.artifact(id, 'history', 'history', 4, `${key}#history`, async (dir) => {
      const history = await readHistory(dir);
      // Re-serialized: proven JSON, without the pretty-printing.
      return cachedBody(Buffer.from(JSON.stringify(history)), JSON_TYPE);
    });
  }

  /** The codes, columns reordered by variance for the neighbour search (distances are unchanged). */
  async codes(id: string): Promise<MatrixData> {
    const { key } = await this.run(id);
    return this.artifact(id, 'codes', 'codes', 4, `${key}#codes`, async (dir) => {
      const { codes, index } = await readCodes(dir);
      // Only distances are needed from the codes: keep them in the order that searches fastest, in shared
      // memory for the worker thread.
      const ordered = byVariance(codes);
      const shared = new Float32Array(new SharedArrayBuffer(ordered.values.byteLength));
      shared.set(ordered.values);
      return { matrix: { rows: ordered.rows, cols: ordered.cols, values: shared }, columns: ordered.order, index, lookup: indexLookup(index) } satisfies MatrixData;
    });
  }

  /** The original (unscaled) values of every row, from the run's data file. */
  async data(id: string): Promise<MatrixData> {
    const { key } = await this.run(id);
    return this.artifact(id, 'data', 'stored input values', 2, `${key}#data`, async (dir) => {
      const { values, index } = await readData(dir);
      // in shared memory for the worker thread (input-space neighbours, selection means)
      const shared = new Float32Array(new SharedArrayBuffer(values.values.byteLength));
      shared.set(values.values);
      return { matrix: { rows: values.rows, cols: values.cols, values: shared }, index, lookup: indexLookup(index) } satisfies MatrixData;
    });
  }
}
