// The messages between the page and the clusters worker (workers/clusters-worker.ts, driven by
// app/cluster-finder.ts), and the worker's answer as a pure function, so a test can send a request through
// structured cloning exactly as postMessage does and compare the answer with clusterMap's. The coordinates
// go over as copies whose buffers are transferred (the page keeps its own arrays, which its renderer and
// hit-tester read while the worker works); the answer's typed arrays come back transferred. Pure: no DOM.
import { clusterMap, type MapClusters } from '../scatter/map-clusters.js';

/** Page → worker: find the clusters of one map. */
export interface ClusterRequest {
  /** Echoed in the answer: the page drops answers to requests it has given up. */
  id: number;
  /** The map's coordinates (copies, n each). */
  x: Float32Array;
  y: Float32Array;
  /** The map's fitted extent (PointData.extent). */
  extent: { xmin: number; xmax: number; ymin: number; ymax: number };
}

/** Worker → page: the clusters of request `id`, or why they could not be found. */
export type ClusterAnswer = { id: number; clusters: MapClusters } | { id: number; error: string };

/** A message and the buffers to transfer with it (postMessage(message, transfer)). */
export interface Transferable<T> {
  message: T;
  transfer: ArrayBuffer[];
}

/** The request for a map's clusters: copies of x and y, their buffers to transfer. */
export function clusterRequest(id: number, x: Float32Array, y: Float32Array, extent: ClusterRequest['extent']): Transferable<ClusterRequest> {
  const xs = x.slice();
  const ys = y.slice();
  return { message: { id, x: xs, y: ys, extent: { xmin: extent.xmin, xmax: extent.xmax, ymin: extent.ymin, ymax: extent.ymax } }, transfer: [xs.buffer, ys.buffer] };
}

/** The worker's answer to a request: clusterMap's result with its arrays to transfer, or the error's message. */
export function answerClusterRequest(req: ClusterRequest): Transferable<ClusterAnswer> {
  try {
    const clusters = clusterMap(req.x, req.y, req.extent);
    const transfer = [clusters.assignment.buffer as ArrayBuffer, ...clusters.clusters.map((c) => c.region.buffer as ArrayBuffer)];
    return { message: { id: req.id, clusters }, transfer };
  } catch (err) {
    return { message: { id: req.id, error: err instanceof Error ? err.message : String(err) }, transfer: [] };
  }
}
