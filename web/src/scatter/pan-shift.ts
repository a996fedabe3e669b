// A pan frame from the previous one: when the view moves without changing its scale, the picture moves
// by whole device pixels, so the previous frame's pixels are shifted in place (one copyWithin) and only
// the strips the pan uncovers are drawn. The shifted picture sits at most half a pixel from where a full
// redraw would put it; the exact picture is redrawn once the map rests. Pure: no DOM.
import type { Clip, RenderTransform } from './render.js';

/** What a pixel buffer holds: the transform and size it was drawn with. */
export interface ShownFrame {
  transform: RenderTransform;
  width: number;
  height: number;
  /** The point radius it was drawn with, device px. */
  radius: number;
}

/** The whole-pixel shift (sx, sy) that takes `shown` to `next`, or null when a pan cannot reuse it. */
export function panShift(shown: ShownFrame, next: ShownFrame): { sx: number; sy: number } | null {
  const a = shown.transform;
  const b = next.transform;
  if (shown.width !== next.width || shown.height !== next.height || shown.radius !== next.radius) return null;
  // the same scale (a pan), to float precision
  if (Math.abs(a.ax - b.ax) > 1e-9 * Math.abs(a.ax) || Math.abs(a.ay - b.ay) > 1e-9 * Math.abs(a.ay)) return null;
  const sx = Math.round(b.bx - a.bx);
  const sy = Math.round(b.by - a.by);
  // a jump of more than half the view redraws it whole: the strips would cost as much
  if (Math.abs(sx) * 2 > next.width || Math.abs(sy) * 2 > next.height) return null;
  return { sx, sy };
}

/**
 * Moves a w x h pixel buffer's content by (sx, sy) pixels in place. Pixels pushed past the left or right
 * edge wrap into the uncovered columns, and the uncovered rows keep stale pixels: both lie in the strips
 * of uncoveredStrips, which the caller redraws.
 */
export function shiftPixels(buf: Uint32Array, w: number, h: number, sx: number, sy: number): void {
  const len = w * h;
  const offset = sy * w + sx;
  if (offset > 0) buf.copyWithin(offset, 0, len - offset);
  else if (offset < 0) buf.copyWithin(0, -offset, len);
}

/** The strips of a w x h buffer a shift by (sx, sy) uncovers: a column band and a row band (each may be absent). */
export function uncoveredStrips(w: number, h: number, sx: number, sy: number): Clip[] {
  const out: Clip[] = [];
  if (sx > 0) out.push({ x0: 0, y0: 0, x1: sx, y1: h });
  else if (sx < 0) out.push({ x0: w + sx, y0: 0, x1: w, y1: h });
  if (sy > 0) out.push({ x0: 0, y0: 0, x1: w, y1: sy });
  else if (sy < 0) out.push({ x0: 0, y0: h + sy, x1: w, y1: h });
  return out;
}
