// What the server keeps in memory per run: encoded bodies (manifest, points, history) and parsed
// arrays (points table, codes, original values), in one LRU bounded by bytes. Runs are immutable;
// the cache key includes the manifest's inode and mtime so a run removed and written again is reloaded.
import { stat } from 'node:fs/promises';
import { tableToIPC, type Table } from 'apache-arrow';
import { readCodes, readData, readPoints } from '../pipeline/runs/artifacts.js';
import type { RunFile } from '../pipeline/runs/layout.js';
import { readHistory, readManifest } from '../pipeline/runs/run-dir.js';
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
  matrix: Matrix;
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

export class RunCache {
  private readonly lru: LruCache<string, Entry>;

  constructor(
    readonly store: RunStore,
    /** Memory budget for cached runs, bytes. Default 512 MiB. */
    maxBytes = 512 * 1024 * 1024,
  ) {
    this.lru = new LruCache<string, Entry>({ maxSize: maxBytes, sizeOf });
  }

  /** The manifest of complete run `id`; 400 for an invalid id, 404 when there is no such complete run. */
  async run(id: string): Promise<RunInfo> {
    runIdParam(id);
    const file = this.store.file(id, 'manifest');
    let version: string;
    try {
      const s = await stat(file);
      version = `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      throw new HttpError(404, `no run ${id}`);
    }
    const key = `${id}@${version}`;
    return (await this.lru.get(`${key}#manifest`, async () => {
      let manifest: RunManifest;
      try {
        manifest = await readManifest(this.store.path(id));
      } catch {
        throw new HttpError(404, `no run ${id}`);
      }
      if (manifest.status !== 'complete') throw new HttpError(404, `run ${id} is not complete`);
      const body = await cachedBody(Buffer.from(JSON.stringify(manifest)), JSON_TYPE);
      return { manifest, body, key } satisfies RunInfo;
    })) as RunInfo;
  }

  /** The run's directory, once `file` is known to be in it (404 naming `what` otherwise). */
  private async dirWith(id: string, file: RunFile, what: string): Promise<string> {
    try {
      await stat(this.store.file(id, file));
    } catch {
      throw new HttpError(404, `run ${id} has no ${what}`);
    }
    return this.store.path(id);
  }

  async points(id: string): Promise<PointsData> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#points`, async () => {
      const table = await readPoints(await this.dirWith(id, 'points', 'points'));
      const idx = table.getChild('index');
      const index = idx ? Int32Array.from(idx.toArray() as ArrayLike<number>) : Int32Array.from({ length: table.numRows }, (_, i) => i);
      return { table, rows: table.numRows, lookup: indexLookup(index) } satisfies PointsData;
    })) as PointsData;
  }

  /** The points file re-encoded as an Arrow IPC stream. */
  async pointsArrow(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#points.stream`, async () => {
      const { table } = await this.points(id);
      return cachedBody(tableToIPC(table, 'stream'), ARROW_STREAM);
    })) as CachedBody;
  }

  /** The `?format=json` body: an array of row objects in input order. */
  async pointsJson(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#points.json`, async () => {
      const { table } = await this.points(id);
      return cachedBody(Buffer.from(pointsJson(table)), JSON_TYPE);
    })) as CachedBody;
  }

  async history(id: string): Promise<CachedBody> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#history`, async () => {
      const history = await readHistory(await this.dirWith(id, 'history', 'history'));
      // Re-serialized: proven JSON, without the pretty-printing.
      return cachedBody(Buffer.from(JSON.stringify(history)), JSON_TYPE);
    })) as CachedBody;
  }

  /** The codes, columns reordered by variance for the neighbour search (distances are unchanged). */
  async codes(id: string): Promise<MatrixData> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#codes`, async () => {
      const { codes, index } = await readCodes(await this.dirWith(id, 'codes', 'codes'));
      // Only distances are needed from the codes: keep them in the order that searches fastest.
      return { matrix: byVariance(codes), index, lookup: indexLookup(index) } satisfies MatrixData;
    })) as MatrixData;
  }

  /** The original (unscaled) values of every row, from the run's data file. */
  async data(id: string): Promise<MatrixData> {
    const { key } = await this.run(id);
    return (await this.lru.get(`${key}#data`, async () => {
      const { values, index } = await readData(await this.dirWith(id, 'data', 'stored input values'));
      return { matrix: values, index, lookup: indexLookup(index) } satisfies MatrixData;
    })) as MatrixData;
  }
}
