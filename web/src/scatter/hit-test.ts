// Hit-testing in data space: a d3 quadtree over point positions for hover and click, and polygon /
// rectangle membership for selections. Pure: no DOM.
import { quadtree, type Quadtree, type QuadtreeLeaf } from 'd3';

export type PointTree = Quadtree<number>;

/** Builds a quadtree of point positions (NaN positions are left out). */
export function buildTree(x: Float32Array, y: Float32Array): PointTree {
  const ids: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) ids.push(i);
  return quadtree<number>()
    .x((i) => x[i])
    .y((i) => y[i])
    .addAll(ids);
}

/**
 * Builds the quadtree in slices of `slice` points between tasks, so indexing a million points never
 * blocks the page for the second or more a single build takes. Stops when `alive()` turns false.
 */
export function buildTreeInSlices(
  x: Float32Array,
  y: Float32Array,
  extent: { xmin: number; xmax: number; ymin: number; ymax: number },
  slice: number,
  alive: () => boolean,
  done: (tree: PointTree) => void,
): void {
  const tree = quadtree<number>()
    .x((i) => x[i])
    .y((i) => y[i])
    .cover(extent.xmin, extent.ymin)
    .cover(extent.xmax, extent.ymax);
  let i = 0;
  const step = () => {
    if (!alive()) return;
    const end = Math.min(x.length, i + slice);
    for (; i < end; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) tree.add(i);
    if (i < x.length) setTimeout(step, 0);
    else done(tree);
  };
  setTimeout(step, 0);
}

/** Visible points inside a data-space box, or null when there are more than `limit`. */
export function pointsInBox(
  tree: PointTree,
  x: Float32Array,
  y: Float32Array,
  box: { xmin: number; xmax: number; ymin: number; ymax: number },
  visible: Uint8Array | null,
  limit: number,
): number[] | null {
  const { xmin: x0, xmax: x1, ymin: y0, ymax: y1 } = box;
  const out: number[] = [];
  let over = false;
  tree.visit((node, nx0, ny0, nx1, ny1) => {
    if (over || nx0 > x1 || nx1 < x0 || ny0 > y1 || ny1 < y0) return true;
    if (!node.length) {
      let leaf: QuadtreeLeaf<number> | undefined = node as QuadtreeLeaf<number>;
      while (leaf) {
        const i = leaf.data;
        if (x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1 && (!visible || visible[i])) {
          out.push(i);
          if (out.length > limit) over = true;
        }
        leaf = leaf.next;
      }
    }
    return false;
  });
  return over ? null : out;
}

/**
 * The visible point nearest to (px, py) within `radius` (data units), or -1.
 * Unlike quadtree.find, hidden points (visible[i] === 0) are skipped.
 */
export function nearestVisible(
  tree: PointTree,
  x: Float32Array,
  y: Float32Array,
  px: number,
  py: number,
  radius: number,
  visible: Uint8Array | null,
): number {
  let best = -1;
  let bestD2 = radius * radius;
  tree.visit((node, x0, y0, x1, y1) => {
    // prune boxes farther than the best distance so far
    const dx = px < x0 ? x0 - px : px > x1 ? px - x1 : 0;
    const dy = py < y0 ? y0 - py : py > y1 ? py - y1 : 0;
    if (dx * dx + dy * dy > bestD2) return true;
    if (!node.length) {
      let leaf: QuadtreeLeaf<number> | undefined = node as QuadtreeLeaf<number>;
      do {
        const i = leaf.data;
        if (!visible || visible[i] !== 0) {
          const ex = x[i] - px;
          const ey = y[i] - py;
          const d2 = ex * ex + ey * ey;
          if (d2 <= bestD2 && (d2 < bestD2 || best < 0 || i < best)) {
            bestD2 = d2;
            best = i;
          }
        }
        leaf = leaf.next;
      } while (leaf);
    }
    return false;
  });
  return best;
}

/** Reference implementation: linear scan (used by tests and as the benchmark baseline). */
export function nearestVisibleScan(
  x: Float32Array,
  y: Float32Array,
  px: number,
  py: number,
  radius: number,
  visible: Uint8Array | null,
): number {
  let best = -1;
  let bestD2 = radius * radius;
  for (let i = 0; i < x.length; i++) {
    if (visible && visible[i] === 0) continue;
    const ex = x[i] - px;
    const ey = y[i] - py;
    const d2 = ex * ex + ey * ey;
    if (d2 < bestD2 || (d2 === bestD2 && best < 0)) {
      bestD2 = d2;
      best = i;
    }
  }
  return best;
}

/** A polygon as flat [x0, y0, x1, y1, ...] in data coordinates. */
export type Polygon = ArrayLike<number>;

/** Even-odd rule point-in-polygon test. */
export function pointInPolygon(poly: Polygon, px: number, py: number): boolean {
  const m = poly.length >> 1;
  let inside = false;
  for (let i = 0, j = m - 1; i < m; j = i++) {
    const xi = poly[2 * i];
    const yi = poly[2 * i + 1];
    const xj = poly[2 * j];
    const yj = poly[2 * j + 1];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Marks (1) the visible points inside the polygon; returns the mask and the count. */
export function selectPolygon(
  x: Float32Array,
  y: Float32Array,
  poly: Polygon,
  visible: Uint8Array | null,
): { mask: Uint8Array; count: number } {
  const mask = new Uint8Array(x.length);
  let count = 0;
  if (poly.length < 6) return { mask, count };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x0 = Math.min(x0, poly[k]);
    x1 = Math.max(x1, poly[k]);
    y0 = Math.min(y0, poly[k + 1]);
    y1 = Math.max(y1, poly[k + 1]);
  }
  for (let i = 0; i < x.length; i++) {
    if (visible && visible[i] === 0) continue;
    const px = x[i];
    const py = y[i];
    if (px < x0 || px > x1 || py < y0 || py > y1) continue;
    if (pointInPolygon(poly, px, py)) {
      mask[i] = 1;
      count++;
    }
  }
  return { mask, count };
}

/** A rectangle (any two opposite corners) as a polygon. */
export function rectPolygon(ax: number, ay: number, bx: number, by: number): number[] {
  const x0 = Math.min(ax, bx);
  const x1 = Math.max(ax, bx);
  const y0 = Math.min(ay, by);
  const y1 = Math.max(ay, by);
  return [x0, y0, x1, y0, x1, y1, x0, y1];
}

/**
 * Simplifies a freehand lasso to at most `maxVertices` vertices by dropping points closer than a
 * growing tolerance (keeps the URL short; membership barely changes).
 */
export function simplifyPolygon(poly: number[], maxVertices = 64): number[] {
  let pts = poly.slice();
  if (pts.length / 2 <= maxVertices) return pts;
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let k = 0; k < pts.length; k += 2) {
    xmin = Math.min(xmin, pts[k]);
    xmax = Math.max(xmax, pts[k]);
    ymin = Math.min(ymin, pts[k + 1]);
    ymax = Math.max(ymax, pts[k + 1]);
  }
  let tol = Math.max(xmax - xmin, ymax - ymin) / 400 || 1e-9;
  while (pts.length / 2 > maxVertices) {
    const out = [pts[0], pts[1]];
    for (let k = 2; k < pts.length; k += 2) {
      const dx = pts[k] - out[out.length - 2];
      const dy = pts[k + 1] - out[out.length - 1];
      if (dx * dx + dy * dy >= tol * tol) out.push(pts[k], pts[k + 1]);
    }
    pts = out;
    tol *= 1.5;
  }
  return pts;
}
