// Priming the drawing path for V8: before the first map, a miniature map (a few hundred points on a 16 x 16
// grid, a 24 x 16 pixel buffer) is run through every branch of the level of detail's planning and of the
// rasterizer, three times (V8 starts recording what a function meets only after its first few calls).
// V8 compiles a function, once it is hot, for the kinds of values and the branches recorded so far, and
// throws the compiled code away the first time something else comes along, then recompiles it: tens of ms
// of CPU each time on a 2-core machine. Without priming, the first zoom of a map met branches its exact
// picture and its pans never ran (a capped plan's cells, boosted stretches, sprites across the frame's
// edge) and paid for that in its first frames. Values have the kinds a real map's have: fractional
// coordinates and transforms, int32 pixels. Pure: no DOM; the primed functions' results are discarded, and
// the only state they leave is the rasterizer's sprite cache and lod.ts's scratch arrays.
import { buildGrid, type Box } from './grid-index.js';
import { chunkPlan, emptyLodPlan, exactPlan, interleavedPlan, lodPlan, planSize, strideSample, waterLevel } from './lod.js';
import { buildSample } from './lod-sample.js';
import { drawOrder, renderSteps, type Clip, type DrawPlan, type RenderInput, type RenderOptions } from './render.js';
import type { RenderTransform } from './transform.js';

/** Rounds of priming: enough calls of each function for V8 to start recording what it meets (its feedback vector comes after a few calls or one long loop). */
const ROUNDS = 3;

let primed = false;

/** The performance measure of primeDrawing's run (bench:viewer reports it). */
export const PRIME_MEASURE = 'latentmap:prime-drawing';

/** Primes the level of detail and the rasterizer, once per page; its time is the performance measure PRIME_MEASURE. */
export function primeDrawing(): void {
  if (primed) return;
  primed = true;
  const start = performance.now();
  primeLevelOfDetail();
  primeRasterizer();
  performance.measure(PRIME_MEASURE, { start });
}

/** n points in three clusters with a sparse halo, fractional coordinates, seeded. */
function miniature(n: number): { x: Float32Array; y: Float32Array } {
  let s = 11;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const spread = i % 9 === 0 ? 2.5 : 0.4;
    x[i] = (i % 3) * 1.7 - 1.6 + (r() - 0.5) * spread;
    y[i] = (i % 3) * 0.9 - 1.1 + (r() - 0.5) * spread;
  }
  return { x, y };
}

/**
 * The planning of lod.ts on a miniature grid: capped plans (from the grid and from a compact sample), the
 * exact plan a small view takes, both ways of finding the water level, the chunks of an exact picture and
 * the plans of a map before its grid.
 */
function primeLevelOfDetail(): void {
  const n = 600;
  const { x, y } = miniature(n);
  const extent: Box = { xmin: -3.05, xmax: 3.15, ymin: -2.95, ymax: 3.05 };
  const grid = buildGrid(x, y, extent, 16);
  const sample = buildSample(grid, 4);
  const boxes: Box[] = [
    { xmin: -3.4, xmax: 3.5, ymin: -3.3, ymax: 3.4 }, // the whole map and beyond
    { xmin: -1.3, xmax: 1.45, ymin: -0.95, ymax: 1.2 }, // zoomed in
    { xmin: 2.2, xmax: 5.6, ymin: -0.4, ymax: 0.7 }, // a pan's strip at the edge
  ];
  let frame = emptyLodPlan();
  let strip = emptyLodPlan();
  for (let round = 0; round < ROUNDS; round++) {
    for (const box of boxes) {
      // as points-layer.ts keeps them: a plan with a boost is reused by the next frame
      const budget = 30 + round * 7;
      const a = lodPlan(grid, box, budget, frame, null);
      if (a.boost) frame = a;
      const b = lodPlan(grid, box, budget >> 1, strip, sample);
      if (b.boost) strip = b;
      lodPlan(grid, box, 100_000, frame, sample); // within the budget: the exact plan
      planSize(a);
      planSize(b);
      chunkPlan(exactPlan(grid, box), 50 + round);
    }
    // the binary search a cell of more than 65,536 points takes
    waterLevel(grid, 0, grid.cols - 1, 0, grid.rows - 1, 70_000 + round, 150);
    planSize(strideSample(n, 200 + round));
    planSize(interleavedPlan(n + round));
  }
}

/**
 * Every branch of the rasterizer: whole and clipped frames, sprites inside, across each edge and outside,
 * a NaN point, plain and boosted stretches (up to fully opaque pixels), a draw order, hidden, emphasized and
 * ringed points; through renderSteps, as the points layer draws, with the object shapes it passes.
 */
function primeRasterizer(): void {
  const w = 24;
  const h = 16;
  const buf = new Uint32Array(w * h);
  const n = 40;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const colors = new Uint32Array(n);
  const visible = new Uint8Array(n);
  const emphasis = new Uint8Array(n);
  const marked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // pixels -4.5 .. 28.3 across, 19.6 .. -4.3 down: inside, across every edge, outside
    x[i] = (i % 8) * 0.43 - 0.8 + i * 0.013;
    y[i] = (i % 5) * 0.61 - 0.55 + i * 0.011;
    colors[i] = (0xff000000 | (i * 0x2f1d0b)) >>> 0;
    visible[i] = i % 7 === 3 ? 0 : 1;
    emphasis[i] = i % 3 === 0 ? 1 : 0;
    marked[i] = i % 4 === 1 ? 1 : 0;
  }
  x[5] = NaN;
  const order = drawOrder(n, 7);
  const t: RenderTransform = { ax: 9.7, bx: 3.3, ay: -7.9, by: 11.2 };
  const exact: DrawPlan = { from: Uint32Array.of(0, 17), to: Uint32Array.of(12, n), boost: null, count: 2, sampled: false };
  const lod: DrawPlan = { from: Uint32Array.of(0, 9, 20), to: Uint32Array.of(4, 13, 31), boost: Float32Array.of(1, 2.5, 9), count: 3, sampled: true };
  const inner: Clip = { x0: 5, y0: 3, x1: 19, y1: 12 };
  // the object shapes points-layer.ts passes
  const plain: RenderInput = { n, x, y, colors, order: null, visible: null, emphasis: null, marked: null };
  const ordered: RenderInput = { n, x, y, colors, order, visible: null, emphasis: null, marked: null };
  const masked: RenderInput = { n, x, y, colors, order: null, visible, emphasis: null, marked };
  const emphasized: RenderInput = { n, x, y, colors, order: null, visible, emphasis, marked };
  const draw = (input: RenderInput, opts: RenderOptions, chunks: (DrawPlan | null)[]) => {
    const steps = renderSteps(buf, input, t, opts, chunks);
    for (let r = steps.next(); !r.done; r = steps.next());
  };
  for (let round = 0; round < ROUNDS; round++) {
    const radius = 1.7 + (round % 3) * 0.6;
    const whole: RenderOptions = { width: w, height: h, radius, alpha: 0.7, background: 0xffffffff, clip: undefined };
    const clipped: RenderOptions = { width: w, height: h, radius, alpha: 0.7, background: 0xffffffff, clip: inner };
    draw(plain, whole, [null]);
    draw(ordered, clipped, [exact]);
    draw(plain, whole, [lod]);
    draw(masked, clipped, [lod, exact]);
    draw(emphasized, whole, [exact]);
  }
}
