// ScatterView: one interactive map. The points are rasterized into an ImageData buffer (render.ts) on a
// device-pixel-ratio-aware canvas; a second canvas on top carries the hover ring, highlighted
// neighbours and the selection shape. D3 zoom drives pan/zoom (mouse, touch, keyboard); the quadtree
// in hit-test.ts answers hover and click.
import { quadtree, select, zoom, zoomIdentity, type D3ZoomEvent, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { PointData } from '../points.js';
import { buildTree, nearestVisible, rectPolygon, simplifyPolygon, type PointTree } from './hit-test.js';
import { drawOrder, pointStyle, renderPoints, type RenderTransform } from './render.js';
import { packHex } from '../colors.js';

export type InteractionMode = 'pan' | 'rect' | 'lasso';

export interface MapView {
  /** Data coordinates at the center of the canvas. */
  cx: number;
  cy: number;
  /** Zoom factor (1: the whole map fits). */
  k: number;
}

export interface ScatterCallbacks {
  /** Hovered point position (-1: none) and the pointer's position in the view's client coordinates. */
  onHover?: (i: number, clientX: number, clientY: number) => void;
  onClick?: (i: number) => void;
  /** A finished selection shape (data coordinates), or null when cleared by a click on empty space. */
  onSelect?: (kind: 'rect' | 'lasso', polygon: number[]) => void;
  onViewChange?: (view: MapView) => void;
  /**
   * For image datasets: the image of point i once loaded (null: not yet; the provider calls
   * ScatterView.refresh() when it arrives). When at most THUMBNAIL_LIMIT points are in view, they are
   * drawn as images instead of dots.
   */
  thumbnail?: (i: number) => CanvasImageSource | null;
}

const PAD = 28;
/** Points added to the hover quadtree per slice. */
const TREE_SLICE = 50_000;
/** Most points drawn as thumbnails at once (zoomed in on an image dataset). */
export const THUMBNAIL_LIMIT = 160;

export class ScatterView {
  readonly root: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  private ctx: CanvasRenderingContext2D;
  private octx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pixels: Uint32Array | null = null;
  private points: PointData | null = null;
  private order: Uint32Array | null = null;
  private tree: PointTree | null = null;
  private colors: Uint32Array = new Uint32Array(0);
  private visible: Uint8Array | null = null;
  // The same arrays in draw order (a seeded shuffle), so the rasterizer reads memory sequentially.
  private drawX: Float32Array = new Float32Array(0);
  private drawY: Float32Array = new Float32Array(0);
  private drawColors: Uint32Array = new Uint32Array(0);
  private drawVisible: Uint8Array | null = null;
  private drawEmphasis: Uint8Array | null = null;
  private drawMarked: Uint8Array | null = null;
  private width = 0; // CSS px
  private height = 0;
  private dpr = 1;
  private scale = 1; // base data → CSS px
  private mx = 0;
  private my = 0;
  private t: ZoomTransform = zoomIdentity;
  private zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private zoomSel: Selection<HTMLCanvasElement, unknown, null, undefined>;
  private mainDirty = true;
  private overlayDirty = true;
  private frame = 0;
  private mode: InteractionMode = 'pan';
  private hover = -1;
  private linked = -1;
  private focus = -1;
  private rings: number[] = [];
  private selection: number[] | null = null;
  private drag: number[] | null = null;
  private resizeObserver: ResizeObserver;
  private readonly background: string;
  /** Milliseconds of the last full point redraw (render + putImageData). */
  lastDrawMs = 0;

  constructor(
    container: HTMLElement,
    private callbacks: ScatterCallbacks = {},
    options: { background?: string; label?: string } = {},
  ) {
    this.background = options.background ?? '#ffffff';
    this.root = document.createElement('div');
    this.root.className = 'scatter';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'scatter-points';
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
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.octx = this.overlay.getContext('2d')!;

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.5, 1000])
      .filter((event: Event) => {
        if (event.type === 'wheel' || event.type === 'dblclick') return true;
        if (this.mode !== 'pan') return event.type.startsWith('touch') && (event as TouchEvent).touches?.length > 1;
        return !(event as MouseEvent).button;
      })
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        this.t = event.transform;
        if (this.hover >= 0) this.setHover(-1, 0, 0); // the map moved under the pointer
        this.mainDirty = true;
        this.overlayDirty = true;
        this.schedule();
        this.callbacks.onViewChange?.(this.getView());
      });
    this.zoomSel = select(this.overlay);
    this.zoomSel.call(this.zoomBehavior).on('dblclick.zoom', null);

    this.overlay.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.overlay.addEventListener('pointerleave', () => this.setHover(-1, 0, 0));
    this.overlay.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.overlay.addEventListener('keydown', (e) => this.onKey(e));
    // pointerdown, not mousedown: d3-zoom stops the mousedown's propagation to other listeners
    let downAt: [number, number] | null = null;
    this.overlay.addEventListener('pointerdown', (e) => (downAt = [e.clientX, e.clientY]), { capture: true });
    this.overlay.addEventListener('click', (e) => {
      if (this.mode !== 'pan' || !downAt) return;
      if (Math.hypot(e.clientX - downAt[0], e.clientY - downAt[1]) > 4) return; // a pan, not a click
      const [px, py] = this.localPoint(e);
      this.callbacks.onClick?.(this.pick(px, py));
    });

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.root);
    this.resize();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.resizeObserver.disconnect();
    this.root.remove();
  }

  // ---- data -------------------------------------------------------------------------------------

  setPoints(points: PointData, colors: Uint32Array): void {
    this.points = points;
    this.colors = colors;
    this.order = drawOrder(points.n, 7);
    this.tree = null;
    this.visible = null;
    this.drawX = this.permute(points.x);
    this.drawY = this.permute(points.y);
    this.drawColors = this.permute(colors);
    this.drawVisible = this.drawEmphasis = null;
    this.drawMarked = this.permute(points.isNew);
    this.hover = this.linked = this.focus = -1;
    this.rings = [];
    this.selection = null;
    this.fit();
    this.invalidate();
    this.buildTreeInSlices(points);
  }

  setColors(colors: Uint32Array): void {
    this.colors = colors;
    this.drawColors = this.permute(colors);
    this.invalidate();
  }

  setVisible(mask: Uint8Array | null): void {
    this.visible = mask;
    this.drawVisible = this.permute(mask);
    if (this.hover >= 0 && mask && !mask[this.hover]) this.hover = -1;
    this.invalidate();
  }

  setEmphasis(mask: Uint8Array | null): void {
    this.drawEmphasis = this.permute(mask);
    this.invalidate();
  }

  /** Rings around these points (e.g. the detail point's neighbours) and a focus ring on `focus`. */
  setHighlights(focus: number, rings: number[]): void {
    this.focus = focus;
    this.rings = rings;
    this.overlayDirty = true;
    this.schedule();
  }

  /** The point hovered in a linked view (-1: none). */
  setLinked(i: number): void {
    if (i === this.linked) return;
    this.linked = i;
    this.overlayDirty = true;
    this.schedule();
  }

  setSelectionShape(polygon: number[] | null): void {
    this.selection = polygon;
    this.overlayDirty = true;
    this.schedule();
  }

  setMode(mode: InteractionMode): void {
    this.mode = mode;
    this.root.dataset.mode = mode;
    this.setHover(-1, 0, 0);
  }

  getMode(): InteractionMode {
    return this.mode;
  }

  /** A copy of a per-point array in draw order. */
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T): T;
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null;
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null {
    const order = this.order;
    if (!a || !order || a.length !== order.length) return a;
    const out = new (a.constructor as new (n: number) => T)(a.length);
    for (let k = 0; k < order.length; k++) out[k] = a[order[k]];
    return out;
  }

  private ensureTree(): PointTree | null {
    // small maps: build on demand; large ones are being built in slices and answer once complete
    if (!this.tree && this.points && this.points.n <= TREE_SLICE) this.tree = buildTree(this.points.x, this.points.y);
    return this.tree;
  }

  /**
   * Builds the hover quadtree in slices of TREE_SLICE points between frames, so loading a
   * million points never blocks the page for the second or more a single build takes.
   */
  private buildTreeInSlices(points: PointData): void {
    if (points.n <= TREE_SLICE) {
      this.tree = buildTree(points.x, points.y);
      return;
    }
    const { x, y } = points;
    const { xmin, xmax, ymin, ymax } = points.extent;
    const tree = quadtree<number>()
      .x((i) => x[i])
      .y((i) => y[i])
      .cover(xmin, ymin)
      .cover(xmax, ymax);
    let i = 0;
    const slice = () => {
      if (this.points !== points) return; // replaced meanwhile
      const end = Math.min(points.n, i + TREE_SLICE);
      for (; i < end; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) tree.add(i);
      if (i < points.n) setTimeout(slice, 0);
      else this.tree = tree;
    };
    setTimeout(slice, 0);
  }

  private invalidate(): void {
    this.mainDirty = true;
    this.overlayDirty = true;
    this.schedule();
  }

  // ---- geometry ---------------------------------------------------------------------------------

  private fit(): void {
    if (!this.points) return;
    const { xmin, xmax, ymin, ymax } = this.points.extent;
    const w = Math.max(1, this.width - 2 * PAD);
    const h = Math.max(1, this.height - 2 * PAD);
    this.scale = Math.min(w / (xmax - xmin || 1), h / (ymax - ymin || 1));
    this.mx = (xmin + xmax) / 2;
    this.my = (ymin + ymax) / 2;
  }

  /** Data → CSS pixel coordinates in the current view. */
  toScreen(x: number, y: number): [number, number] {
    const t = this.t;
    return [
      t.k * (this.width / 2 + (x - this.mx) * this.scale) + t.x,
      t.k * (this.height / 2 - (y - this.my) * this.scale) + t.y,
    ];
  }

  /** CSS pixel → data coordinates. */
  toData(px: number, py: number): [number, number] {
    const t = this.t;
    return [((px - t.x) / t.k - this.width / 2) / this.scale + this.mx, -((py - t.y) / t.k - this.height / 2) / this.scale + this.my];
  }

  private renderTransform(): RenderTransform {
    const { t, dpr, scale: s } = this;
    return {
      ax: dpr * t.k * s,
      bx: dpr * (t.k * (this.width / 2 - this.mx * s) + t.x),
      ay: -dpr * t.k * s,
      by: dpr * (t.k * (this.height / 2 + this.my * s) + t.y),
    };
  }

  getView(): MapView {
    const [cx, cy] = this.toData(this.width / 2, this.height / 2);
    return { cx, cy, k: this.t.k };
  }

  /** Moves the view so (cx, cy) sits at the canvas center at zoom k. */
  setView(view: MapView): void {
    const k = Math.max(0.5, Math.min(1000, view.k));
    const x = this.width / 2 - k * (this.width / 2 + (view.cx - this.mx) * this.scale);
    const y = this.height / 2 - k * (this.height / 2 - (view.cy - this.my) * this.scale);
    this.zoomSel.call(this.zoomBehavior.transform, zoomIdentity.translate(x, y).scale(k));
  }

  resetView(): void {
    this.zoomSel.call(this.zoomBehavior.transform, zoomIdentity);
  }

  /** Zooms to show a data-space bounding box. */
  zoomToBox(x0: number, y0: number, x1: number, y1: number): void {
    const w = Math.max(1e-9, (x1 - x0) * this.scale);
    const h = Math.max(1e-9, (y1 - y0) * this.scale);
    const k = Math.min(50, 0.85 * Math.min((this.width - 2 * PAD) / w, (this.height - 2 * PAD) / h));
    this.setView({ cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, k: Math.max(1, k) });
  }

  private resize(): void {
    const rect = this.root.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width));
    const h = Math.max(1, Math.round(rect.height));
    const dpr = Math.min(3, window.devicePixelRatio || 1);
    if (w === this.width && h === this.height && dpr === this.dpr) return;
    const view = this.points && this.width > 1 ? this.getView() : null;
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    this.image = null;
    this.fit();
    if (view) this.setView(view);
    this.invalidate();
  }

  private localPoint(e: MouseEvent): [number, number] {
    const r = this.overlay.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** The visible point under CSS position (px, py), or -1. */
  pick(px: number, py: number): number {
    const tree = this.ensureTree();
    if (!tree || !this.points) return -1;
    const [dx, dy] = this.toData(px, py);
    const { radius } = pointStyle(this.points.n, this.t.k);
    const r = (radius + 4) / (this.scale * this.t.k);
    return nearestVisible(tree, this.points.x, this.points.y, dx, dy, r, this.visible);
  }

  /** The visible point nearest to a CSS position within half the view, or -1. */
  private pickNearest(px: number, py: number): number {
    const tree = this.ensureTree();
    if (!tree || !this.points) return -1;
    const [dx, dy] = this.toData(px, py);
    const r = Math.min(this.width, this.height) / 2 / (this.scale * this.t.k);
    return nearestVisible(tree, this.points.x, this.points.y, dx, dy, r, this.visible);
  }

  private setHover(i: number, clientX: number, clientY: number): void {
    if (i !== this.hover) {
      this.hover = i;
      this.overlayDirty = true;
      this.schedule();
    }
    this.overlay.style.cursor = i >= 0 ? 'pointer' : this.mode === 'pan' ? 'grab' : 'crosshair';
    this.callbacks.onHover?.(i, clientX, clientY);
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.drag) return;
    if (this.mode !== 'pan' || e.buttons) {
      if (this.hover >= 0) this.setHover(-1, 0, 0);
      return;
    }
    const [px, py] = this.localPoint(e);
    this.setHover(this.pick(px, py), e.clientX, e.clientY);
  }

  private onPointerDown(e: PointerEvent): void {
    if (this.mode === 'pan' || e.button !== 0) return;
    e.preventDefault();
    this.overlay.setPointerCapture(e.pointerId);
    const start = this.toData(...this.localPoint(e));
    this.drag = [...start];
    const move = (ev: PointerEvent) => {
      const p = this.toData(...this.localPoint(ev));
      if (this.mode === 'rect') this.drag = rectPolygon(start[0], start[1], p[0], p[1]);
      else this.drag!.push(p[0], p[1]);
      this.overlayDirty = true;
      this.schedule();
    };
    const up = () => {
      this.overlay.removeEventListener('pointermove', move);
      this.overlay.removeEventListener('pointerup', up);
      this.overlay.removeEventListener('pointercancel', up);
      const poly = this.drag;
      this.drag = null;
      this.overlayDirty = true;
      this.schedule();
      if (poly && poly.length >= 6) {
        const kind = this.mode === 'rect' ? 'rect' : 'lasso';
        this.callbacks.onSelect?.(kind, kind === 'lasso' ? simplifyPolygon(poly, 96) : poly);
      }
    };
    this.overlay.addEventListener('pointermove', move);
    this.overlay.addEventListener('pointerup', up);
    this.overlay.addEventListener('pointercancel', up);
  }

  private onKey(e: KeyboardEvent): void {
    const step = 60;
    const z = this.zoomBehavior;
    const s = this.zoomSel;
    switch (e.key) {
      case 'ArrowLeft':
        z.translateBy(s, step / this.t.k, 0);
        break;
      case 'ArrowRight':
        z.translateBy(s, -step / this.t.k, 0);
        break;
      case 'ArrowUp':
        z.translateBy(s, 0, step / this.t.k);
        break;
      case 'ArrowDown':
        z.translateBy(s, 0, -step / this.t.k);
        break;
      case '+':
      case '=':
        z.scaleBy(s, 1.4);
        break;
      case '-':
      case '_':
        z.scaleBy(s, 1 / 1.4);
        break;
      case '0':
        this.resetView();
        break;
      case 'Enter': {
        // keyboard users open the point nearest the center of the view
        const i = this.pickNearest(this.width / 2, this.height / 2);
        if (i >= 0) this.callbacks.onClick?.(i);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  }

  // ---- drawing ----------------------------------------------------------------------------------

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws now (what a frame would do); returns the milliseconds of the point redraw. */
  draw(force = false): number {
    if (this.mainDirty || force) this.drawPoints();
    if (this.overlayDirty || force) this.drawOverlay();
    return this.lastDrawMs;
  }

  private drawPoints(): void {
    this.mainDirty = false;
    const started = performance.now();
    const W = this.canvas.width;
    const H = this.canvas.height;
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = this.ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const bg = packHex(this.background);
    if (!this.points) {
      this.pixels!.fill(bg);
    } else {
      const { radius, alpha } = pointStyle(this.points.n, this.t.k);
      renderPoints(
        this.pixels!,
        {
          n: this.points.n,
          x: this.drawX,
          y: this.drawY,
          colors: this.drawColors,
          order: null,
          visible: this.drawVisible,
          emphasis: this.drawEmphasis,
          marked: this.drawMarked,
        },
        this.renderTransform(),
        { width: W, height: H, radius: radius * this.dpr, alpha, background: bg },
      );
    }
    this.ctx.putImageData(this.image, 0, 0);
    this.lastDrawMs = performance.now() - started;
  }

  private ring(ctx: CanvasRenderingContext2D, i: number, r: number, stroke: string, width: number, fill?: string): void {
    if (!this.points || i < 0) return;
    const [sx, sy] = this.toScreen(this.points.x[i], this.points.y[i]);
    ctx.beginPath();
    ctx.arc(sx, sy, r, 0, Math.PI * 2);
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fill();
    }
    ctx.lineWidth = width;
    ctx.strokeStyle = stroke;
    ctx.stroke();
  }

  private path(ctx: CanvasRenderingContext2D, poly: number[]): void {
    ctx.beginPath();
    for (let k = 0; k < poly.length; k += 2) {
      const [sx, sy] = this.toScreen(poly[k], poly[k + 1]);
      if (k === 0) ctx.moveTo(sx, sy);
      else ctx.lineTo(sx, sy);
    }
    ctx.closePath();
  }

  private drawOverlay(): void {
    this.overlayDirty = false;
    const ctx = this.octx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    if (!this.points) return;
    const r = pointStyle(this.points.n, this.t.k).radius;
    this.drawThumbnails(ctx);
    for (const shape of [this.selection, this.drag]) {
      if (!shape || shape.length < 4) continue;
      this.path(ctx, shape);
      ctx.fillStyle = 'rgba(40, 90, 160, 0.07)';
      ctx.fill();
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#1f4f8a';
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const i of this.rings) this.ring(ctx, i, r + 3.5, '#d1495b', 2);
    this.ring(ctx, this.focus, r + 5, '#111', 2.5);
    if (this.linked >= 0) {
      // the row hovered in the other map: a bold target that stands out on any class color
      this.ring(ctx, this.linked, r + 7, '#fff', 5);
      this.ring(ctx, this.linked, r + 7, '#e07a00', 2.5);
      this.ring(ctx, this.linked, r + 2, '#111', 1.5);
    }
    if (this.hover >= 0) {
      this.ring(ctx, this.hover, r + 4, '#fff', 4);
      this.ring(ctx, this.hover, r + 4, '#111', 1.75, this.cssColor(this.hover));
    }
  }

  /** Visible points inside the view, or null when there are more than `limit`. */
  pointsInView(limit: number): number[] | null {
    const tree = this.tree;
    if (!tree || !this.points) return null;
    const [x0, y1] = this.toData(0, 0);
    const [x1, y0] = this.toData(this.width, this.height);
    const out: number[] = [];
    let over = false;
    tree.visit((node, nx0, ny0, nx1, ny1) => {
      if (over || nx0 > x1 || nx1 < x0 || ny0 > y1 || ny1 < y0) return true;
      if (!node.length) {
        let leaf: { data: number; next?: unknown } | undefined = node as { data: number; next?: unknown };
        while (leaf) {
          const i = leaf.data;
          const px = this.points!.x[i];
          const py = this.points!.y[i];
          if (px >= x0 && px <= x1 && py >= y0 && py <= y1 && (!this.visible || this.visible[i])) {
            out.push(i);
            if (out.length > limit) over = true;
          }
          leaf = leaf.next as typeof leaf;
        }
      }
      return false;
    });
    return over ? null : out;
  }

  /** Redraws the overlay (e.g. when a thumbnail has loaded). */
  refresh(): void {
    this.overlayDirty = true;
    this.schedule();
  }

  private drawThumbnails(ctx: CanvasRenderingContext2D): void {
    const provider = this.callbacks.thumbnail;
    if (!provider || !this.points || this.t.k < 2) return;
    const inView = this.pointsInView(THUMBNAIL_LIMIT);
    if (!inView) return;
    // thumbnails grow with the zoom, from 24 to 56 CSS px
    const size = Math.round(Math.max(24, Math.min(56, 6 * Math.sqrt(this.t.k))));
    ctx.imageSmoothingEnabled = false;
    for (const i of inView) {
      const img = provider(i);
      if (!img) continue;
      const [sx, sy] = this.toScreen(this.points.x[i], this.points.y[i]);
      const x = Math.round(sx - size / 2);
      const y = Math.round(sy - size / 2);
      ctx.drawImage(img, x, y, size, size);
      ctx.lineWidth = 2;
      ctx.strokeStyle = this.cssColor(i);
      ctx.strokeRect(x - 1, y - 1, size + 2, size + 2);
    }
    ctx.imageSmoothingEnabled = true;
  }

  private cssColor(i: number): string {
    const c = this.colors[i];
    return `rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})`;
  }

  /** The map (points and overlay) as one PNG. */
  toPng(): Promise<Blob> {
    this.draw(true);
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d')!;
    ctx.drawImage(this.canvas, 0, 0);
    ctx.drawImage(this.overlay, 0, 0);
    return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  }

  /** Size in CSS pixels. */
  size(): { width: number; height: number; dpr: number } {
    return { width: this.width, height: this.height, dpr: this.dpr };
  }
}
