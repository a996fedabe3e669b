// Level of detail: which points a frame draws. At rest the plan is exact (every point of every cell the
// view touches). While the user pans or zooms and the view holds more points than the frame budget, the
// plan is density-aware: a water level q is found so that cells holding at most q points are drawn
// whole, and denser cells draw a uniform sample of q points (their first q, as cells are shuffled),
// each drawn with the opacity of the points it stands for. Sparse regions, outliers and small
// clusters keep every point; only the saturated cores are thinned, where the eye cannot count anyway.
// Pure: no DOM.
import type { Box, GridIndex } from './grid-index.js';
import { colOf, rowOf } from './grid-index.js';
import type { DrawPlan } from './render.js';

/** Points drawn while the map moves, by default (about 10 ms of the rasterizer on a 2-core machine). */
export const FRAME_BUDGET = 300_000;

function growPlan(plan: DrawPlan, need: number): void {
  if (plan.from.length >= need) return;
  const size = Math.max(need, plan.from.length * 2);
  const from = new Uint32Array(size);
  from.set(plan.from);
  const to = new Uint32Array(size);
  to.set(plan.to);
  plan.from = from;
  plan.to = to;
  if (plan.boost) {
    const boost = new Float32Array(size);
    boost.set(plan.boost);
    plan.boost = boost;
  }
}

/** Every point of the cells the box touches: one stretch per grid row. */
export function exactPlan(g: GridIndex, box: Box): DrawPlan {
  const c0 = colOf(g, box.xmin);
  const c1 = colOf(g, box.xmax);
  const r0 = rowOf(g, box.ymin);
  const r1 = rowOf(g, box.ymax);
  const rows = Math.max(0, r1 - r0 + 1);
  const plan: DrawPlan = { from: new Uint32Array(rows), to: new Uint32Array(rows), boost: null, count: 0 };
  for (let r = r0; r <= r1; r++) {
    const a = g.start[r * g.cols + c0];
    const b = g.start[r * g.cols + c1 + 1];
    if (b > a) {
      plan.from[plan.count] = a;
      plan.to[plan.count] = b;
      plan.count++;
    }
  }
  return plan;
}

/** Points a plan draws. */
export function planSize(plan: DrawPlan): number {
  let s = 0;
  for (let r = 0; r < plan.count; r++) s += plan.to[r] - plan.from[r];
  return s;
}

/**
 * The interactive plan: exact when the box holds at most `budget` points, otherwise every cell capped
 * at the water level q (the largest q with sum(min(count, q)) <= budget), boosted by count / q.
 */
export function lodPlan(g: GridIndex, box: Box, budget = FRAME_BUDGET, into: DrawPlan | null = null): DrawPlan {
  const exact = exactPlan(g, box);
  if (planSize(exact) <= budget) return exact;
  const c0 = colOf(g, box.xmin);
  const c1 = colOf(g, box.xmax);
  const r0 = rowOf(g, box.ymin);
  const r1 = rowOf(g, box.ymax);
  let cells = 0;
  let max = 0;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      const k = g.start[cell + 1] - g.start[cell];
      if (k > 0) cells++;
      if (k > max) max = k;
    }
  }
  const q = waterLevel(g, c0, c1, r0, r1, max, budget);
  // a frame's plan reuses the last one's arrays when given (no garbage per frame)
  const plan: DrawPlan =
    into && into.boost && into.from.length >= cells
      ? { from: into.from, to: into.to, boost: into.boost, count: 0 }
      : { from: new Uint32Array(cells), to: new Uint32Array(cells), boost: new Float32Array(cells), count: 0 };
  for (let r = r0; r <= r1; r++) {
    // consecutive cells under the water level merge into one stretch of boost 1
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      const a = g.start[cell];
      const k = g.start[cell + 1] - a;
      if (k === 0) continue;
      const take = k < q ? k : q;
      const boost = k / take;
      const last = plan.count - 1;
      if (boost === 1 && last >= 0 && plan.boost![last] === 1 && plan.to[last] === a) {
        plan.to[last] = a + take;
        continue;
      }
      growPlan(plan, plan.count + 1);
      plan.from[plan.count] = a;
      plan.to[plan.count] = a + take;
      plan.boost![plan.count] = boost;
      plan.count++;
    }
  }
  return plan;
}

/** Largest count handled by a histogram of cell counts; denser cells fall back to a binary search. */
const HISTOGRAM_MAX = 1 << 16;
/** The histogram's storage, kept between frames. */
let histogram = new Uint32Array(1024);

/**
 * The water level of the cells in [c0, c1] x [r0, r1]: the largest q >= 1 with sum(min(count, q)) <=
 * budget. From a histogram of the counts, one sweep: S(q + 1) = S(q) + #(count > q), in O(cells + max).
 */
export function waterLevel(g: GridIndex, c0: number, c1: number, r0: number, r1: number, max: number, budget: number): number {
  const count = (cell: number) => g.start[cell + 1] - g.start[cell];
  if (max > HISTOGRAM_MAX) {
    // binary search, each probe a pass over the cells
    let lo = 1;
    let hi = max;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      let sum = 0;
      for (let r = r0; r <= r1 && sum <= budget; r++) for (let c = c0; c <= c1; c++) sum += Math.min(count(r * g.cols + c), mid);
      if (sum <= budget) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  if (histogram.length < max + 1) histogram = new Uint32Array(Math.max(max + 1, 2 * histogram.length));
  const hist = histogram;
  hist.fill(0, 0, max + 1);
  let above = 0; // cells with count >= q (q = 1: every non-empty cell)
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const k = count(r * g.cols + c);
      hist[k]++;
      if (k > 0) above++;
    }
  }
  let q = 1;
  let sum = above; // S(1)
  while (q < max) {
    above -= hist[q]; // cells with count > q
    if (sum + above > budget) break;
    sum += above;
    q++;
  }
  return q;
}

/**
 * The plan of the exact picture split into chunks of about `chunk` points, so a full redraw of ten
 * million points can run across several tasks without blocking input.
 */
export function chunkPlan(plan: DrawPlan, chunk: number): DrawPlan[] {
  const out: DrawPlan[] = [];
  let cur: DrawPlan = { from: new Uint32Array(8), to: new Uint32Array(8), boost: null, count: 0 };
  let size = 0;
  for (let r = 0; r < plan.count; r++) {
    let a = plan.from[r];
    const b = plan.to[r];
    while (a < b) {
      const take = Math.min(b - a, chunk - size);
      growPlan(cur, cur.count + 1);
      cur.from[cur.count] = a;
      cur.to[cur.count] = a + take;
      cur.count++;
      size += take;
      a += take;
      if (size >= chunk) {
        out.push(cur);
        cur = { from: new Uint32Array(8), to: new Uint32Array(8), boost: null, count: 0 };
        size = 0;
      }
    }
  }
  if (cur.count) out.push(cur);
  return out;
}
