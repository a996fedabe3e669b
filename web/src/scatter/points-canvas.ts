// The canvas the points are drawn on: its pixel buffer (an ImageData the rasterizer writes into), the
// points layer that fills it, and the map's motion state. While the map moves (until SETTLE_MS after the
// last view change), frames draw the points layer's level of detail; once it settles, the exact
// complete picture is drawn. ScatterView owns one, and the overlay canvas on top of it.
import { packHex } from '../colors.js';
import { PointsLayer, type FrameGeometry } from './points-layer.js';

/** The performance mark set when a map's first exact picture is on screen (the benchmark's load time). */
export const FIRST_MAP_MARK = 'latentmap:first-map';

/** The map counts as moving until this long after the last view change, ms. */
export const SETTLE_MS = 140;

export class PointsCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly layer: PointsLayer;
  /** The points need drawing at the next frame. */
  dirty = true;
  /** When the first exact picture of the points was put on the canvas (performance.now()), or null. */
  firstExact: number | null = null;
  /** Resolves when the first exact picture of the points is on the canvas. */
  readonly firstPicture: Promise<void>;
  private pictured: () => void = () => {};
  private ctx: CanvasRenderingContext2D;
  private image: ImageData | null = null;
  private pixels: Uint32Array | null = null;
  private movingUntil = 0;
  private settleTimer = 0;

  /** `redraw` asks for a frame (the view schedules it); called when the map has settled after moving. */
  constructor(background: string, private redraw: () => void) {
    this.layer = new PointsLayer(packHex(background));
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'scatter-points';
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.firstPicture = new Promise((resolve) => (this.pictured = resolve));
    // a big map's grid, built after its first picture: redraw in the grid's draw order
    this.layer.onReady = () => {
      this.dirty = true;
      this.redraw();
    };
  }

  destroy(): void {
    clearTimeout(this.settleTimer);
    this.layer.cancel();
  }

  /** Sizes the canvas to width x height CSS px at device pixel ratio dpr. */
  resize(width: number, height: number, dpr: number): void {
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.image = null;
    this.dirty = true;
  }

  /** Marks the map as moving: frames draw the level of detail until it settles. */
  moving(): void {
    this.movingUntil = performance.now() + SETTLE_MS;
    this.layer.cancel();
    clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.settle(), SETTLE_MS + 5);
  }

  private settle(): void {
    this.settleTimer = 0;
    if (performance.now() < this.movingUntil) {
      this.settleTimer = window.setTimeout(() => this.settle(), this.movingUntil - performance.now() + 5);
      return;
    }
    if (!this.layer.lastDrawn.exact) {
      this.dirty = true;
      this.redraw();
    }
  }

  /**
   * Draws the points of the frame `g` (its width and height are taken from the canvas): the level of
   * detail while moving, the exact picture otherwise; with `force`, the exact picture at once.
   */
  draw(g: FrameGeometry, force: boolean): void {
    this.dirty = false;
    const W = this.canvas.width;
    const H = this.canvas.height;
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = this.ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const image = this.image;
    this.layer.draw(this.pixels!, { ...g, width: W, height: H }, performance.now() < this.movingUntil, force, (exact) => {
      this.ctx.putImageData(image, 0, 0);
      if (exact && this.layer.points && this.firstExact === null) {
        this.firstExact = performance.now();
        performance.mark(FIRST_MAP_MARK);
        this.pictured();
      }
      // the level of detail is warmed up once per map, after its first exact picture with the grid (a big
      // map's very first picture comes before its grid)
      if (exact && this.layer.grid) this.layer.warmUp({ ...g, width: W, height: H });
    });
  }

  /** The exact picture of frame `g` on a fresh canvas of g.width x g.height device px (export). */
  snapshot(g: FrameGeometry): HTMLCanvasElement {
    const out = document.createElement('canvas');
    out.width = g.width;
    out.height = g.height;
    const ctx = out.getContext('2d')!;
    const image = ctx.createImageData(g.width, g.height);
    new Uint32Array(image.data.buffer).set(this.layer.snapshot(g));
    ctx.putImageData(image, 0, 0);
    return out;
  }
}
