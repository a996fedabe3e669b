// The viewer's clusters worker: finds a map's clusters off the page's main thread, so the map stays
// interactive while they are found (hundreds of milliseconds at a million points). Bundled by
// scripts/build-web.js into web/dist/clusters-worker.js (a classic worker script) and started by
// app/cluster-finder.ts; the messages are workers/clusters-protocol.ts's.
import { answerClusterRequest, type ClusterRequest } from './clusters-protocol.js';

const scope = self as unknown as { onmessage: ((e: MessageEvent<ClusterRequest>) => void) | null; postMessage(message: unknown, transfer: ArrayBuffer[]): void };

scope.onmessage = (e) => {
  const { message, transfer } = answerClusterRequest(e.data);
  scope.postMessage(message, transfer);
};
