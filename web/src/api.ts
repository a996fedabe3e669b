// Typed client of the HTTP API (DESIGN.md). Every call rejects with ApiError carrying the server's
// `{ "error": "..." }` message and status. Reads refused for now (503 or 429 with Retry-After) are asked again
// with backoff, a bounded number of times (retry.ts), and then fail saying so.
import { tableFromIPC, type Table } from 'apache-arrow';
import type { History, ProgressEvent, RunConfig, RunManifest, RunSummary, UploadInfo, UploadReading } from '../../pipeline/types.js';
import type { FormGroup } from '../../server/run-form.js';
import { decodePoints, type DecodedPoints } from './points.js';
import { EventStreams } from './event-stream.js';
import { fetchRetrying, type Retried } from './retry.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** The setting a 400 is about (a run's configuration key), when the server names one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One row's detail (GET /api/runs/:id/items/:index); fields beyond index are whatever the server sends. */
export interface ItemDetail {
  index: number;
  [key: string]: unknown;
}

/** A built-in dataset as GET /api/datasets describes it. */
export interface DatasetChoice {
  name: string;
  description: string;
  rows: number;
  columns: number;
  labels: string | null;
  image: boolean;
  available: boolean;
  reason: string | null;
}

export interface Neighbor {
  index: number;
  distance: number | null;
}

/** Where neighbours are measured: among the codes the map was made from, or among the scaled input rows. */
export type NeighborSpace = 'code' | 'input';

/** What to decode (POST /api/runs/:id/decode): rows by index, a bit set of row indexes, or one code. */
export type DecodeRequest = { rows: number[] } | { mask: string } | { code: number[] };

/** The answer of POST /api/runs/:id/decode: a selection's mean beside its decoded mean code (input units). */
export interface Decoded {
  reducer: 'autoencoder' | 'pca' | 'none';
  /** What decoded the code: the autoencoder's decoder, PCA's inverse transform, or nothing (reducer none). */
  decodedBy: 'decoder' | 'inverse transform' | null;
  /** One sentence saying what the decoded picture is. */
  note: string;
  /** Rows averaged (null when a code was given). */
  count: number | null;
  features: string[];
  code: (number | null)[] | null;
  mean: (number | null)[] | null;
  decoded: (number | null)[] | null;
  image: { width: number; height: number; channels: number } | null;
  /** PNG data URLs for image datasets. */
  meanImage: string | null;
  decodedImage: string | null;
  /** What sets the selection apart (null when a code was decoded): see server/routes/decode.ts. */
  separation: DecodedSeparation | null;
}

/** One column's standardized mean difference (selection minus rest) and both means; null when undefined. */
export interface SeparationFigure {
  name: string;
  d: number | null;
  meanIn: number | null;
  meanOut: number | null;
}

export interface DecodedSeparation {
  /** Input features of largest |d|, largest first. */
  features: SeparationFigure[];
  /** Code units ("unit k") of largest |d|, largest first. */
  units: SeparationFigure[];
  /** Image runs: d of every input value in input order (the heat map); null otherwise. */
  featureD: (number | null)[] | null;
  note: string | null;
}

/**
 * An event of a run started through the API (GET /api/runs/:id/events): a progress report (the shared
 * ProgressEvent of pipeline/types.ts), a log line or a job state; `type` names which.
 */
export type RunEvent = Omit<Partial<ProgressEvent>, 'type' | 'stage'> & {
  type: string;
  /** The progress stage, or a job status on a state event. */
  stage?: string;
  error?: string;
  [key: string]: unknown;
};

export interface ApiOptions {
  /** Base URL of the server (default: same origin). */
  base?: string;
  /** Bearer token for writes (POST/DELETE) when the server requires one. */
  token?: () => string | null;
}

async function errorOf(res: Response, retried?: Retried): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let field: string | undefined;
  try {
    const body = (await res.json()) as { error?: string; field?: unknown };
    if (body && typeof body.error === 'string') message = body.error;
    if (body && typeof body.field === 'string') field = body.field;
  } catch {
    // not JSON
  }
  if (retried && retried.attempts > 1) {
    message = `${message} (still refused after ${retried.attempts} tries over ${Math.round(retried.waitedMs / 1000)} s; try again later)`;
  }
  return new ApiError(message, res.status, field);
}

/** A read: asked again while the server answers 503 or 429 with Retry-After (retry.ts); ApiError past that. */
async function read(url: string, init: RequestInit = {}): Promise<Response> {
  const retried = await fetchRetrying(url, init);
  if (!retried.response.ok) throw await errorOf(retried.response, retried);
  return retried.response;
}

export class Api {
  readonly base: string;
  private readonly token: () => string | null;
  private readonly streams = new EventStreams();

  constructor(options: ApiOptions = {}) {
    this.base = (options.base ?? '').replace(/\/$/, '');
    this.token = options.token ?? (() => null);
  }

  private runUrl(id: string, ...rest: (string | number)[]): string {
    return [`${this.base}/api/runs/${encodeURIComponent(id)}`, ...rest.map((r) => encodeURIComponent(String(r)))].join('/');
  }

  /** GETs (and decodes, which change nothing) are asked again while the server is busy; other writes are not. */
  private async json<T>(url: string, init?: RequestInit): Promise<T> {
    const method = init?.method ?? 'GET';
    const retry = method === 'GET' || url.endsWith('/decode');
    const res = retry ? await read(url, init) : await fetch(url, init);
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }

  health(): Promise<unknown> {
    return this.json(`${this.base}/api/health`);
  }

  /** The built-in datasets runs started from the browser may use. */
  async datasets(): Promise<DatasetChoice[]> {
    const body = await this.json<{ datasets?: DatasetChoice[] }>(`${this.base}/api/datasets`);
    return body.datasets ?? [];
  }

  /** The New-run form's settings: groups of fields with labels, help, defaults and ranges (GET /api/run-options). */
  async runOptions(): Promise<FormGroup[]> {
    const body = await this.json<{ groups?: FormGroup[] }>(`${this.base}/api/run-options`);
    return body.groups ?? [];
  }

  /** Complete runs, newest first. The server may send summaries or full manifests; both are normalized. */
  async runs(): Promise<RunSummary[]> {
    const body = await this.json<unknown>(`${this.base}/api/runs`);
    const list = Array.isArray(body) ? body : ((body as { runs?: unknown[] }).runs ?? []);
    return list.map((r) => toSummary(r as Record<string, unknown>));
  }

  manifest(id: string): Promise<RunManifest> {
    return this.json(this.runUrl(id));
  }

  history(id: string): Promise<History> {
    return this.json(this.runUrl(id, 'history'));
  }

  /** When the last points stream arrived (performance.now()), how long decoding took, and its size. */
  lastPointsTiming: { fetchedAt: number; decodeMs: number; bytes: number } | null = null;

  /** The run's points, read from the Arrow IPC stream. */
  async points(id: string, signal?: AbortSignal): Promise<DecodedPoints> {
    const table = await this.pointsTable(id, {}, signal);
    const fetched = performance.now();
    const points = decodePoints(table);
    this.lastPointsTiming = { fetchedAt: fetched, decodeMs: performance.now() - fetched, bytes: this.lastPointsBytes };
    return points;
  }

  private lastPointsBytes = 0;

  /**
   * The run's points as an Arrow table: every column, only `columns` (in that order), or all but
   * `exclude` (GET /api/runs/:id/points?columns=... / ?exclude=...). Rejects with the server's 400 for a
   * column the points lack.
   */
  async pointsTable(id: string, select: { columns?: string[]; exclude?: string[] }, signal?: AbortSignal): Promise<Table> {
    const query = select.columns ? `?columns=${encodeURIComponent(select.columns.join(','))}` : select.exclude ? `?exclude=${encodeURIComponent(select.exclude.join(','))}` : '';
    const res = await read(this.runUrl(id, 'points') + query, { signal: signal ?? null, headers: { accept: 'application/vnd.apache.arrow.stream' } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.lastPointsBytes = bytes.byteLength;
    return tableFromIPC(bytes);
  }

  /**
   * Some of a run's points (GET /api/runs/:id/points/overview or /region, app/overview.ts): an Arrow table
   * like pointsTable's, whose schema metadata gives the rows it stands for (the true count).
   */
  async pointsSubset(id: string, kind: 'overview' | 'region', query: Record<string, number>, signal?: AbortSignal): Promise<Table> {
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const res = await read(`${this.runUrl(id, 'points', kind)}?${q.toString()}`, { signal: signal ?? null, headers: { accept: 'application/vnd.apache.arrow.stream' } });
    return tableFromIPC(new Uint8Array(await res.arrayBuffer()));
  }

  /**
   * One input feature of every row, aligned with `index` (the points' input row of each position);
   * rows the server lacks are NaN.
   */
  async feature(id: string, name: string, index: Int32Array): Promise<Float64Array> {
    const res = await read(this.runUrl(id, 'features', name), { headers: { accept: 'application/vnd.apache.arrow.stream' } });
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    const rows = table.getChild('index')!.toArray() as Int32Array;
    const vals = table.getChild('value')!.toArray() as Float32Array;
    const byRow = new Map<number, number>();
    for (let k = 0; k < rows.length; k++) byRow.set(rows[k], vals[k]);
    const out = new Float64Array(index.length);
    for (let i = 0; i < index.length; i++) out[i] = byRow.get(index[i]) ?? NaN;
    return out;
  }

  item(id: string, index: number, signal?: AbortSignal): Promise<ItemDetail> {
    return this.json(this.runUrl(id, 'items', index), { signal });
  }

  imageUrl(id: string, index: number): string {
    return this.runUrl(id, 'items', index, 'image.png');
  }

  reconstructionUrl(id: string, index: number): string {
    return this.runUrl(id, 'items', index, 'reconstruction.png');
  }

  /** Nearest neighbours in code space, or in input space (the row itself excluded). */
  async neighbors(id: string, index: number, k = 10, space: NeighborSpace = 'code', signal?: AbortSignal): Promise<Neighbor[]> {
    const body = await this.json<unknown>(`${this.runUrl(id, 'neighbors', index)}?k=${k}${space === 'code' ? '' : `&space=${space}`}`, { signal });
    return normalizeNeighbors(body, index);
  }

  /** The mean of the selected rows beside the run's model's decoding of their mean code. */
  decode(id: string, what: DecodeRequest, signal?: AbortSignal): Promise<Decoded> {
    return this.json(this.runUrl(id, 'decode'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(what), signal });
  }

  /** Starts a run; resolves to its id. */
  async startRun(config: Partial<RunConfig>): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const body = await this.json<{ id: string }>(`${this.base}/api/runs`, { method: 'POST', headers, body: JSON.stringify(config) });
    return body.id;
  }

  async cancelRun(id: string): Promise<void> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.runUrl(id), { method: 'DELETE', headers });
    if (!res.ok) throw await errorOf(res);
  }

  /**
   * Ends a running job's t-SNE now; the run is written with the layout reached (POST /api/runs/:id/finish).
   * Resolves to null when t-SNE is ending, or to the server's message when it had already ended (the map is
   * complete and the run is finishing its metrics: nothing to stop). Rejects with the server's reason otherwise.
   */
  async finishRun(id: string): Promise<string | null> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.runUrl(id, 'finish'), { method: 'POST', headers });
    if (!res.ok) throw await errorOf(res);
    const body = (await res.json().catch(() => ({}))) as { status?: string; message?: string };
    return body.status === 'complete' ? (body.message ?? 'The map is already complete; the run is finishing its metrics.') : null;
  }

  /**
   * Uploads a file for runs (POST /api/uploads, the file as the body, its name in the query; needs the
   * token when the server has one). Resolves to its description once the server has checked it with the
   * pipeline's loaders; a run then names it with `startRun({ upload: info.id, ... })`. Rejects with the
   * server's message for a file it cannot read (400), one over its size limit (413) or an unknown format.
   * `reading`: how a CSV/TSV is read (header auto|yes|no, encoding such as latin1; default guessed and
   * detected); runs naming the upload read it so.
   */
  async upload(file: Blob, name = (file as { name?: string }).name ?? 'data.csv', reading: Partial<UploadReading> = {}): Promise<UploadInfo> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const query = new URLSearchParams({ name });
    if (reading.header !== undefined) query.set('header', reading.header);
    if (reading.encoding) query.set('encoding', reading.encoding);
    return this.json<UploadInfo>(`${this.base}/api/uploads?${query}`, { method: 'POST', headers, body: file });
  }

  /** The files uploaded for runs, newest first. */
  uploads(): Promise<UploadInfo[]> {
    return this.json(`${this.base}/api/uploads`);
  }

  /** Deletes an upload (409 while a queued or running job reads it). */
  async deleteUpload(id: string): Promise<void> {
    const headers: Record<string, string> = {};
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.base}/api/uploads/${encodeURIComponent(id)}`, { method: 'DELETE', headers });
    if (!res.ok) throw await errorOf(res);
  }

  /**
   * Subscribes to a run's progress events; returns the close function. Every subscriber of one job in this page
   * shares one event stream (event-stream.ts).
   */
  events(id: string, onEvent: (e: RunEvent) => void, onError?: (message: string) => void): () => void {
    return this.streams.subscribe(this.runUrl(id, 'events'), onEvent, onError);
  }
}

function toSummary(r: Record<string, unknown>): RunSummary {
  const dataset = r.dataset as unknown;
  const config = (r.config ?? {}) as Partial<RunConfig>;
  return {
    id: String(r.id),
    name: String(r.name ?? r.id),
    createdAt: String(r.createdAt ?? ''),
    dataset: typeof dataset === 'string' ? dataset : String((dataset as { name?: string } | undefined)?.name ?? ''),
    rows: Number(r.rows ?? (dataset as { rows?: number } | undefined)?.rows ?? 0),
    reducer: (r.reducer ?? config.reducer ?? 'autoencoder') as RunSummary['reducer'],
    variant: (r.variant ?? config.variant ?? 'plain') as RunSummary['variant'],
    base: (r.base as string | null | undefined) ?? null,
  };
}

/** Accepts `[{index, distance}]`, `{neighbors: [...]}`, or parallel `{indices, distances}` arrays. */
export function normalizeNeighbors(body: unknown, self: number): Neighbor[] {
  let list: Neighbor[] = [];
  const b = body as Record<string, unknown>;
  const arr = Array.isArray(body) ? body : Array.isArray(b?.neighbors) ? (b.neighbors as unknown[]) : null;
  if (arr) {
    list = arr.map((e) =>
      typeof e === 'number'
        ? { index: e, distance: null }
        : { index: Number((e as Neighbor).index), distance: (e as Neighbor).distance ?? null },
    );
  } else if (Array.isArray(b?.indices)) {
    const d = Array.isArray(b.distances) ? (b.distances as number[]) : [];
    list = (b.indices as number[]).map((index, k) => ({ index, distance: d[k] ?? null }));
  }
  return list.filter((e) => Number.isInteger(e.index) && e.index !== self);
}
