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
export function lodPlan(g: GridIndex, box: Box, budget = FRAME_BUDGET): DrawPlan {
  const exact = exactPlan(g, box);
  if (planSize(exact) <= budget) return exact;
  const c0 = colOf(g, box.xmin);
  const c1 = colOf(g, box.xmax);
  const r0 = rowOf(g, box.ymin);
  const r1 = rowOf(g, box.ymax);
  const counts: number[] = [];
  let max = 0;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      const k = g.start[cell + 1] - g.start[cell];
      if (k > 0) counts.push(k);
      if (k > max) max = k;
    }
  }
  // binary search of the water level
  let lo = 1;
  let hi = max;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    let sum = 0;
    for (let j = 0; j < counts.length && sum <= budget; j++) sum += counts[j] < mid ? counts[j] : mid;
    if (sum <= budget) lo = mid;
    else hi = mid - 1;
  }
  const q = lo;
  const plan: DrawPlan = { from: new Uint32Array(counts.length), to: new Uint32Array(counts.length), boost: new Float32Array(counts.length), count: 0 };
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
