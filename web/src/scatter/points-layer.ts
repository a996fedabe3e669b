// The points layer of a map: the per-point arrays in draw order (grid cells, shuffled within each, so
// the rasterizer reads memory sequentially and a view's cells are contiguous stretches), the pixel
// buffer, and the policy of what a frame draws. While the map moves: a density-aware level of detail
// (lod.ts) within a point budget adapted to this machine's measured speed. At rest: the exact complete
// picture, in chunks between tasks when millions of points are in view. Also renders snapshots at any
// scale for export.
import type { PointData } from '../points.js';
import { buildGrid, type GridIndex } from './grid-index.js';
import { chunkPlan, exactPlan, FRAME_BUDGET, lodPlan, planSize } from './lod.js';
import { pointStyle, renderSteps, type DrawPlan } from './render.js';
import type { Extent, RenderTransform } from './transform.js';

/** Points per chunk of the exact redraw at rest (one chunk per task). */
const REST_CHUNK = 1_500_000;
/** Target time of an interactive frame's point drawing, ms. */
const FRAME_TARGET_MS = 10;
/** Longest stretch of exact drawing in one task, ms. */
const TASK_MS = 40;

export interface FrameGeometry {
  /** Data → device pixels. */
  transform: RenderTransform;
  /** The data box the frame shows, grown by the point radius. */
  box: Extent;
  /** Zoom factor (for the point style) and device pixel ratio. */
  k: number;
  dpr: number;
  width: number;
  height: number;
}

export class PointsLayer {
  grid: GridIndex | null = null;
  points: PointData | null = null;
  private x: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private y: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private colors: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private visible: Uint8Array | null = null;
  private emphasis: Uint8Array | null = null;
  private marked: Uint8Array | null = null;
  private budget = FRAME_BUDGET;
  private job = 0;
  /** Milliseconds of the last drawing (render + put), interactive or exact. */
  lastDrawMs = 0;
  /** Points drawn by the last frame, and whether it was the exact picture. */
  lastDrawn = { points: 0, exact: true };

  constructor(private background: number) {}

  setPoints(points: PointData, colors: Uint32Array): void {
    this.points = points;
    this.grid = buildGrid(points.x, points.y, points.extent);
    this.x = this.permute(points.x);
    this.y = this.permute(points.y);
    this.colors = this.permute(colors);
    this.visible = this.emphasis = null;
    this.marked = this.permute(points.isNew);
  }

  setColors(colors: Uint32Array): void {
    this.colors = this.permute(colors);
  }

  setVisible(mask: Uint8Array | null): void {
    this.visible = this.permute(mask);
  }

  setEmphasis(mask: Uint8Array | null): void {
    this.emphasis = this.permute(mask);
  }

  /** A copy of a per-point array in draw order. */
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T): T;
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null;
  private permute<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null {
    const order = this.grid?.ids;
    if (!a || !order || !this.points || a.length !== this.points.n) return a;
    const out = new (a.constructor as new (n: number) => T)(order.length);
    for (let k = 0; k < order.length; k++) out[k] = a[order[k]];
    return out;
  }

  /** Abandons an exact redraw in progress (the view moved). */
  cancel(): void {
    this.job++;
  }

  private steps(pixels: Uint32Array, g: FrameGeometry, chunks: DrawPlan[]): Generator<number, number> {
    const { radius, alpha } = pointStyle(this.points!.n, g.k);
    return renderSteps(
      pixels,
      { n: this.x.length, x: this.x, y: this.y, colors: this.colors, order: null, visible: this.visible, emphasis: this.emphasis, marked: this.marked },
      g.transform,
      { width: g.width, height: g.height, radius: radius * g.dpr, alpha, background: this.background },
      chunks,
    );
  }

  /**
   * Draws a frame into `pixels` and calls `show` when it is complete: at once for an interactive frame
   * or a view with at most REST_CHUNK points, otherwise after the last chunk (unless cancelled).
   */
  draw(pixels: Uint32Array, g: FrameGeometry, moving: boolean, force: boolean, show: () => void): void {
    this.cancel();
    const started = performance.now();
    if (!this.points || !this.grid) {
      pixels.fill(this.background);
      show();
      this.lastDrawMs = performance.now() - started;
      return;
    }
    const exact = exactPlan(this.grid, g.box);
    const inView = planSize(exact);
    if (moving && !force && inView > this.budget) {
      const plan = lodPlan(this.grid, g.box, this.budget);
      const drawn = planSize(plan);
      run(this.steps(pixels, g, [plan]));
      show();
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: drawn, exact: false };
      // adapt the budget to this machine: aim at FRAME_TARGET_MS for the drawing
      const next = Math.max(50_000, Math.min(2_000_000, (FRAME_TARGET_MS * Math.max(1, drawn)) / Math.max(0.5, this.lastDrawMs)));
      this.budget = Math.round(0.7 * this.budget + 0.3 * next);
      return;
    }
    if (force || inView <= REST_CHUNK) {
      run(this.steps(pixels, g, [exact]));
      show();
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: inView, exact: true };
      return;
    }
    const job = this.job;
    const steps = this.steps(pixels, g, chunkPlan(exact, REST_CHUNK));
    const step = () => {
      if (job !== this.job) return;
      const t0 = performance.now();
      let r = steps.next();
      while (!r.done && performance.now() - t0 < TASK_MS) r = steps.next();
      if (!r.done) {
        setTimeout(step, 0);
        return;
      }
      show();
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: inView, exact: true };
    };
    step();
  }

  /** The exact picture into a fresh buffer of g.width x g.height (export at any scale). */
  snapshot(g: FrameGeometry): Uint32Array {
    const pixels = new Uint32Array(g.width * g.height);
    if (!this.points || !this.grid) return pixels.fill(this.background);
    run(this.steps(pixels, g, [exactPlan(this.grid, g.box)]));
    return pixels;
  }
}

function run(it: Generator<number, number>): void {
  for (let r = it.next(); !r.done; r = it.next());
}
