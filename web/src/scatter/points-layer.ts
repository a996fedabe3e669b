// The points layer of a map: the per-point arrays in draw order (grid cells, shuffled within each, so
// the rasterizer reads memory sequentially and a view's cells are contiguous stretches), the pixel
// buffer, and the policy of what a frame draws. While the map moves: a pan shifts the previous frame
// and draws only the strips it uncovers (pan-shift.ts); any other frame draws a density-aware level of
// detail (lod.ts) within a point budget adapted to this machine's measured speed. At rest: the exact
// complete picture, in chunks between tasks when millions of points are in view. Also renders
// snapshots at any scale for export.
import type { PointData } from '../points.js';
import { buildGrid, type GridIndex } from './grid-index.js';
import { chunkPlan, emptyLodPlan, exactPlan, FRAME_BUDGET, lodPlan, planSize } from './lod.js';
import { panShift, shiftPixels, uncoveredStrips, type ShownFrame } from './pan-shift.js';
import { diskSprite, pointStyle, renderSteps, type Clip, type DrawPlan } from './render.js';
import type { Extent, RenderTransform } from './transform.js';

/** Points per chunk of the exact redraw at rest (one chunk per task). */
const REST_CHUNK = 1_500_000;
/** Target time of an interactive frame's point blending, ms (the frame adds clearing, planning and putImageData). */
const FRAME_TARGET_MS = 5;
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
  /**
   * Measured milliseconds per sprite pixel blended (a point costs its sprite's pixels, which grow as
   * the map is zoomed in). First guess: FRAME_BUDGET one-pixel-radius points (5 px) in 10 ms.
   */
  private msPerPixel = 10 / (FRAME_BUDGET * 5);
  /** The last few frames' measured ms per sprite pixel. */
  private speeds: number[] = [];
  private job = 0;
  /** What the pixel buffer holds, when it is a complete frame (null while a chunked redraw is under way). */
  private shown: ShownFrame | null = null;
  /** Counts changes of what is drawn (points, colors, masks), so a chunked redraw knows it is current. */
  private version = 0;
  /** The frame a chunked exact redraw under way will show (its key), or null. */
  private pending: string | null = null;
  /** The arrays of the last level-of-detail plan of a whole frame, and of a pan's strips, reused by the next. */
  private framePlan: DrawPlan = emptyLodPlan();
  private stripPlan: DrawPlan = emptyLodPlan();
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
    this.changed();
  }

  setColors(colors: Uint32Array): void {
    this.colors = this.permute(colors);
    this.changed();
  }

  setVisible(mask: Uint8Array | null): void {
    this.visible = this.permute(mask);
    this.changed();
  }

  setEmphasis(mask: Uint8Array | null): void {
    this.emphasis = this.permute(mask);
    this.changed();
  }

  /** What is drawn changed: the buffer's picture is stale and a chunked redraw under way is not current. */
  private changed(): void {
    this.shown = null;
    this.version++;
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
    this.pending = null;
  }

  private steps(pixels: Uint32Array, g: FrameGeometry, chunks: DrawPlan[], clip?: Clip): Generator<number, number> {
    const { radius, alpha } = pointStyle(this.points!.n, g.k);
    return renderSteps(
      pixels,
      { n: this.x.length, x: this.x, y: this.y, colors: this.colors, order: null, visible: this.visible, emphasis: this.emphasis, marked: this.marked },
      g.transform,
      { width: g.width, height: g.height, radius: radius * g.dpr, alpha, background: this.background, clip },
      chunks,
    );
  }

  /** The frame record of geometry g (what the buffer holds once g is drawn). */
  private frameOf(g: FrameGeometry): ShownFrame {
    return { transform: g.transform, width: g.width, height: g.height, radius: pointStyle(this.points?.n ?? 0, g.k).radius * g.dpr };
  }

  /**
   * A pan frame: shifts the buffer by whole pixels and draws the uncovered strips (the level of detail
   * when a strip holds more than the budget). False when the frame is not a pan of the buffer's picture.
   */
  private drawPan(pixels: Uint32Array, g: FrameGeometry): boolean {
    if (!this.shown || !this.grid) return false;
    const next = this.frameOf(g);
    const shift = panShift(this.shown, next);
    if (!shift) return false;
    const { sx, sy } = shift;
    const old = this.shown.transform;
    // the shifted picture's transform: the old one moved by whole pixels (within half a pixel of g's)
    const t = { ax: old.ax, ay: old.ay, bx: old.bx + sx, by: old.by + sy };
    shiftPixels(pixels, g.width, g.height, sx, sy);
    const at = { ...g, transform: t };
    const pad = next.radius + 2;
    let drawn = 0;
    for (const clip of uncoveredStrips(g.width, g.height, sx, sy)) {
      // the strip in data units, grown by the point radius; ay < 0, so y runs the other way
      const xa = (clip.x0 - pad - t.bx) / t.ax;
      const xb = (clip.x1 + pad - t.bx) / t.ax;
      const ya = (clip.y0 - pad - t.by) / t.ay;
      const yb = (clip.y1 + pad - t.by) / t.ay;
      const box = { xmin: Math.min(xa, xb), xmax: Math.max(xa, xb), ymin: Math.min(ya, yb), ymax: Math.max(ya, yb) };
      const plan = lodPlan(this.grid, box, this.budget(g), this.stripPlan);
      if (plan.boost) this.stripPlan = plan;
      drawn += planSize(plan);
      run(this.steps(pixels, at, [plan], clip));
    }
    this.shown = { ...next, transform: t };
    this.lastDrawn = { points: drawn, exact: false };
    return true;
  }

  /**
   * Draws a frame into `pixels` and calls `show` when it is complete (with true for the exact picture):
   * at once for an interactive frame or a view with at most REST_CHUNK points, otherwise after the last
   * chunk (unless cancelled).
   */
  draw(pixels: Uint32Array, g: FrameGeometry, moving: boolean, force: boolean, show: (exact: boolean) => void): void {
    // the same exact picture already being drawn in chunks (a resize or overlay change asked for a frame
    // while the map stood still): let it finish rather than start again
    const key = `${this.version} ${g.width}x${g.height} ${g.k} ${g.dpr} ${g.transform.ax} ${g.transform.bx} ${g.transform.ay} ${g.transform.by}`;
    if (!moving && !force && this.pending === key) return;
    this.cancel();
    const started = performance.now();
    if (!this.points || !this.grid) {
      pixels.fill(this.background);
      show(false);
      this.lastDrawMs = performance.now() - started;
      return;
    }
    if (moving && !force && this.drawPan(pixels, g)) {
      show(false);
      this.lastDrawMs = performance.now() - started;
      return;
    }
    this.shown = null;
    const exact = exactPlan(this.grid, g.box);
    const inView = planSize(exact);
    const budget = this.budget(g);
    if (moving && !force && inView > budget) {
      const plan = lodPlan(this.grid, g.box, budget, this.framePlan);
      if (plan.boost) this.framePlan = plan;
      const drawn = planSize(plan);
      const blendStart = performance.now();
      run(this.steps(pixels, g, [plan]));
      const blendMs = performance.now() - blendStart;
      show(false);
      this.shown = this.frameOf(g);
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: drawn, exact: false };
      this.calibrate(drawn, blendMs, g);
      return;
    }
    if (force || inView <= REST_CHUNK) {
      const blendStart = performance.now();
      run(this.steps(pixels, g, [exact]));
      const blendMs = performance.now() - blendStart;
      show(true);
      this.shown = this.frameOf(g);
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: inView, exact: true };
      this.calibrate(inView, blendMs, g);
      return;
    }
    const job = this.job;
    this.pending = key;
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
      this.pending = null;
      show(true);
      this.shown = this.frameOf(g);
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: inView, exact: true };
    };
    step();
  }

  /**
   * Runs the level-of-detail path of frame g `rounds` times into a scratch buffer, one round per task,
   * so that the user's first zoom pays less for V8 compiling it: with a million points the first two zoom
   * frames took 30-60 ms (planning and blending run cold) and the rest 2-8 ms, in Node and chromium alike;
   * with the warm-up the first two take about half as much CPU (bench:viewer-frames). Every other round is
   * clipped to an inner rectangle, so the rasterizer's path for sprites that cross the frame's edge (which no
   * picture of the whole map takes, and the first zoom needs) runs here too: with it the second zoom frame
   * costs what the later ones do (1M points, CPU ms of the 40 zoom frames, `WARM=1 npm run bench:viewer-frames`,
   * three runs at load 10: p95 6.3-7.2 and first frame 10-20, against 11.8-32.3 and 7-33 without the clipped
   * rounds). Called once the first exact picture is on screen; stops when what is drawn changes.
   */
  warmUp(g: FrameGeometry, rounds = 4): void {
    const grid = this.grid;
    if (!grid || !this.points) return;
    const version = this.version;
    const inView = planSize(exactPlan(grid, g.box));
    const budget = Math.max(1, Math.min(FRAME_BUDGET, inView >> 1));
    const scratch = new Uint32Array(g.width * g.height);
    // every other round draws into an inner rectangle, so sprites crossing a frame's edge (a zoom's or pan's
    // first frames) run through the rasterizer's clipped path before they are needed
    const inner: Clip = { x0: g.width >> 2, y0: g.height >> 2, x1: (3 * g.width) >> 2, y1: (3 * g.height) >> 2 };
    let plan = emptyLodPlan();
    const round = (left: number): void => {
      if (left === 0 || version !== this.version || grid !== this.grid) return;
      plan = lodPlan(grid, g.box, budget, plan);
      run(this.steps(scratch, g, [plan], left % 2 === 0 ? inner : undefined));
      setTimeout(() => round(left - 1), 0);
    };
    setTimeout(() => round(rounds), 0);
  }

  /** Sprite pixels of one point in frame g. */
  private spritePixels(g: FrameGeometry): number {
    return diskSprite(pointStyle(this.points?.n ?? 0, g.k).radius * g.dpr).dx.length;
  }

  /** Points a moving frame g may draw: those that take FRAME_TARGET_MS at the measured speed. */
  private budget(g: FrameGeometry): number {
    return Math.max(20_000, Math.min(2_000_000, Math.round(FRAME_TARGET_MS / (this.msPerPixel * this.spritePixels(g)))));
  }

  /**
   * Adapts the speed estimate to this machine from a frame that blended `drawn` points in `ms`: the
   * median of the last few frames, so neither the first draw (before the JIT has compiled the
   * rasterizer, ten times slower) nor a frame the thread was paused in sets the next frames' points.
   */
  private calibrate(drawn: number, ms: number, g: FrameGeometry): void {
    if (drawn < 5_000 || ms < 0.2) return; // too little to time
    this.speeds.push(ms / (drawn * this.spritePixels(g)));
    if (this.speeds.length > 7) this.speeds.shift();
    const sorted = this.speeds.slice().sort((a, b) => a - b);
    this.msPerPixel = sorted[sorted.length >> 1];
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
