// The points layer of a map: the per-point arrays in draw order (grid cells, shuffled within each, so
// the rasterizer reads memory sequentially and a view's cells are contiguous stretches), the pixel
// buffer, and the policy of what a frame draws. While the map moves: a pan shifts the previous frame
// and draws only the strips it uncovers (pan-shift.ts); any other frame draws a density-aware level of
// detail (lod.ts) within a point budget adapted to this machine's measured speed (frame-budget.ts), from the compact
// sample of the cells (lod-sample.ts) at millions of points. At rest: the exact complete picture, in
// chunks between tasks when millions of points are in view. Past GRID_SYNC_POINTS points the grid is
// built between tasks after the first picture, which is drawn meanwhile from the input order (complete
// and exact, interleaved); hover and click answer once it is built (ready). Also renders snapshots at
// any scale for export.
import type { PointData } from '../points.js';
import { gridSteps, type GridIndex } from './grid-index.js';
import { chunkPlan, emptyLodPlan, exactPlan, FRAME_BUDGET, interleavedPlan, lodPlan, planSize, strideSample } from './lod.js';
import { buildSample, sampleOf, type LodSample } from './lod-sample.js';
import { emptyArrays, gather, type DrawArrays, type InputArrays } from './draw-arrays.js';
import { FrameBudget } from './frame-budget.js';
import { panShift, shiftPixels, uncoveredStrips, type ShownFrame } from './pan-shift.js';
import { primeDrawing } from './prime.js';
import { pointStyle, renderSteps, type Clip, type DrawPlan } from './render.js';
import type { Extent, RenderTransform } from './transform.js';

/** Points per chunk of the exact redraw at rest (one chunk per task). */
const REST_CHUNK = 1_500_000;
/** Longest stretch of exact drawing (or of building the grid) in one task, ms. */
const TASK_MS = 40;
/**
 * Maps of at most this many points build their grid at once (about 0.3 s at two million on a 2-core
 * machine); bigger ones after their first picture, between tasks (1.7 s of CPU at ten million).
 */
export const GRID_SYNC_POINTS = 2_000_000;
/**
 * Maps of at least this many points draw moving frames from the compact sample of lod-sample.ts; below,
 * the map's arrays (4 MB each at a million points) stay in the cache anyway.
 */
export const SAMPLE_MIN_POINTS = 2_000_000;

/** The performance measure of each round of the warm-up (bench:viewer reports their sum). */
export const WARM_UP_MEASURE = 'latentmap:warm-up';

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
  /** The grid index, once built (null while a big map's grid is built between tasks). */
  grid: GridIndex | null = null;
  points: PointData | null = null;
  /** What was set, in input order. */
  private input: InputArrays = { colors: new Uint32Array(0), visible: null, emphasis: null, marked: null };
  /** What is drawn: input order until the grid is built, then the grid's draw order. */
  private full: DrawArrays = emptyArrays();
  /** The level of detail's compact sample and its copies of the arrays (maps of SAMPLE_MIN_POINTS and more). */
  private sample: LodSample | null = null;
  private sampled: DrawArrays = emptyArrays();
  /** Counts grid builds started, so a build between tasks stops when the points change. */
  private building = 0;
  /** The level-of-detail path has been warmed up for these points (warmUp), or is being warmed up. */
  private warmed = false;
  /** A grid built between tasks waits for its warm-up before the layer reports ready. */
  private warming = false;
  /** Points up to which setPoints builds the grid at once (GRID_SYNC_POINTS; tests lower it). */
  gridSyncPoints = GRID_SYNC_POINTS;
  /** Points a moving frame may draw, at this machine's measured speed. */
  readonly frameBudget = new FrameBudget();
  /** Points from which moving frames draw from the compact sample (SAMPLE_MIN_POINTS; tests lower it). */
  sampleMinPoints = SAMPLE_MIN_POINTS;
  /** Called when a grid built between tasks is ready (the picture should be redrawn in its order). */
  onReady: () => void = () => {};
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
  /**
   * Points drawn by the last frame, whether it was the exact picture, and whether it was drawn (in part)
   * from the level of detail's compact sample.
   */
  lastDrawn = { points: 0, exact: true, sampled: false };

  constructor(private background: number) {
    // every branch of the drawing path run once on a miniature map, so that V8 compiles it for all of them
    primeDrawing();
  }

  /**
   * The points and their colors: the grid is built now (at most GRID_SYNC_POINTS points), or between
   * tasks once the first picture is on screen (onReady tells when).
   */
  setPoints(points: PointData, colors: Uint32Array): void {
    this.points = points;
    this.grid = null;
    this.sample = null;
    this.sampled = emptyArrays();
    this.building++;
    this.gridStarted = false;
    this.warmed = this.warming = false;
    this.input = { colors, visible: null, emphasis: null, marked: points.isNew };
    this.full = { x: points.x, y: points.y, colors, visible: null, emphasis: null, marked: points.isNew };
    if (points.n <= this.gridSyncPoints) run(this.buildSteps(this.building, false));
    this.changed();
  }

  /** Whether a grid is wanted and not yet being built (a big map before its first picture). */
  private get gridPending(): boolean {
    return this.points !== null && this.grid === null && !this.gridStarted;
  }
  private gridStarted = false;

  /** Builds the grid between tasks (TASK_MS each), then switches to its draw order and calls onReady. */
  private buildLater(): void {
    this.gridStarted = true;
    const build = this.building;
    runInTasks(this.buildSteps(build, true), () => build === this.building, () => this.onReady(), false);
  }

  /**
   * The grid of the current points, and the draw-ordered copies of their arrays, one slice per step; at
   * the end the layer switches to them (unless other points were set meanwhile). A build between tasks
   * (`later`) leaves the layer not yet ready: the picture is redrawn in the grid's order, then the level of
   * detail is warmed up (warmUp), and only then does it report itself ready. In the other order (warm-up,
   * then the ten-million-point redraw) the first moving frames after it ran cold: V8 had recompiled the
   * rasterizer for the exact picture (bench:viewer at 10M: a first pan frame of 119,000 points took 29-365 ms).
   */
  private *buildSteps(build: number, later: boolean): Generator<void, void> {
    const points = this.points!;
    this.gridStarted = true;
    const grid: GridIndex = yield* gridSteps(points.x, points.y, points.extent);
    const ids = grid.ids;
    const x = new Float32Array(ids.length);
    const y = new Float32Array(ids.length);
    for (let a = 0; a < ids.length; a += 1 << 20) {
      gather(x, points.x, ids, a, Math.min(ids.length, a + (1 << 20)));
      gather(y, points.y, ids, a, Math.min(ids.length, a + (1 << 20)));
      yield;
    }
    if (build !== this.building) return;
    this.grid = grid;
    const { colors, visible, emphasis, marked } = this.input;
    this.full = { x, y, colors: this.permute(colors), visible: this.permute(visible), emphasis: this.permute(emphasis), marked: this.permute(marked) };
    if (points.n >= this.sampleMinPoints) {
      this.sample = buildSample(grid);
      const f = this.full;
      this.sampled = { x: this.resample(f.x), y: this.resample(f.y), colors: this.resample(f.colors), visible: this.resample(f.visible), emphasis: this.resample(f.emphasis), marked: this.resample(f.marked) };
    }
    this.changed();
    // a grid built between tasks is followed by a redraw in its order, then the warm-up: ready after both
    this.warming = later;
  }

  /** Whether the layer is ready: the grid is built (and, when built between tasks, the level of detail warmed up). */
  get ready(): boolean {
    return this.grid !== null && !this.warming;
  }

  setColors(colors: Uint32Array): void {
    this.input.colors = colors;
    this.full.colors = this.permute(colors);
    this.sampled.colors = this.resample(this.full.colors);
    this.changed();
  }

  setVisible(mask: Uint8Array | null): void {
    this.input.visible = mask;
    this.full.visible = this.permute(mask);
    this.sampled.visible = this.resample(this.full.visible);
    this.changed();
  }

  setEmphasis(mask: Uint8Array | null): void {
    this.input.emphasis = mask;
    this.full.emphasis = this.permute(mask);
    this.sampled.emphasis = this.resample(this.full.emphasis);
    this.changed();
  }

  /** The level of detail's copy of a draw-ordered array (the input itself when there is no sample). */
  private resample<T extends Float32Array | Uint32Array | Uint8Array>(a: T): T;
  private resample<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null;
  private resample<T extends Float32Array | Uint32Array | Uint8Array>(a: T | null): T | null {
    return this.sample ? sampleOf(this.sample, a) : a;
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

  /** The drawing of `chunks` (all sampled, or none) in frame g. */
  private steps(pixels: Uint32Array, g: FrameGeometry, chunks: DrawPlan[], clip?: Clip): Generator<number, number> {
    const { radius, alpha } = pointStyle(this.points!.n, g.k);
    const a = chunks.length > 0 && chunks[0].sampled ? this.sampled : this.full;
    return renderSteps(
      pixels,
      { n: a.x.length, x: a.x, y: a.y, colors: a.colors, order: null, visible: a.visible, emphasis: a.emphasis, marked: a.marked },
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
    const t = { ax: old.ax, bx: old.bx + sx, ay: old.ay, by: old.by + sy }; // the fields in renderTransform's order: one object shape
    shiftPixels(pixels, g.width, g.height, sx, sy);
    const at = { ...g, transform: t };
    const pad = next.radius + 2;
    let drawn = 0;
    let sampled = false;
    for (const clip of uncoveredStrips(g.width, g.height, sx, sy)) {
      // the strip in data units, grown by the point radius; ay < 0, so y runs the other way
      const xa = (clip.x0 - pad - t.bx) / t.ax;
      const xb = (clip.x1 + pad - t.bx) / t.ax;
      const ya = (clip.y0 - pad - t.by) / t.ay;
      const yb = (clip.y1 + pad - t.by) / t.ay;
      const box = { xmin: Math.min(xa, xb), xmax: Math.max(xa, xb), ymin: Math.min(ya, yb), ymax: Math.max(ya, yb) };
      const plan = lodPlan(this.grid, box, this.budget(g), this.stripPlan, this.sample);
      if (plan.boost) this.stripPlan = plan;
      drawn += planSize(plan);
      sampled ||= plan.sampled;
      run(this.steps(pixels, at, [plan], clip));
    }
    this.shown = { ...next, transform: t };
    this.lastDrawn = { points: drawn, exact: false, sampled };
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
    if (!this.points) {
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
    // before a big map's grid is built: every point in interleaved input order
    const exact = this.grid ? exactPlan(this.grid, g.box) : interleavedPlan(this.points.n);
    const inView = planSize(exact);
    const budget = this.budget(g);
    if (moving && !force && inView > budget) {
      const plan = this.grid ? lodPlan(this.grid, g.box, budget, this.framePlan, this.sample) : strideSample(this.points.n, budget);
      if (plan.boost && this.grid) this.framePlan = plan;
      const drawn = planSize(plan);
      const blendStart = performance.now();
      run(this.steps(pixels, g, [plan]));
      const blendMs = performance.now() - blendStart;
      show(false);
      this.shown = this.frameOf(g);
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: drawn, exact: false, sampled: plan.sampled };
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
      this.lastDrawn = { points: inView, exact: true, sampled: false };
      this.calibrate(inView, blendMs, g);
      if (this.gridPending) this.buildLater();
      return;
    }
    const job = this.job;
    this.pending = key;
    const steps = this.steps(pixels, g, chunkPlan(exact, REST_CHUNK));
    const finished = () => {
      this.pending = null;
      show(true);
      this.shown = this.frameOf(g);
      this.lastDrawMs = performance.now() - started;
      this.lastDrawn = { points: inView, exact: true, sampled: false };
      if (this.gridPending) this.buildLater();
    };
    runInTasks(steps, () => job === this.job, finished, true);
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
   * rounds). Called once the first exact picture is on screen; stops when what is drawn changes. Since
   * prime.ts runs every branch before the first map, the warm-up no longer decides which branches V8
   * compiles: it has V8 compile the level of detail before the first zoom, and it calibrates the frame budget.
   */
  warmUp(g: FrameGeometry, rounds = 4): void {
    const grid = this.grid;
    if (!grid || !this.points || this.warmed) return;
    this.warmed = true;
    const version = this.version;
    const steps = this.warmRounds(g, grid, rounds);
    const round = (): void => {
      if (version !== this.version || grid !== this.grid || steps.next().done) {
        this.warming = false;
        return;
      }
      setTimeout(round, 0);
    };
    setTimeout(round, 0);
  }

  /** warmUp's rounds, one per step: the level-of-detail path of frame g drawn into a scratch buffer. */
  private *warmRounds(g: FrameGeometry, grid: GridIndex, rounds = 4): Generator<void, void> {
    const inView = planSize(exactPlan(grid, g.box));
    const budget = Math.max(1, Math.min(FRAME_BUDGET, inView >> 1));
    const scratch = new Uint32Array(g.width * g.height);
    // every other round draws into an inner rectangle, so sprites crossing a frame's edge (a zoom's or pan's
    // first frames) run through the rasterizer's clipped path before they are needed
    const inner: Clip = { x0: g.width >> 2, y0: g.height >> 2, x1: (3 * g.width) >> 2, y1: (3 * g.height) >> 2 };
    let plan = emptyLodPlan();
    for (let left = rounds; left > 0; left--) {
      const started = performance.now();
      plan = lodPlan(grid, g.box, budget, plan, this.sample);
      const t0 = performance.now();
      run(this.steps(scratch, g, [plan], left % 2 === 0 ? inner : undefined));
      // the unclipped rounds measure the speed the first moving frames' budget is set by (without them it
      // came from a first guess: at ten million points the first zoom frames drew 119,000 points in 50-120 ms)
      if (left % 2 === 1) this.calibrate(planSize(plan), performance.now() - t0, g);
      performance.measure(WARM_UP_MEASURE, { start: started });
      yield;
    }
  }

  /** Points a moving frame g may draw. */
  private budget(g: FrameGeometry): number {
    return this.frameBudget.points(this.points?.n ?? 0, g);
  }

  private calibrate(drawn: number, ms: number, g: FrameGeometry): void {
    this.frameBudget.calibrate(this.points?.n ?? 0, drawn, ms, g);
  }

  /** The exact picture into a fresh buffer of g.width x g.height (export at any scale). */
  snapshot(g: FrameGeometry): Uint32Array {
    const pixels = new Uint32Array(g.width * g.height);
    if (!this.points) return pixels.fill(this.background);
    run(this.steps(pixels, g, [this.grid ? exactPlan(this.grid, g.box) : interleavedPlan(this.points.n)]));
    return pixels;
  }
}

/**
 * Runs a generator's steps in tasks of at most TASK_MS each, a setTimeout between them, while alive() holds;
 * then calls done. The first task runs at once with `now`, otherwise after a setTimeout.
 */
function runInTasks(steps: Generator<unknown, unknown>, alive: () => boolean, done: () => void, now: boolean): void {
  const task = (): void => {
    if (!alive()) return;
    const t0 = performance.now();
    let r = steps.next();
    while (!r.done && performance.now() - t0 < TASK_MS) r = steps.next();
    if (r.done) done();
    else setTimeout(task, 0);
  };
  if (now) task();
  else setTimeout(task, 0);
}

function run(it: Generator<unknown, unknown>): void {
  for (let r = it.next(); !r.done; r = it.next());
}
