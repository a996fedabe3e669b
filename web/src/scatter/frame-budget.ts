// How many points a moving frame may draw: those that take a target time at this machine's measured speed,
// in milliseconds per sprite pixel blended (a point costs its sprite's pixels, which grow as the map is
// zoomed in). The speed is the median of the last few measured frames. Pure: no DOM.
import { FRAME_BUDGET } from './lod.js';
import type { FrameGeometry } from './points-layer.js';
import { diskSprite, pointStyle } from './render.js';

/** Target time of an interactive frame's point blending, ms (the frame adds clearing, planning and putImageData). */
export const FRAME_TARGET_MS = 5;

export class FrameBudget {
  /** Target ms of a moving frame's blending (FRAME_TARGET_MS; tests lower it to the 20,000-point floor). */
  targetMs = FRAME_TARGET_MS;
  /** Measured ms per sprite pixel blended. First guess: FRAME_BUDGET one-pixel-radius points (5 px) in 10 ms. */
  private msPerPixel = 10 / (FRAME_BUDGET * 5);
  /** The last few frames' measured ms per sprite pixel. */
  private speeds: number[] = [];

  /** Points a moving frame g of a map of n points may draw (20,000 to 2,000,000). */
  points(n: number, g: FrameGeometry): number {
    return Math.max(20_000, Math.min(2_000_000, Math.round(this.targetMs / (this.msPerPixel * spritePixels(n, g)))));
  }

  /**
   * Adapts the speed estimate to this machine from a frame of a map of n points that blended `drawn` points
   * in `ms`: the median of the last few frames, so neither the first draw (before the JIT has compiled the
   * rasterizer, ten times slower) nor a frame the thread was paused in sets the next frames' points.
   */
  calibrate(n: number, drawn: number, ms: number, g: FrameGeometry): void {
    if (drawn < 5_000 || ms < 0.2) return; // too little to time
    this.speeds.push(ms / (drawn * spritePixels(n, g)));
    if (this.speeds.length > 7) this.speeds.shift();
    const sorted = this.speeds.slice().sort((a, b) => a - b);
    this.msPerPixel = sorted[sorted.length >> 1];
  }
}

/** Sprite pixels of one point of a map of n points in frame g. */
function spritePixels(n: number, g: FrameGeometry): number {
  return diskSprite(pointStyle(n, g.k).radius * g.dpr).dx.length;
}
