// The point renderer: rasterizes every point straight into a Uint32 pixel buffer (ImageData layout),
// alpha-blended anti-aliased disks, no per-point canvas calls. Pure: no DOM, so the benchmark and tests
// can run it anywhere. The caller puts the buffer on a canvas with putImageData.
//
// Written for V8's optimizing compilers, which compile a function for the kinds of values and the
// branches it has met so far, and throw that code away (deoptimize, then recompile: tens of ms of CPU at
// a time on a 2-core machine) the first time a value or a branch it has not met comes along. The first
// zoom frames met several the exact picture and pan frames never had (sprites crossing the frame's edge,
// fully opaque sprite pixels, boosted opacities, new object shapes): they took 20-90 ms among 3 ms ones.
// So the hot loop (blendStretches) takes only numbers and typed arrays; a sprite crossing the frame's
// edge is drawn as horizontal runs clipped with min and max (no test per pixel), fully opaque pixels go
// through the same blend as the rest (no branch of their own), and prime.ts runs every branch once on a
// tiny buffer before the first map.
import type { RenderTransform } from './transform.js';

/** One pixel of a point sprite: offset from the point's pixel and coverage (0-256). */
export interface Sprite {
  dx: Int32Array;
  dy: Int32Array;
  cover: Int32Array;
  radius: number;
  /**
   * The same pixels as horizontal runs, in the same order: run j covers the runLen[j] pixels from
   * (runX[j], runY[j]) rightwards, whose coverages are cover[runAt[j]...].
   */
  runX: Int32Array;
  runY: Int32Array;
  runLen: Int32Array;
  runAt: Int32Array;
  /** Blend weights (coverage x opacity >> 8, 0-256) of the sprite's pixels at opacity a: weights[a * m + s], filled when filled[a] is 1. */
  weights: Int32Array;
  filled: Uint8Array;
}

const spriteCache = new Map<number, Sprite>();

/**
 * A disk sprite of the given radius in device pixels, coverage by 4x4 supersampling.
 * Radii are rounded to quarter pixels and cached.
 */
export function diskSprite(radius: number): Sprite {
  const r = Math.max(0.5, Math.round(radius * 4) / 4);
  const cached = spriteCache.get(r);
  if (cached) return cached;
  const dx: number[] = [];
  const dy: number[] = [];
  const cover: number[] = [];
  const R = Math.ceil(r);
  for (let y = -R; y <= R; y++) {
    for (let x = -R; x <= R; x++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const px = x - 0.5 + (sx + 0.5) / 4;
          const py = y - 0.5 + (sy + 0.5) / 4;
          if (px * px + py * py <= r * r) hits++;
        }
      }
      // pixels the disk barely touches (1 or 2 of 16 samples) are left out: invisible, but they cost as much as the rest
      if (hits > 2) {
        dx.push(x);
        dy.push(y);
        cover.push(hits * 16);
      }
    }
  }
  if (dx.length === 0) {
    dx.push(0);
    dy.push(0);
    cover.push(256);
  }
  // runs: consecutive pixels of one row (the pixels are in row order, left to right)
  const runX: number[] = [];
  const runY: number[] = [];
  const runLen: number[] = [];
  const runAt: number[] = [];
  for (let s = 0; s < dx.length; s++) {
    const j = runX.length - 1;
    if (j >= 0 && runY[j] === dy[s] && runX[j] + runLen[j] === dx[s]) runLen[j]++;
    else {
      runX.push(dx[s]);
      runY.push(dy[s]);
      runLen.push(1);
      runAt.push(s);
    }
  }
  const m = dx.length;
  const sprite: Sprite = {
    dx: Int32Array.from(dx),
    dy: Int32Array.from(dy),
    cover: Int32Array.from(cover),
    radius: r,
    runX: Int32Array.from(runX),
    runY: Int32Array.from(runY),
    runLen: Int32Array.from(runLen),
    runAt: Int32Array.from(runAt),
    weights: new Int32Array(257 * m),
    filled: new Uint8Array(257),
  };
  spriteCache.set(r, sprite);
  return sprite;
}

export type { RenderTransform };

export interface RenderOptions {
  /** Buffer width and height in device pixels. */
  width: number;
  height: number;
  /** Point radius in device pixels. */
  radius: number;
  /** Point opacity, 0-1. */
  alpha: number;
  /** Background, packed 0xAABBGGRR; the buffer is cleared to it first. */
  background: number;
  /**
   * While an emphasis is active, the most of its own colour a pixel of the other points keeps (0-1, default
   * DIM_KEEP): they are drawn smaller, then faded toward the background, so even a dense pile of them stays
   * a pale tint, clearly apart from the emphasized points drawn on top in full colour.
   */
  dimKeep?: number;
  /** Color of the ring drawn around `marked` points (default dark grey). */
  ringColor?: number;
  /**
   * Only this rectangle of the buffer, device px [x0, x1) x [y0, y1), is cleared and drawn (default the
   * whole buffer): the strip a pan uncovers, the rest of the buffer being the previous frame shifted.
   */
  clip?: Clip;
}

/** A rectangle of the pixel buffer, device px: [x0, x1) x [y0, y1). */
export interface Clip {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface RenderInput {
  n: number;
  x: Float32Array;
  y: Float32Array;
  /** Packed color per point. */
  colors: Uint32Array;
  /** Draw order (a permutation of 0..n-1); default input order. */
  order?: Uint32Array | null;
  /** 0: hidden. Null: all visible. */
  visible?: Uint8Array | null;
  /** When set, points with 1 are drawn on top at full opacity and the rest dimmed. */
  emphasis?: Uint8Array | null;
  /** Points with 1 get a dark ring (e.g. the new points of a transform run). */
  marked?: Uint8Array | null;
}

/**
 * Which stretches of the (draw-ordered) arrays to draw: [from[r], to[r]) for r < count, each with an
 * opacity boost (a point standing for `boost` points is drawn as `boost` layers would be:
 * 1 - (1 - alpha)^boost). Null boost: 1 everywhere. Built by lod.ts from the grid index.
 */
export interface DrawPlan {
  from: Uint32Array;
  to: Uint32Array;
  boost: Float32Array | null;
  count: number;
  /**
   * True when the stretches index the level of detail's compact sample (lod-sample.ts), whose arrays the
   * caller then draws, rather than the map's whole arrays.
   */
  sampled: boolean;
}

/**
 * One pass of the rasterizer over a plan: its points' sprite and opacity (0-256); which points (want -1:
 * every visible one; 0/1: those whose emphasis equals it; onlyMarked: the marked ones); override 1 draws them
 * all in `color` (int32 ABGR), 0 in their own colours; whether they count as drawn (a ring does not).
 */
interface Pass {
  sprite: Sprite;
  alpha: number;
  want: number;
  override: number;
  color: number;
  onlyMarked: boolean;
  counts: boolean;
  /** After this pass (all its plans), fade the clip toward the background to keep this share (0-256; 0: no fade). */
  fadeAfter: number;
}

/** Default RenderOptions.dimKeep: a dimmed pixel keeps at most this share of its colour. */
export const DIM_KEEP = 0.28;
/** Dimmed points are drawn at this share of the point radius (at least DIM_MIN_RADIUS device px). */
export const DIM_RADIUS = 0.75;
const DIM_MIN_RADIUS = 0.6;

/**
 * Fades the rectangle [x0, x1) x [y0, y1) of `buf` toward `background`: each channel keeps keep256 / 256 of its
 * distance from the background's. Numbers and typed arrays only, like the rasterizer's loop.
 */
function fadeToward(buf: Int32Array, w: number, x0: number, y0: number, x1: number, y1: number, background: number, keep256: number): void {
  const br = background & 255;
  const bg = (background >> 8) & 255;
  const bb = (background >> 16) & 255;
  for (let py = y0; py < y1; py++) {
    for (let p = py * w + x0, pe = py * w + x1; p < pe; p++) {
      const d = buf[p];
      const r = d & 255;
      const g = (d >> 8) & 255;
      const b = (d >> 16) & 255;
      buf[p] = (0xff000000 | ((bb + (((b - bb) * keep256) >> 8)) << 16) | ((bg + (((g - bg) * keep256) >> 8)) << 8) | (br + (((r - br) * keep256) >> 8))) | 0;
    }
  }
}

/** Weight offsets per stretch (stretchWeights' answer), kept between passes. */
let stretchWeightAt = new Int32Array(1024);

/**
 * Fills sprite.weights for opacity `alpha` (0-256) on first use; returns where they start (alpha * m).
 */
function weightsFor(sprite: Sprite, alpha: number): number {
  const m = sprite.cover.length;
  const at = alpha * m;
  if (sprite.filled[alpha] === 0) {
    sprite.filled[alpha] = 1;
    const cover = sprite.cover;
    const weights = sprite.weights;
    for (let s = 0; s < m; s++) weights[at + s] = (cover[s] * alpha) >> 8;
  }
  return at;
}

/**
 * Where each of the first `count` stretches' blend weights start in sprite.weights: the opacity of a
 * stretch standing for `boost` points is 1 - (1 - alpha)^boost (alpha256 / 256 the point opacity).
 */
function stretchWeights(boost: Float32Array, count: number, alpha256: number, sprite: Sprite): Int32Array {
  if (stretchWeightAt.length < count) stretchWeightAt = new Int32Array(Math.max(count, 2 * stretchWeightAt.length));
  const out = stretchWeightAt;
  const a1 = Math.min(alpha256 / 256, 0.999);
  const plain = weightsFor(sprite, alpha256);
  // the last boost's weights, reused while the boost repeats (cells capped at the same water level)
  let lastBoost = 1;
  let lastAt = plain;
  for (let r = 0; r < count; r++) {
    const b = boost[r];
    if (b !== lastBoost) {
      lastBoost = b;
      lastAt = weightsFor(sprite, Math.round((1 - Math.pow(1 - a1, b)) * 256));
    }
    out[r] = lastAt;
  }
  return out;
}

/**
 * One pass of the rasterizer over the stretches of `plan`: blends each qualifying point's sprite into
 * the buffer. The sprite's blend weights are computed once per opacity (and kept with the sprite): a
 * level-of-detail plan has a stretch per grid cell, tens of thousands of them, sharing a few opacities.
 */
function blendPass(buf: Int32Array, w: number, clip: Clip, input: RenderInput, colors: Int32Array, t: RenderTransform, pass: Pass, plan: DrawPlan): number {
  const { sprite, alpha: alpha256, want, override, color, onlyMarked } = pass;
  if (onlyMarked && !input.marked) return 0;
  const count = plan.count;
  let weightAt: Int32Array;
  if (plan.boost === null) {
    if (stretchWeightAt.length < count) stretchWeightAt = new Int32Array(Math.max(count, 2 * stretchWeightAt.length));
    weightAt = stretchWeightAt;
    weightAt.fill(weightsFor(sprite, alpha256), 0, count);
  } else weightAt = stretchWeights(plan.boost, count, alpha256, sprite);
  const R = Math.ceil(sprite.radius) | 0;
  const x0 = clip.x0 | 0;
  const y0 = clip.y0 | 0;
  const x1 = clip.x1 | 0;
  const y1 = clip.y1 | 0;
  // the sprite's pixel offsets in a buffer w px wide
  const m = sprite.cover.length;
  if (spriteOffsets.length < m) spriteOffsets = new Int32Array(Math.max(m, 2 * spriteOffsets.length));
  const off = spriteOffsets;
  for (let s = 0; s < m; s++) off[s] = sprite.dy[s] * w + sprite.dx[s];
  return blendStretches(
    buf, w | 0, input.x, input.y, colors,
    input.order ?? null, input.visible ?? null, want >= 0 ? (input.emphasis ?? null) : null, want | 0, onlyMarked ? (input.marked ?? null) : null,
    plan.from, plan.to, weightAt, count | 0,
    +t.ax, +t.bx, +t.ay, +t.by,
    x0, y0, x1, y1, R,
    off, m,
    sprite.runX, sprite.runY, sprite.runLen, sprite.runAt, sprite.runX.length,
    sprite.weights, override | 0, color | 0,
  );
}

/** A sprite's pixel offsets in the buffer (blendPass), kept between passes. */
let spriteOffsets = new Int32Array(64);

/**
 * The rasterizer's loop: for each stretch r < count, the points k in [from[r], to[r]) (point order[k],
 * or k), each visible one landing within R px of the clip drawn as its sprite, with the weights at
 * weights[weightAt[r] + ...]: a sprite wholly inside the clip [x0, x1) x [y0, y1) pixel by pixel at its
 * offsets `off`, one that crosses its edge as its horizontal runs, each clipped with min and max. Numbers
 * and typed arrays only (see the top of this file). Returns the points drawn.
 */
function blendStretches(
  buf: Int32Array, w: number, x: Float32Array, y: Float32Array, colors: Int32Array,
  order: Uint32Array | null, visible: Uint8Array | null, emphasis: Uint8Array | null, want: number, marked: Uint8Array | null,
  from: Uint32Array, to: Uint32Array, weightAt: Int32Array, count: number,
  ax: number, bx: number, ay: number, by: number,
  x0: number, y0: number, x1: number, y1: number, R: number,
  off: Int32Array, m: number,
  runX: Int32Array, runY: Int32Array, runLen: Int32Array, runAt: Int32Array, runs: number,
  weights: Int32Array, override: number, color: number,
): number {
  // points whose pixel lies in [xlo, xhi) x [ylo, yhi) touch the clip; in [xin, xout) x [yin, yout) their sprite lies inside it
  const xlo = x0 - R;
  const ylo = y0 - R;
  const xhi = x1 + R;
  const yhi = y1 + R;
  const xin = x0 + R;
  const yin = y0 + R;
  const xout = x1 - R;
  const yout = y1 - R;
  let drawn = 0;
  for (let r = 0; r < count; r++) {
    const end = to[r];
    const wr = weightAt[r];
    for (let k = from[r]; k < end; k++) {
      const i = order === null ? k : order[k];
      if (visible !== null && visible[i] === 0) continue;
      if (emphasis !== null && emphasis[i] !== want) continue;
      if (marked !== null && marked[i] === 0) continue;
      const fx = x[i] * ax + bx;
      const fy = y[i] * ay + by;
      // also skips NaN coordinates (every comparison with NaN is false)
      if (!(fx >= xlo && fy >= ylo && fx < xhi && fy < yhi)) continue;
      const cx = Math.floor(fx);
      const cy = Math.floor(fy);
      drawn++;
      const c = override !== 0 ? color : colors[i];
      const cr = c & 255;
      const cg = (c >> 8) & 255;
      const cb = (c >> 16) & 255;
      if (cx >= xin && cy >= yin && cx < xout && cy < yout) {
        const base = cy * w + cx;
        for (let s = 0; s < m; s++) {
          const p = base + off[s];
          buf[p] = over(buf[p], cr, cg, cb, weights[wr + s]);
        }
        continue;
      }
      for (let j = 0; j < runs; j++) {
        const py = cy + runY[j];
        if (py < y0 || py >= y1) continue;
        const xa = cx + runX[j];
        const xs = Math.max(xa, x0);
        const xe = Math.min(xa + runLen[j], x1);
        let wt = wr + runAt[j] + xs - xa;
        for (let p = py * w + xs, pe = py * w + xe; p < pe; p++, wt++) buf[p] = over(buf[p], cr, cg, cb, weights[wt]);
      }
    }
  }
  return drawn;
}

/**
 * Clears `buf` to the background and draws the visible points (those of `plan`, default all). Returns
 * how many points landed in view. With an emphasis, the other points are drawn first, smaller, and faded
 * toward the background (RenderOptions.dimKeep), and the emphasized ones on top, larger.
 */
export function renderPoints(buf: Uint32Array, input: RenderInput, t: RenderTransform, opts: RenderOptions, plan: DrawPlan | null = null): number {
  const steps = renderSteps(buf, input, t, opts, plan ? [plan] : [null]);
  let drawn = 0;
  for (let r = steps.next(); !r.done; r = steps.next()) drawn = r.value;
  return drawn;
}

/** A plan of every point of an n-point input, in order. */
function wholePlan(n: number): DrawPlan {
  return { from: Uint32Array.of(0), to: Uint32Array.of(n), boost: null, count: 1, sampled: false };
}

/**
 * The same drawing as renderPoints, one chunk of the plan at a time: each step draws one plan of
 * `chunks` for one pass and yields the running count, so a long redraw can be spread over several
 * tasks (and abandoned when the view moves). The buffer is complete after the last step.
 */
export function* renderSteps(buf: Uint32Array, input: RenderInput, t: RenderTransform, opts: RenderOptions, chunks: (DrawPlan | null)[]): Generator<number, number> {
  const { width: w, height: h } = opts;
  if (buf.length < w * h) throw new Error(`pixel buffer too small: ${buf.length} < ${w}x${h}`);
  const c = opts.clip;
  const clip: Clip = c ? { x0: Math.max(0, c.x0), y0: Math.max(0, c.y0), x1: Math.min(w, c.x1), y1: Math.min(h, c.y1) } : { x0: 0, y0: 0, x1: w, y1: h };
  if (clip.x0 === 0 && clip.x1 === w) buf.fill(opts.background, clip.y0 * w, clip.y1 * w);
  else for (let y = clip.y0; y < clip.y1; y++) buf.fill(opts.background, y * w + clip.x0, y * w + clip.x1);
  // Pixels and colours are read as int32 (an opaque ABGR value is then -16,777,216 .. -1): read as uint32
  // they exceed V8's small integers, and each read in code not yet optimized allocated a number (the zoom
  // frames' CPU profile in chromium: 121 of 450 ms in the garbage collector)
  const buf32 = new Int32Array(buf.buffer, buf.byteOffset, buf.length);
  const colors = new Int32Array(input.colors.buffer, input.colors.byteOffset, input.colors.length);
  const plans: DrawPlan[] = [];
  for (let b = 0; b < chunks.length; b++) plans.push(chunks[b] ?? wholePlan(input.n));
  const sprite = diskSprite(opts.radius);
  const alpha256 = Math.round(Math.max(0, Math.min(1, opts.alpha)) * 256);
  const ring = (opts.ringColor ?? 0xff333333) | 0;
  // the passes, drawn one after the other through one call site (six sites, one per kind of pass, had
  // V8 compile six copies of blendPass into this generator: 205 ms of compiling at a million points, load 20)
  const passes: Pass[] = [];
  if (input.emphasis) {
    // the rest first, smaller, then faded as a layer (not point by point: a dense pile of faint points still
    // sums to full colour), then the emphasized ones on top, larger and nearly opaque
    const keep = Math.round(Math.max(0, Math.min(1, opts.dimKeep ?? DIM_KEEP)) * 256);
    const small = diskSprite(Math.max(DIM_MIN_RADIUS, opts.radius * DIM_RADIUS));
    passes.push({ sprite: small, alpha: alpha256, want: 0, override: 0, color: 0, onlyMarked: false, counts: true, fadeAfter: keep });
    const big = diskSprite(opts.radius * 1.35 + 0.5);
    if (input.marked) passes.push({ sprite: diskSprite(big.radius + 1.25), alpha: 256, want: 1, override: 1, color: ring, onlyMarked: true, counts: false, fadeAfter: 0 });
    passes.push({ sprite: big, alpha: Math.max(alpha256, 230), want: 1, override: 0, color: 0, onlyMarked: false, counts: true, fadeAfter: 0 });
  } else {
    if (input.marked) passes.push({ sprite: diskSprite(opts.radius + 1.25), alpha: 256, want: -1, override: 1, color: ring, onlyMarked: true, counts: false, fadeAfter: 0 });
    passes.push({ sprite, alpha: alpha256, want: -1, override: 0, color: 0, onlyMarked: false, counts: true, fadeAfter: 0 });
  }
  let drawn = 0;
  // indexed loops, not for-of: V8 bailed out of this generator at a for-of's iterator result ('wrong map')
  for (let a = 0; a < passes.length; a++) {
    const pass = passes[a];
    for (let b = 0; b < plans.length; b++) {
      const d = blendPass(buf32, w, clip, input, colors, t, pass, plans[b]);
      if (pass.counts) drawn += d;
      if (pass.fadeAfter > 0 && b === plans.length - 1) fadeToward(buf32, w, clip.x0 | 0, clip.y0 | 0, clip.x1 | 0, clip.y1 | 0, opts.background | 0, pass.fadeAfter | 0);
      yield drawn;
    }
  }
  return drawn;
}

/** A seeded shuffled draw order, so no class systematically paints over another. */
export function drawOrder(n: number, seed = 1): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** Point radius (CSS px) and opacity suited to the number of points and the zoom factor. */
export function pointStyle(n: number, k: number): { radius: number; alpha: number } {
  const base = n <= 2000 ? 3.6 : n <= 20000 ? 2.6 : n <= 200000 ? 1.7 : n <= 500000 ? 1.15 : 1;
  const radius = Math.min(9, base * Math.pow(Math.max(1, k), 0.45));
  const alpha = n <= 5000 ? 0.9 : n <= 50000 ? 0.8 : n <= 300000 ? 0.7 : 0.55;
  return { radius, alpha };
}

/** The opaque pixel (ABGR) of colour (cr, cg, cb) laid with coverage a / 256 over pixel d. */
function over(d: number, cr: number, cg: number, cb: number, a: number): number {
  const dr = d & 255;
  const dg = (d >>> 8) & 255;
  const db = (d >>> 16) & 255;
  return (0xff000000 | ((db + (((cb - db) * a) >> 8)) << 16) | ((dg + (((cg - dg) * a) >> 8)) << 8) | (dr + (((cr - dr) * a) >> 8))) | 0;
}

