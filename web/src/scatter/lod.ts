// Level of detail: which points a frame draws. At rest the plan is exact (every point of every cell the
// view touches). While the user pans or zooms and the view holds more points than the frame budget, the
// plan is density-aware: a water level q is found so that cells holding at most q points are drawn
// whole, and denser cells draw a uniform sample of q points (their first q, as cells are shuffled),
// each drawn with the opacity of the points it stands for. Sparse regions, outliers and small
// clusters keep every point; only the saturated cores are thinned, where the eye cannot count anyway.
// Pure: no DOM.
import type { Box, GridIndex } from './grid-index.js';
import { colOf, rowOf } from './grid-index.js';
import type { LodSample } from './lod-sample.js';
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
  const plan: DrawPlan = { from: new Uint32Array(rows), to: new Uint32Array(rows), boost: null, count: 0, sampled: false };
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
 * Empty arrays for lodPlan to fill and grow, kept by the caller between frames. lodPlan is always given
 * one (never null): V8 optimizes it for the arguments it has seen, and a plan that is sometimes null made
 * the optimized code bail out to the interpreter in the middle of every frame (measured with
 * --trace-deopt on the zoom frames of bench:viewer: 40-160 ms frames among 5 ms ones).
 */
export function emptyLodPlan(): DrawPlan {
  return { from: new Uint32Array(0), to: new Uint32Array(0), boost: new Float32Array(0), count: 0, sampled: false };
}

/**
 * The interactive plan: exact when the box holds at most `budget` points, otherwise every cell capped
 * at the water level q (the largest q with sum(min(count, q)) <= budget), boosted by count / q. The
 * result reuses `into`'s arrays when they are large enough (no garbage per frame): keep it for the next
 * frame when its boost is not null (emptyLodPlan() to begin with). With a `sample` whose cap is at least
 * q, the capped plan's stretches index the sample's arrays (plan.sampled): the same points, stored
 * side by side.
 */
export function lodPlan(g: GridIndex, box: Box, budget: number, into: DrawPlan, sample: LodSample | null = null): DrawPlan {
  const exact = exactPlan(g, box);
  return planSize(exact) <= budget ? exact : cappedPlan(g, box, budget, into, sample === null ? NO_SAMPLE : sample);
}

/** cappedPlan's stand-in for no sample (always an object: see emptyLodPlan on V8 and changing arguments). */
const NO_SAMPLE: LodSample = { cap: 0, start: new Uint32Array(0), pick: new Uint32Array(0) };

/**
 * lodPlan's capped plan. Each loop over the cells lives in a function of its own with no call inside or
 * after it: V8 compiles a long loop while it runs (on-stack replacement) and reuses that code on later
 * calls, and a call it had not yet seen when it compiled made every later frame bail out to the
 * interpreter there (measured with node --trace-deopt on bench:viewer's zoom frames: the first frames
 * of a zoom took 40-160 ms among 5 ms ones). The same holds for lodPlan's early return: pan strips take
 * it frame after frame.
 */
function cappedPlan(g: GridIndex, box: Box, budget: number, into: DrawPlan, sample: LodSample): DrawPlan {
  const c0 = colOf(g, box.xmin);
  const c1 = colOf(g, box.xmax);
  const r0 = rowOf(g, box.ymin);
  const r1 = rowOf(g, box.ymax);
  cellStats(g, c0, c1, r0, r1);
  const cells = stats[0];
  const q = waterLevel(g, c0, c1, r0, r1, stats[1], budget);
  // a frame's plan reuses the last one's arrays when they are large enough (no garbage per frame)
  const plan: DrawPlan =
    into.boost !== null && into.from.length >= cells
      ? { from: into.from, to: into.to, boost: into.boost, count: 0, sampled: false }
      : { from: new Uint32Array(cells), to: new Uint32Array(cells), boost: new Float32Array(cells), count: 0, sampled: false };
  plan.sampled = q <= sample.cap;
  plan.count = fillCapped(g, plan.sampled ? sample.start : g.start, c0, c1, r0, r1, q, plan.from, plan.to, plan.boost!);
  return plan;
}

/** cellStats' answer: [non-empty cells, largest count]. */
const stats = new Uint32Array(2);

/** The non-empty cells and the largest count of the cells in [c0, c1] x [r0, r1], into `stats`. */
function cellStats(g: GridIndex, c0: number, c1: number, r0: number, r1: number): void {
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
  stats[0] = cells;
  stats[1] = max;
}

/**
 * The stretches of the cells in [c0, c1] x [r0, r1] capped at q points, each boosted by count / q;
 * consecutive cells under the water level merge into one stretch of boost 1. A cell's stretch starts at
 * base[cell] (the grid's start, or a sample's holding at least q points of each cell). The arrays hold at
 * least one entry per non-empty cell. Returns the number of stretches.
 */
function fillCapped(
  g: GridIndex, base: Uint32Array, c0: number, c1: number, r0: number, r1: number, q: number,
  from: Uint32Array, to: Uint32Array, boost: Float32Array,
): number {
  let count = 0;
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      const a = base[cell];
      const k = g.start[cell + 1] - g.start[cell];
      if (k === 0) continue;
      const take = k < q ? k : q;
      const b = k / take;
      if (b === 1 && count > 0 && boost[count - 1] === 1 && to[count - 1] === a) {
        to[count - 1] = a + take;
        continue;
      }
      from[count] = a;
      to[count] = a + take;
      boost[count] = b;
      count++;
    }
  }
  return count;
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
  // the counts are read inline, not through a closure made per call: V8 compiled the call for the
  // first call's closure and bailed out on the next frame's ('wrong call target' in chromium)
  const start = g.start;
  const cols = g.cols;
  if (max > HISTOGRAM_MAX) {
    // binary search, each probe a pass over the cells
    let lo = 1;
    let hi = max;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      let sum = 0;
      for (let r = r0; r <= r1 && sum <= budget; r++) {
        for (let c = c0; c <= c1; c++) {
          const cell = r * cols + c;
          const k = start[cell + 1] - start[cell];
          sum += k < mid ? k : mid;
        }
      }
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
      const cell = r * cols + c;
      const k = start[cell + 1] - start[cell];
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
  let cur: DrawPlan = { from: new Uint32Array(8), to: new Uint32Array(8), boost: null, count: 0, sampled: false };
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
        cur = { from: new Uint32Array(8), to: new Uint32Array(8), boost: null, count: 0, sampled: false };
        size = 0;
      }
    }
  }
  if (cur.count) out.push(cur);
  return out;
}

/** Points per stretch of the input-order plans (sequential reads). */
const INPUT_BLOCK = 256;
/** Stretches of the input visited in turn by interleavedPlan. */
const INPUT_SECTIONS = 64;

/**
 * Every point in input order, but interleaved: the input is cut into INPUT_SECTIONS sections, which are
 * visited in turn, INPUT_BLOCK points at a time. The picture a map shows before its grid index (and its
 * shuffled draw order) is built: complete and exact, and a file sorted by class does not paint its last
 * class over the others.
 */
export function interleavedPlan(n: number): DrawPlan {
  const section = Math.ceil(n / INPUT_SECTIONS);
  const rounds = Math.ceil(section / INPUT_BLOCK);
  const size = rounds * INPUT_SECTIONS;
  const plan: DrawPlan = { from: new Uint32Array(size), to: new Uint32Array(size), boost: null, count: 0, sampled: false };
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < INPUT_SECTIONS; s++) {
      const end = Math.min(n, (s + 1) * section);
      const a = s * section + r * INPUT_BLOCK;
      if (a >= end) continue;
      plan.from[plan.count] = a;
      plan.to[plan.count] = Math.min(end, a + INPUT_BLOCK);
      plan.count++;
    }
  }
  return plan;
}

/**
 * A moving frame's plan before the grid index exists: every m-th block of INPUT_BLOCK points in input
 * order (m the smallest stride that keeps within `budget`), each point drawn with the opacity of the m it
 * stands for; all points when n <= budget.
 */
export function strideSample(n: number, budget: number): DrawPlan {
  const m = Math.max(1, Math.ceil(n / Math.max(1, budget)));
  const blocks = Math.max(1, Math.min(Math.ceil(n / (INPUT_BLOCK * m)), Math.floor(budget / INPUT_BLOCK)));
  const plan: DrawPlan = { from: new Uint32Array(blocks), to: new Uint32Array(blocks), boost: new Float32Array(blocks).fill(m), count: blocks, sampled: false };
  for (let b = 0; b < blocks; b++) {
    plan.from[b] = b * INPUT_BLOCK * m;
    plan.to[b] = Math.min(n, plan.from[b] + INPUT_BLOCK);
  }
  return plan;
}
