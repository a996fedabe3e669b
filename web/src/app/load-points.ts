// A run's points in two steps, so a big map is on screen before all its columns have arrived: first the
// columns its first picture needs (x, y, the label it is colored by, the new-point flags of a transform
// run), then, once that picture is drawn, every other column (the input row index, reconstruction error,
// preservation, metadata) for hover, color-by, filters, search, tooltips and export. At ten million rows
// the first part is 120 MB of the stream's 280 MB. The second request waits for the first picture (or
// REST_WAIT_MS), so its transfer and decoding do not compete with drawing it on a 2-core machine.
import type { RunManifest } from '../../../pipeline/types.js';
import { ApiError, type Api } from '../api.js';
import { decodeAttributes, decodeCoordinates, decodePoints, readIndex, type DecodedPoints } from '../points.js';

/** Longest wait for the first picture before the other columns are requested anyway, ms. */
export const REST_WAIT_MS = 5000;

/** Load phases, ms from the request: the first columns received and decoded, and all of them. */
export interface PointsTiming {
  fetchMs: number;
  decodeMs: number;
}

/** The points' columns the first picture needs, by the manifest. */
export function mapColumns(manifest: RunManifest): string[] {
  return ['x', 'y', ...(manifest.dataset.label ? ['label'] : []), ...(manifest.base ? ['isNew'] : [])];
}

/**
 * Fetches and decodes the first columns; `complete(after)` requests the others once `after` settles (or
 * REST_WAIT_MS has passed) and resolves with every column: the same index, x and y arrays, and the same
 * label column object. Until then `first.index` is input order; the run's index is copied into that same
 * array when it arrives. A run whose points lack a column the manifest promises (a 400) is read whole in
 * one request.
 */
export async function loadPoints(
  api: Api,
  id: string,
  manifest: RunManifest,
): Promise<{ first: DecodedPoints; complete: (after?: Promise<unknown>) => Promise<DecodedPoints>; timing: PointsTiming }> {
  const started = performance.now();
  const columns = mapColumns(manifest);
  let table;
  try {
    table = await api.pointsTable(id, { columns });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 400)) throw err;
    const whole = await api.pointsTable(id, {});
    const fetched = performance.now();
    const points = decodePoints(whole);
    return { first: points, complete: () => Promise.resolve(points), timing: { fetchMs: fetched - started, decodeMs: performance.now() - fetched } };
  }
  const fetched = performance.now();
  const coords = decodeCoordinates(table);
  const first = decodeAttributes(coords, table);
  const timing = { fetchMs: fetched - started, decodeMs: performance.now() - fetched };
  const complete = async (after: Promise<unknown> = Promise.resolve()): Promise<DecodedPoints> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([after.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, REST_WAIT_MS)))]);
    clearTimeout(timer);
    const rest = await api.pointsTable(id, { exclude: ['x', 'y'] });
    readIndex(rest, coords.index);
    const points = decodeAttributes(coords, rest);
    // the label the first picture was colored by stays the one object the pane's encoding holds
    if (first.label && points.label) {
      const label = first.label;
      points.columns = points.columns.map((c) => (c === points.label ? label : c));
      points.label = label;
    }
    return points;
  };
  return { first, complete, timing };
}
