// Finds a map's clusters in a Web Worker (workers/clusters-worker.ts, built to clusters-worker.js beside the
// viewer's main.js), so the page's main thread keeps drawing, panning and hit-testing meanwhile: at a million
// points the grid and the modes take about half a second. One request at a time: a new one cancels the one
// running (the worker is stopped and a fresh one started), as does cancel() (the map looked at changed).
// Where no worker can run (no Worker, its script not served, blocked), the clusters are found on the page,
// with the same function (scatter/map-clusters.ts) and so the same result.
import type { MapClusters } from '../scatter/map-clusters.js';
import { answerClusterRequest, clusterRequest, type ClusterAnswer, type ClusterRequest } from '../workers/clusters-protocol.js';

/** What the finder needs of a worker (a DOM Worker; tests hand in their own). */
export interface ClusterWorker {
  postMessage(message: ClusterRequest, transfer: ArrayBuffer[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent<ClusterAnswer>) => void) | null;
  onerror: ((e: Event) => void) | null;
}

/** The viewer's worker script, beside the bundle that imports this module (web/dist/clusters-worker.js). */
export function startClusterWorker(): ClusterWorker {
  return new Worker(new URL('./clusters-worker.js', import.meta.url)) as unknown as ClusterWorker;
}

type Extent = ClusterRequest['extent'];

interface Pending {
  id: number;
  x: Float32Array;
  y: Float32Array;
  extent: Extent;
  resolve: (found: MapClusters | null) => void;
  reject: (err: Error) => void;
}

export class ClusterFinder {
  private worker: ClusterWorker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  /** The worker could not be started or died: found on the page from then on. */
  private onPage: boolean;

  /** `start`: makes a worker (default: the viewer's script; null: always on the page). */
  constructor(private readonly start: (() => ClusterWorker) | null = typeof Worker === 'function' ? startClusterWorker : null) {
    this.onPage = start === null;
  }

  /** Whether a request is being answered. */
  get busy(): boolean {
    return this.pending !== null;
  }

  /** Whether the clusters are found on the page (no worker). */
  get inPage(): boolean {
    return this.onPage;
  }

  /**
   * The clusters of the map (x, y: its coordinates, n each; extent: its fitted extent), as clusterMap finds
   * them; null when cancelled (a newer request or cancel()). Rejects when finding them failed. The arrays are
   * copied: the caller keeps and may read its own meanwhile.
   */
  find(x: Float32Array, y: Float32Array, extent: Extent): Promise<MapClusters | null> {
    this.cancel();
    return new Promise<MapClusters | null>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, x, y, extent, resolve, reject };
      this.pending = p;
      if (this.onPage) this.answerOnPage(p);
      else this.send(p);
    });
  }

  /** Drops the request being answered (its promise resolves null) and stops its work. */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    // a worker's computation cannot be interrupted: the worker goes, a fresh one answers the next request
    this.worker?.terminate();
    this.worker = null;
    p.resolve(null);
  }

  private send(p: Pending): void {
    let worker: ClusterWorker;
    try {
      worker = this.worker ??= this.makeWorker();
    } catch {
      this.onPage = true;
      this.answerOnPage(p);
      return;
    }
    const { message, transfer } = clusterRequest(p.id, p.x, p.y, p.extent);
    worker.postMessage(message, transfer);
  }

  private makeWorker(): ClusterWorker {
    const worker = this.start!();
    worker.onmessage = (e) => {
      const p = this.pending;
      if (!p || e.data.id !== p.id) return;
      this.pending = null;
      if ('error' in e.data) p.reject(new Error(e.data.error));
      else p.resolve(e.data.clusters);
    };
    // the script could not be loaded or run: this and later requests are answered on the page
    worker.onerror = (e) => {
      e.preventDefault?.();
      worker.terminate();
      if (this.worker === worker) this.worker = null;
      this.onPage = true;
      const p = this.pending;
      if (p) this.answerOnPage(p);
    };
    return worker;
  }

  /** Answers on the page, in a task of its own (the caller shows that the clusters are being found first). */
  private answerOnPage(p: Pending): void {
    setTimeout(() => {
      if (this.pending !== p) return;
      this.pending = null;
      const { message } = answerClusterRequest({ id: p.id, x: p.x, y: p.y, extent: p.extent });
      if ('error' in message) p.reject(new Error(message.error));
      else p.resolve(message.clusters);
    }, 0);
  }
}
