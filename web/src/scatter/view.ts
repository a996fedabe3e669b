// ScatterView: one interactive map. The points are rasterized into an ImageData buffer (render.ts) on a
// device-pixel-ratio-aware canvas (points-canvas.ts); a second canvas on top carries the overlay
// (overlay.ts). The view transform is pure math (transform.ts); interaction.ts turns pointer, wheel and
// keys into transform changes, hovers, clicks and selection shapes; the grid index (grid-index.ts)
// answers hover and click and gives the draw order. While the map moves, frames draw a density-aware
// level of detail (lod.ts) within a time budget; once it rests, the exact complete picture is drawn, in
// chunks between tasks when it holds millions of points.
import { drawnExtent, type PointData } from '../points.js';
import { nearestInGrid, pointsInGridBox } from './grid-index.js';
import { MapInteraction, type InteractionHost, type InteractionMode } from './interaction.js';
import { drawOverlay, THUMBNAIL_LIMIT, type OverlayState } from './overlay.js';
import { OverlayMarks } from './marks.js';
import { PointsCanvas } from './points-canvas.js';
import type { FrameGeometry } from './points-layer.js';
import { pointStyle } from './render.js';
import { contourReach } from './density.js';
import * as T from './transform.js';

export type { InteractionMode } from './interaction.js';
export type { MapView } from './transform.js';
export { THUMBNAIL_LIMIT } from './overlay.js';

export interface ScatterCallbacks {
  /** Hovered point position (-1: none) and the pointer's position in the view's client coordinates. */
  onHover?: (i: number, clientX: number, clientY: number) => void;
  onClick?: (i: number) => void;
  /** A click on a map label that carries an id (a cluster's number). */
  onLabel?: (id: number) => void;
  /** A finished selection shape (data coordinates). */
  onSelect?: (kind: 'rect' | 'lasso', polygon: number[]) => void;
  onViewChange?: (view: T.MapView) => void;
  /**
   * For image datasets: the image of point i once loaded (null: not yet; the provider calls
   * ScatterView.refresh() when it arrives). When at most THUMBNAIL_LIMIT points are in view, they are
   * drawn as images instead of dots.
   */
  thumbnail?: (i: number) => CanvasImageSource | null;
}

export class ScatterView implements InteractionHost {
  readonly root: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  private octx: CanvasRenderingContext2D;
  private interaction: MapInteraction;
  private pointsCanvas: PointsCanvas;
  private points: PointData | null = null;
  private colors: Uint32Array = new Uint32Array(0);
  private visible: Uint8Array | null = null;
  private dpr = 1;
  private fit: T.BaseFit = { width: 0, height: 0, scale: 1, mx: 0, my: 0, grow: 0 };
  /** The extent the fit's room was chosen for, and that room (refit). */
  private fitRoom: { extent: T.Extent; grow: number } | null = null;
  /** The extent of the drawn points, for the visibility mask and points it was measured on. */
  private fitted: { mask: Uint8Array; points: PointData; extent: PointData['extent'] } | null = null;
  private t: T.ZoomState = { k: 1, x: 0, y: 0 };
  private overlayDirty = true;
  private frame = 0;
  private currentMode: InteractionMode = 'pan';
  private hovered = -1;
  /** What the overlay marks (rings, lines, targets, shapes, contours, labels); its setters redraw. */
  readonly marks = new OverlayMarks(() => this.refresh());
  private resizeObserver: ResizeObserver;
  private readonly background: string;

  constructor(
    container: HTMLElement,
    private callbacks: ScatterCallbacks = {},
    options: { background?: string; label?: string } = {},
  ) {
    this.background = options.background ?? '#ffffff';
    this.pointsCanvas = new PointsCanvas(this.background, () => this.schedule());
    this.root = document.createElement('div');
    this.root.className = 'scatter';
    this.canvas = this.pointsCanvas.canvas;
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'scatter-overlay';
    this.overlay.tabIndex = 0;
    this.overlay.setAttribute('role', 'application');
    this.overlay.setAttribute(
      'aria-label',
      `${options.label ?? 'Map'}: arrow keys pan, + and - zoom, 0 resets, Enter opens the point nearest the center, Escape clears the selection`,
    );
    this.root.append(this.canvas, this.overlay);
    container.append(this.root);
    this.octx = this.overlay.getContext('2d')!;
    this.interaction = new MapInteraction(this);
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.root);
    this.resize();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.pointsCanvas.destroy();
    this.resizeObserver.disconnect();
    this.root.remove();
  }

  // ---- data -------------------------------------------------------------------------------------

  setPoints(points: PointData, colors: Uint32Array): void {
    this.points = points;
    this.colors = colors;
    this.visible = null;
    this.layer.setPoints(points, colors);
    this.hovered = -1;
    this.marks.clear();
    this.refit();
    this.invalidate();
  }

  /**
   * Whether hover and click answer: once points are set, or, past GRID_SYNC_POINTS (points-layer.ts),
   * once their grid has been built (and the level of detail warmed up) after the first picture.
   */
  ready(): boolean {
    return this.layer.ready;
  }

  /** Resolves when the first exact picture of the points is on screen. */
  firstPicture(): Promise<void> {
    return this.pointsCanvas.firstPicture;
  }

  /** Milliseconds of the last point drawing (render + putImageData), interactive or exact. */
  get lastDrawMs(): number {
    return this.layer.lastDrawMs;
  }

  /** Points drawn by the last frame, whether it was the exact picture, and whether from the compact sample. */
  get lastDrawn(): { points: number; exact: boolean; sampled: boolean } {
    return this.layer.lastDrawn;
  }

  setColors(colors: Uint32Array): void {
    this.colors = colors;
    this.layer.setColors(colors);
    this.invalidate();
  }

  setVisible(mask: Uint8Array | null): void {
    this.visible = mask;
    this.layer.setVisible(mask);
    if (this.hovered >= 0 && mask && !mask[this.hovered]) this.hovered = -1;
    this.invalidate();
  }

  setEmphasis(mask: Uint8Array | null): void {
    this.layer.setEmphasis(mask);
    this.invalidate();
  }

  setMode(mode: InteractionMode): void {
    this.currentMode = mode;
    this.root.dataset.mode = mode;
    this.hover(-1, 0, 0);
  }

  getMode(): InteractionMode {
    return this.currentMode;
  }

  /** The points layer (draw arrays, grid index, frame policy). */
  private get layer() {
    return this.pointsCanvas.layer;
  }

  private invalidate(): void {
    this.pointsCanvas.dirty = true;
    this.refresh();
  }

  /** Redraws the overlay (e.g. when a thumbnail has loaded). */
  refresh(): void {
    this.overlayDirty = true;
    this.schedule();
  }

  // ---- geometry ---------------------------------------------------------------------------------

  private refit(): void {
    if (!this.points) return;
    // Room for the outer density contours past the outermost points, whether or not they are drawn (turning
    // them on does not move the map). Kept while the extent stays: a region's exact points, which replace an
    // overview's with the same extent, must not move the view either.
    const e = this.points.extent;
    const kept = this.fitRoom;
    if (!kept || kept.extent.xmin !== e.xmin || kept.extent.xmax !== e.xmax || kept.extent.ymin !== e.ymin || kept.extent.ymax !== e.ymax) {
      this.fitRoom = { extent: { ...e }, grow: contourReach(this.points.n) };
    }
    this.fit = T.fitExtent(e, this.fit.width, this.fit.height, this.fitRoom!.grow);
  }

  /** Data → CSS pixel coordinates in the current view. */
  toScreen(x: number, y: number): [number, number] {
    return T.toScreen(this.fit, this.t, x, y);
  }

  /** CSS pixel → data coordinates. */
  toData(px: number, py: number): [number, number] {
    return T.toData(this.fit, this.t, px, py);
  }

  getView(): T.MapView {
    return T.viewOf(this.fit, this.t);
  }

  /** Moves the view so (cx, cy) sits at the canvas center at zoom k. */
  setView(view: T.MapView): void {
    this.interaction.transformTo(T.zoomFor(this.fit, view));
  }

  /**
   * Frames the drawn points: the whole map, or with classes hidden in the legend the points still drawn (the
   * Fit button, the `0` key, a map opened without a view in its URL).
   */
  resetView(): void {
    if (!this.visible) this.interaction.reset();
    else this.setView(this.fittedView());
  }

  /** The view that frames the drawn points (resetView's). */
  fittedView(): T.MapView {
    if (!this.points || !this.visible) return T.viewOf(this.fit, { k: 1, x: 0, y: 0 });
    if (this.fitted?.mask !== this.visible || this.fitted.points !== this.points) this.fitted = { mask: this.visible, points: this.points, extent: drawnExtent(this.points, this.visible) };
    return T.viewOfExtent(this.fit, this.fitted.extent);
  }

  /** Whether the view frames the drawn points, to within a pixel: the user has not moved it since it was fitted. */
  isFitted(): boolean {
    if (!this.points || this.fit.width <= 1) return false;
    const a = this.getView();
    const b = this.fittedView();
    return Math.abs(a.k - b.k) <= 1e-3 * b.k && Math.hypot(a.cx - b.cx, a.cy - b.cy) * this.fit.scale * a.k < 1;
  }

  /** Zooms to show a data-space bounding box. */
  zoomToBox(x0: number, y0: number, x1: number, y1: number): void {
    this.setView(T.viewOfBox(this.fit, x0, y0, x1, y1));
  }

  private resize(): void {
    const rect = this.root.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    const dpr = Math.min(3, window.devicePixelRatio || 1);
    if (w === this.fit.width && h === this.fit.height && dpr === this.dpr) return;
    const view = this.points && this.fit.width > 1 ? this.getView() : null;
    this.fit = { ...this.fit, width: w, height: h };
    this.dpr = dpr;
    this.pointsCanvas.resize(w, h, dpr);
    this.overlay.width = Math.round(w * dpr);
    this.overlay.height = Math.round(h * dpr);
    this.overlay.style.width = `${w}px`;
    this.overlay.style.height = `${h}px`;
    this.refit();
    if (view) this.setView(view);
    this.invalidate();
  }

  /** The hover radius in data units at the current zoom. */
  private hitRadius(): number {
    const { radius } = pointStyle(this.points?.n ?? 0, this.t.k);
    return (radius + 4) / (this.fit.scale * this.t.k);
  }

  /** The visible point under CSS position (px, py), or -1. */
  pick(px: number, py: number): number {
    const grid = this.layer.grid;
    if (!grid || !this.points) return -1;
    const [dx, dy] = this.toData(px, py);
    return nearestInGrid(grid, this.points.x, this.points.y, dx, dy, this.hitRadius(), this.visible);
  }

  /** The visible point nearest the center of the view within half its size, or -1. */
  pickCenter(): number {
    const grid = this.layer.grid;
    if (!grid || !this.points) return -1;
    const [dx, dy] = this.toData(this.fit.width / 2, this.fit.height / 2);
    const r = Math.min(this.fit.width, this.fit.height) / 2 / (this.fit.scale * this.t.k);
    return nearestInGrid(grid, this.points.x, this.points.y, dx, dy, r, this.visible);
  }

  /** Visible points inside the view, or null when there are more than `limit`. */
  pointsInView(limit: number): number[] | null {
    const grid = this.layer.grid;
    if (!grid || !this.points) return null;
    return pointsInGridBox(grid, this.points.x, this.points.y, T.visibleBox(this.fit, this.t), this.visible, limit);
  }

  // ---- InteractionHost --------------------------------------------------------------------------

  mode(): InteractionMode {
    return this.currentMode;
  }

  onZoom(t: T.ZoomState): void {
    this.t = t;
    this.pointsCanvas.moving();
    if (this.hovered >= 0) this.hover(-1, 0, 0); // the map moved under the pointer
    this.invalidate();
    this.callbacks.onViewChange?.(this.getView());
  }

  hover(i: number, clientX: number, clientY: number): void {
    if (i !== this.hovered) {
      this.hovered = i;
      this.refresh();
    }
    this.overlay.style.cursor = i >= 0 ? 'pointer' : this.currentMode === 'pan' ? 'grab' : 'crosshair';
    this.callbacks.onHover?.(i, clientX, clientY);
  }

  /** A click on point i (-1: none) at CSS position (px, py): a label drawn there takes it first. */
  click(i: number, px?: number, py?: number): void {
    const label = px === undefined || py === undefined || !this.callbacks.onLabel ? null : this.marks.labelAt(px, py);
    if (label !== null) this.callbacks.onLabel!(label);
    else this.callbacks.onClick?.(i);
  }

  drag(polygon: number[] | null): void {
    this.marks.setDragShape(polygon);
  }

  select(kind: 'rect' | 'lasso', polygon: number[]): void {
    this.callbacks.onSelect?.(kind, polygon);
  }

  // ---- drawing ----------------------------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /**
   * Draws now (what a frame would do); returns the milliseconds of the point drawing. With `force`,
   * the exact complete picture is drawn at once, however many points.
   */
  draw(force = false): number {
    if (this.pointsCanvas.dirty || force) this.pointsCanvas.draw(this.geometry(this.dpr), force);
    if (this.overlayDirty || force) this.paintOverlay();
    return this.layer.lastDrawMs;
  }

  /** Where a frame at device pixel ratio dpr (and this view's zoom) draws. */
  private geometry(dpr: number): FrameGeometry {
    const { radius } = pointStyle(this.points?.n ?? 0, this.t.k);
    const b = T.visibleBox(this.fit, this.t);
    const m = (radius + 2) / (this.fit.scale * this.t.k);
    return {
      transform: T.renderTransform(this.fit, this.t, dpr),
      box: { xmin: b.xmin - m, xmax: b.xmax + m, ymin: b.ymin - m, ymax: b.ymax + m },
      k: this.t.k,
      dpr,
      width: Math.round(this.fit.width * dpr),
      height: Math.round(this.fit.height * dpr),
    };
  }

  private paintOverlay(): void {
    this.overlayDirty = false;
    const ctx = this.octx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.fit.width, this.fit.height);
    const state = this.overlayState();
    this.marks.shownLabels = state ? drawOverlay(ctx, state) : [];
  }

  private overlayState(): OverlayState | null {
    const pts = this.points;
    if (!pts) return null;
    const provider = this.callbacks.thumbnail;
    const inView = provider && this.t.k >= 2 ? this.pointsInView(THUMBNAIL_LIMIT) : null;
    return {
      x: pts.x,
      y: pts.y,
      radius: pointStyle(pts.n, this.t.k).radius,
      k: this.t.k,
      width: this.fit.width,
      height: this.fit.height,
      toScreen: (x, y) => this.toScreen(x, y),
      colorOf: (i) => this.cssColor(i),
      hover: this.hovered,
      linked: this.marks.linked,
      focus: this.marks.focus,
      rings: this.marks.rings,
      links: this.marks.links,
      markers: this.marks.markers,
      contours: this.marks.contours,
      labels: this.marks.labels,
      shapes: [this.marks.selection, this.marks.dragShape],
      thumbnails: provider && inView ? { points: inView, image: provider } : null,
    };
  }

  private cssColor(i: number): string {
    const c = this.colors[i];
    return `rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})`;
  }

  /**
   * The map as it is on screen (points and overlay) drawn at `scale` device pixels per CSS pixel, exact
   * whatever the number of points: a canvas of (width x scale) x (height x scale).
   */
  snapshot(scale: number): HTMLCanvasElement {
    const out = this.pointsCanvas.snapshot(this.geometry(scale));
    const ctx = out.getContext('2d')!;
    const state = this.overlayState();
    if (state) {
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      drawOverlay(ctx, state);
    }
    return out;
  }

  /** Size in CSS pixels. */
  size(): { width: number; height: number; dpr: number } {
    return { width: this.fit.width, height: this.fit.height, dpr: this.dpr };
  }
}
