// The view transform of a map, apart from the behaviour that changes it (as d3-zoom keeps transform.js
// apart from zoom.js). Data coordinates → CSS pixels in two steps: a base fit that puts the data extent
// inside the canvas (with a margin, y up), then the zoom transform (k, x, y) d3-zoom maintains.
// Pure: no DOM, so it is tested directly.

/** Data coordinates at the center of the canvas and the zoom factor (1: the whole map fits). */
export interface MapView {
  cx: number;
  cy: number;
  k: number;
}

/** d3-zoom's transform: screen = k * base + (x, y). */
export interface ZoomState {
  k: number;
  x: number;
  y: number;
}

/** Data → device pixels as px = x * ax + bx, py = y * ay + by (the rasterizer's form). */
export interface RenderTransform {
  ax: number;
  bx: number;
  ay: number;
  by: number;
}

export interface Extent {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

/** Smallest and largest zoom factor. */
export const MIN_ZOOM = 0.5;
export const MAX_ZOOM = 1000;
/** Margin around the fitted map, CSS px. */
export const FIT_PAD = 28;

/** The base fit: data units → CSS px at zoom 1, centered on (mx, my). */
export interface BaseFit {
  width: number;
  height: number;
  scale: number;
  mx: number;
  my: number;
  /** Room kept around a fitted extent, a fraction of its size on each side (fitExtent's `grow`). */
  grow: number;
}

/**
 * Fits an extent into a width x height canvas with FIT_PAD margins, keeping the aspect ratio. `grow`: room
 * kept around the extent besides, a fraction of its width (height) on each side (the density contours'
 * reach past the outermost points, density.ts contourReach).
 */
export function fitExtent(extent: Extent, width: number, height: number, grow = 0): BaseFit {
  const w = Math.max(1, width - 2 * FIT_PAD);
  const h = Math.max(1, height - 2 * FIT_PAD);
  const ex = (extent.xmax - extent.xmin || 1) * (1 + 2 * grow);
  const ey = (extent.ymax - extent.ymin || 1) * (1 + 2 * grow);
  const scale = Math.min(w / ex, h / ey);
  return { width, height, scale, mx: (extent.xmin + extent.xmax) / 2, my: (extent.ymin + extent.ymax) / 2, grow };
}

/** Data → CSS pixel coordinates. */
export function toScreen(f: BaseFit, t: ZoomState, x: number, y: number): [number, number] {
  return [t.k * (f.width / 2 + (x - f.mx) * f.scale) + t.x, t.k * (f.height / 2 - (y - f.my) * f.scale) + t.y];
}

/** CSS pixel → data coordinates. */
export function toData(f: BaseFit, t: ZoomState, px: number, py: number): [number, number] {
  return [((px - t.x) / t.k - f.width / 2) / f.scale + f.mx, -((py - t.y) / t.k - f.height / 2) / f.scale + f.my];
}

/** The rasterizer's transform at device pixel ratio dpr. */
export function renderTransform(f: BaseFit, t: ZoomState, dpr: number): RenderTransform {
  const s = f.scale;
  return {
    ax: dpr * t.k * s,
    bx: dpr * (t.k * (f.width / 2 - f.mx * s) + t.x),
    ay: -dpr * t.k * s,
    by: dpr * (t.k * (f.height / 2 + f.my * s) + t.y),
  };
}

/** The view (center in data coordinates, zoom) of a zoom state. */
export function viewOf(f: BaseFit, t: ZoomState): MapView {
  const [cx, cy] = toData(f, t, f.width / 2, f.height / 2);
  return { cx, cy, k: t.k };
}

/** The zoom state that puts (cx, cy) at the canvas center at zoom k (clamped to MIN_ZOOM..MAX_ZOOM). */
export function zoomFor(f: BaseFit, view: MapView): ZoomState {
  const k = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, view.k));
  return {
    k,
    x: f.width / 2 - k * (f.width / 2 + (view.cx - f.mx) * f.scale),
    y: f.height / 2 - k * (f.height / 2 - (view.cy - f.my) * f.scale),
  };
}

/** The view that shows a data-space box with a margin, zoom between 1 and 50. */
export function viewOfBox(f: BaseFit, x0: number, y0: number, x1: number, y1: number): MapView {
  const w = Math.max(1e-9, (x1 - x0) * f.scale);
  const h = Math.max(1e-9, (y1 - y0) * f.scale);
  const k = Math.min(50, 0.85 * Math.min((f.width - 2 * FIT_PAD) / w, (f.height - 2 * FIT_PAD) / h));
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, k: Math.max(1, k) };
}

/**
 * The view that frames a data-space extent exactly as the base fit frames the whole map (FIT_PAD margins, zoom
 * at most 50): the extent of the drawn points, when classes are hidden. The map's own extent gives zoom 1.
 */
export function viewOfExtent(f: BaseFit, e: Extent): MapView {
  const w = Math.max(1e-9, (e.xmax - e.xmin) * (1 + 2 * f.grow) * f.scale);
  const h = Math.max(1e-9, (e.ymax - e.ymin) * (1 + 2 * f.grow) * f.scale);
  const k = Math.min((f.width - 2 * FIT_PAD) / w, (f.height - 2 * FIT_PAD) / h);
  return { cx: (e.xmin + e.xmax) / 2, cy: (e.ymin + e.ymax) / 2, k: Math.max(MIN_ZOOM, Math.min(50, k)) };
}

/** The data-space box the canvas shows. */
export function visibleBox(f: BaseFit, t: ZoomState): Extent {
  const [xmin, ymax] = toData(f, t, 0, 0);
  const [xmax, ymin] = toData(f, t, f.width, f.height);
  return { xmin, xmax, ymin, ymax };
}
