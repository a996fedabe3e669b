// The clusters found off the main thread (app/cluster-finder.ts, workers/clusters-protocol.ts) are exactly those
// found on it: the request and the answer go through structured cloning with their buffers transferred, as
// postMessage sends them, and the labels made from the answer equal those made from the direct functions.
import { describe, expect, it } from 'vitest';
import { islandMap } from '../../bench/island-maps.js';
import { ClusterFinder, type ClusterWorker } from '../../web/src/app/cluster-finder.js';
import { labelClusters } from '../../web/src/app/clusters.js';
import { categoryColumn, fitExtent, type DecodedPoints } from '../../web/src/points.js';
import { clusterResolution, densityGrid } from '../../web/src/scatter/density.js';
import { clusterMap, type MapClusters } from '../../web/src/scatter/map-clusters.js';
import { findClusters } from '../../web/src/scatter/mode-clusters.js';
import { answerClusterRequest, clusterRequest, type ClusterAnswer, type ClusterRequest } from '../../web/src/workers/clusters-protocol.js';

const { x, y, truth } = islandMap(30_000, { gap: 3, seed: 4 });
const extent = fitExtent(x, y);
const label = categoryColumn('label', Array.from(truth, (t) => `digit ${t}`));
const points = { n: x.length, index: Int32Array.from(x, (_, i) => i), x, y, error: null, isNew: null, label, columns: [label], extent, raw: [] } as DecodedPoints;

/** The clusters and labels as the page found them before the worker: its grid, then findClusters, then labelClusters. */
function direct() {
  const { side, blur } = clusterResolution(x.length);
  const found = findClusters(densityGrid(x, y, extent, side, blur), x, y);
  return { found, labelled: labelClusters(points, found.assignment, found.clusters) };
}

function expectSame(got: MapClusters) {
  const { found, labelled } = direct();
  expect(got.clusters.length).toBeGreaterThanOrEqual(9);
  expect(Array.from(got.assignment)).toEqual(Array.from(found.assignment));
  expect(got.clusters.map((c) => [c.size, c.peak, Array.from(c.region)])).toEqual(found.clusters.map((c) => [c.size, c.peak, Array.from(c.region)]));
  expect(got.reason).toBe(found.reason);
  const mine = labelClusters(points, got.assignment, got.clusters);
  expect(mine.labels.map((l) => [l.id, l.size, l.text, l.reason])).toEqual(labelled.labels.map((l) => [l.id, l.size, l.text, l.reason]));
  expect(Array.from(mine.column.codes)).toEqual(Array.from(labelled.column.codes));
  expect(mine.column.categories).toEqual(labelled.column.categories);
}

/** A worker in this thread: each message answered in a later task, cloned and transferred as postMessage does. */
class ThreadWorker implements ClusterWorker {
  onmessage: ((e: MessageEvent<ClusterAnswer>) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  terminated = false;
  received = 0;
  constructor(private readonly fail = false) {}
  postMessage(message: ClusterRequest, transfer: ArrayBuffer[]): void {
    const req = structuredClone(message, { transfer });
    this.received++;
    setTimeout(() => {
      if (this.terminated) return;
      if (this.fail) {
        this.onerror?.(new Event('error'));
        return;
      }
      const { message: answer, transfer: back } = answerClusterRequest(req);
      this.onmessage?.({ data: structuredClone(answer, { transfer: back }) } as MessageEvent<ClusterAnswer>);
    }, 5);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('clusters found in a worker', () => {
  it('finds through the messages, cloned and transferred, exactly the clusters and labels of the direct functions', () => {
    const { message, transfer } = clusterRequest(7, x, y, extent);
    const req = structuredClone(message, { transfer });
    // the page's own coordinates stay whole: copies were sent
    expect(message.x.byteLength).toBe(0);
    expect(x.length).toBe(30_000);
    expect(Array.from(req.x.subarray(0, 5))).toEqual(Array.from(x.subarray(0, 5)));
    const { message: answer, transfer: back } = answerClusterRequest(req);
    expect(back.length).toBe(1 + ('clusters' in answer ? answer.clusters.clusters.length : 0));
    const received = structuredClone(answer, { transfer: back });
    expect(received.id).toBe(7);
    if (!('clusters' in received)) throw new Error(`the worker failed: ${received.error}`);
    expectSame(received.clusters);
    expect(received.clusters).toMatchObject({ side: clusterResolution(x.length).side, blur: clusterResolution(x.length).blur });
    expect(clusterMap(x, y, extent).cellW).toBeCloseTo(received.clusters.cellW, 12);
  });

  it('answers through a worker, a newer request cancelling the one running (its worker stopped)', async () => {
    const made: ThreadWorker[] = [];
    const finder = new ClusterFinder(() => {
      const w = new ThreadWorker();
      made.push(w);
      return w;
    });
    const first = finder.find(x, y, extent);
    expect(finder.busy).toBe(true);
    const second = finder.find(x, y, extent);
    expect(await first).toBeNull();
    expect(made[0].terminated).toBe(true);
    const found = await second;
    expect(found).not.toBeNull();
    expectSame(found!);
    expect(made).toHaveLength(2);
    expect(finder.busy).toBe(false);
    // cancelled without a newer request: null, and the worker stopped
    const third = finder.find(x, y, extent);
    finder.cancel();
    expect(await third).toBeNull();
    expect(made[1].terminated).toBe(true);
    expect(finder.inPage).toBe(false);
  });

  it('finds them on the page, the same, when no worker can run', async () => {
    const broken = new ClusterFinder(() => new ThreadWorker(true));
    expectSame((await broken.find(x, y, extent))!);
    expect(broken.inPage).toBe(true);
    const none = new ClusterFinder(null);
    expectSame((await none.find(x, y, extent))!);
  });
});
