// The point renderer: rasterizes every point straight into a Uint32 pixel buffer (ImageData layout),
// alpha-blended anti-aliased disks, no per-point canvas calls. Pure: no DOM, so the benchmark and tests
// can run it anywhere. The caller puts the buffer on a canvas with putImageData.
import type { RenderTransform } from './transform.js';

/** One pixel of a point sprite: offset from the point's pixel and coverage (0-256). */
export interface Sprite {
  dx: Int32Array;
  dy: Int32Array;
  cover: Int32Array;
  radius: number;
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
  const sprite = { dx: Int32Array.from(dx), dy: Int32Array.from(dy), cover: Int32Array.from(cover), radius: r };
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
  /** Opacity of points outside `emphasis` while an emphasis is active (default 0.12). */
  dimAlpha?: number;
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
 * One pass of the rasterizer over the stretches of `plan` (default every point): blends each
 * qualifying point's sprite into the buffer. The sprite's pixel offsets are computed once per pass and
 * its blend weights once per opacity: a level-of-detail plan has a stretch per grid cell, tens of
 * thousands of them, sharing a few opacities, so nothing is allocated or called per stretch.
 */
function blendPass(
  buf: Uint32Array,
  w: number,
  clip: Clip,
  input: RenderInput,
  t: RenderTransform,
  sprite: Sprite,
  alpha256: number,
  want: number, // -1: every visible point; 0/1: only points whose emphasis equals want
  colorOverride: number, // -1: per-point color
  onlyMarked: boolean,
  plan: DrawPlan | null,
): number {
  if (onlyMarked && !input.marked) return 0;
  const { x, y } = input;
  // Pixels and colours are read as int32 (an opaque ABGR value is then -16,777,216 .. -1): read as uint32
  // they exceed V8's small integers, and each read in code not yet optimized allocated a number (the zoom
  // frames' CPU profile in chromium: 121 of 450 ms in the garbage collector)
  const buf32 = new Int32Array(buf.buffer, buf.byteOffset, buf.length);
  const colors = new Int32Array(input.colors.buffer, input.colors.byteOffset, input.colors.length);
  const order = input.order ?? null;
  const visible = input.visible ?? null;
  const emphasis = want >= 0 ? (input.emphasis ?? null) : null;
  const marked = onlyMarked ? (input.marked ?? null) : null;
  const { dx, dy, cover } = sprite;
  const m = dx.length;
  const off = new Int32Array(m);
  for (let s = 0; s < m; s++) off[s] = dy[s] * w + dx[s];
  // blend weights (coverage x opacity, 0-256) of the sprite's pixels, per opacity 0-256, filled on first use
  const table = new Int32Array(257 * m);
  const filled = new Uint8Array(257);
  const R = Math.ceil(sprite.radius);
  const { ax, bx, ay, by } = t;
  const { x0, y0, x1, y1 } = clip;
  // sprites wholly inside the clip take the fast path
  const xmin = x0 + R;
  const ymin = y0 + R;
  const xmax = x1 - R;
  const ymax = y1 - R;
  const a1 = Math.min(alpha256 / 256, 0.999);
  const stretches = plan ? plan.count : 1;
  let drawn = 0;
  for (let r = 0; r < stretches; r++) {
    const from = plan ? plan.from[r] : 0;
    const to = plan ? plan.to[r] : input.n;
    const boost = plan && plan.boost ? plan.boost[r] : 1;
    const alpha = boost === 1 ? alpha256 : Math.round((1 - Math.pow(1 - a1, boost)) * 256);
    const wb = alpha * m;
    if (filled[alpha] === 0) {
      filled[alpha] = 1;
      for (let s = 0; s < m; s++) table[wb + s] = (cover[s] * alpha) >> 8;
    }
    for (let k = from; k < to; k++) {
      const i = order !== null ? order[k] : k;
      if (visible !== null && visible[i] === 0) continue;
      if (emphasis !== null && emphasis[i] !== want) continue;
      if (marked !== null && marked[i] === 0) continue;
      const fx = x[i] * ax + bx;
      const fy = y[i] * ay + by;
      // also skips NaN coordinates (every comparison with NaN is false)
      if (!(fx >= x0 - R && fy >= y0 - R && fx < x1 + R && fy < y1 + R)) continue;
      const cx = Math.floor(fx);
      const cy = Math.floor(fy);
      drawn++;
      const c = colorOverride >= 0 ? colorOverride : colors[i];
      const cr = c & 255;
      const cg = (c >>> 8) & 255;
      const cb = (c >>> 16) & 255;
      const opaque = c | 0xff000000;
      const base = cy * w + cx;
      if (cx >= xmin && cy >= ymin && cx < xmax && cy < ymax) {
        for (let s = 0; s < m; s++) {
          const p = base + off[s];
          const a = table[wb + s];
          if (a >= 256) {
            buf32[p] = opaque;
            continue;
          }
          buf32[p] = over(buf32[p], cr, cg, cb, a);
        }
      } else {
        for (let s = 0; s < m; s++) {
          const px = cx + dx[s];
          const py = cy + dy[s];
          if (px < x0 || py < y0 || px >= x1 || py >= y1) continue;
          const p = py * w + px;
          const a = table[wb + s];
          if (a >= 256) {
            buf32[p] = opaque;
            continue;
          }
          buf32[p] = over(buf32[p], cr, cg, cb, a);
        }
      }
    }
  }
  return drawn;
}

/**
 * Clears `buf` to the background and draws the visible points (those of `plan`, default all). Returns
 * how many points landed in view. With an emphasis, the other points are drawn first, dimmed, and the
 * emphasized ones on top, larger.
 */
export function renderPoints(buf: Uint32Array, input: RenderInput, t: RenderTransform, opts: RenderOptions, plan: DrawPlan | null = null): number {
  const steps = renderSteps(buf, input, t, opts, plan ? [plan] : [null]);
  let drawn = 0;
  for (let r = steps.next(); !r.done; r = steps.next()) drawn = r.value;
  return drawn;
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
  const sprite = diskSprite(opts.radius);
  const alpha256 = Math.round(Math.max(0, Math.min(1, opts.alpha)) * 256);
  const ring = opts.ringColor ?? 0xff333333;
  let drawn = 0;
  if (input.emphasis) {
    const dim = Math.round((opts.dimAlpha ?? 0.12) * 256);
    for (const c of chunks) yield (drawn += blendPass(buf, w, clip, input, t, sprite, dim, 0, -1, false, c));
    const big = diskSprite(opts.radius * 1.35 + 0.5);
    if (input.marked) {
      for (const c of chunks) {
        blendPass(buf, w, clip, input, t, diskSprite(big.radius + 1.25), 256, 1, ring, true, c);
        yield drawn;
      }
    }
    for (const c of chunks) yield (drawn += blendPass(buf, w, clip, input, t, big, Math.max(alpha256, 230), 1, -1, false, c));
  } else {
    if (input.marked) {
      for (const c of chunks) {
        blendPass(buf, w, clip, input, t, diskSprite(opts.radius + 1.25), 256, -1, ring, true, c);
        yield drawn;
      }
    }
    for (const c of chunks) yield (drawn += blendPass(buf, w, clip, input, t, sprite, alpha256, -1, -1, false, c));
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
