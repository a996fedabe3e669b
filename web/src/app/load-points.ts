// A run's points in two steps, so a big map is on screen before all its columns have arrived: first the
// columns its first picture needs (index, x, y, the label it is colored by, the new-point flags of a
// transform run), then, while that picture is drawn, every other column (reconstruction error,
// preservation, metadata) for color-by, filters, search, tooltips and export. At ten million rows the
// first part is 160 MB of the stream's 280 MB.
import type { RunManifest } from '../../../pipeline/types.js';
import { ApiError, type Api } from '../api.js';
import { decodeAttributes, decodeCoordinates, decodePoints, type DecodedPoints } from '../points.js';

/** Load phases, ms from the request: the first columns received and decoded, and all of them. */
export interface PointsTiming {
  fetchMs: number;
  decodeMs: number;
}

/** The points' columns the first picture needs, by the manifest. */
export function mapColumns(manifest: RunManifest): string[] {
  return ['index', 'x', 'y', ...(manifest.dataset.label ? ['label'] : []), ...(manifest.base ? ['isNew'] : [])];
}

/**
 * Fetches and decodes the first columns; `complete` resolves with every column (the same index, x and y
 * arrays, and the same label column object). A run whose points lack a column the manifest promises
 * (a 400) is read whole in one request.
 */
export async function loadPoints(api: Api, id: string, manifest: RunManifest): Promise<{ first: DecodedPoints; complete: Promise<DecodedPoints>; timing: PointsTiming }> {
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
    return { first: points, complete: Promise.resolve(points), timing: { fetchMs: fetched - started, decodeMs: performance.now() - fetched } };
  }
  const fetched = performance.now();
  const coords = decodeCoordinates(table);
  const first = decodeAttributes(coords, table);
  const timing = { fetchMs: fetched - started, decodeMs: performance.now() - fetched };
  const complete = api.pointsTable(id, { exclude: ['index', 'x', 'y'] }).then((rest) => {
    const points = decodeAttributes(coords, rest);
    // the label the first picture was colored by stays the one object the pane's encoding holds
    if (first.label && points.label) {
      const label = first.label;
      points.columns = points.columns.map((c) => (c === points.label ? label : c));
      points.label = label;
    }
    return points;
  });
  return { first, complete, timing };
}
