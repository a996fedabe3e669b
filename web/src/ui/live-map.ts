// The map as it forms, in the New-run dialog: each layout frame of the event stream (pipeline/layout-frame.ts)
// drawn as dots fitted to the frame's box, so the user sees the t-SNE unfold and can stop it when it looks done.
import { decodeLayoutFrame, type LayoutFrame } from '../../../pipeline/layout-frame.js';
import { formatNumber, h } from './dom.js';

const WIDTH = 320;
const HEIGHT = 220;

export class LiveMap {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  /** Frames drawn so far (for tests). */
  frames = 0;
  /** Iteration of the frame on screen (-1: none yet). */
  iteration = -1;

  constructor() {
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    this.canvas = h('canvas', { className: 'live-map-canvas', width: Math.round(WIDTH * dpr), height: Math.round(HEIGHT * dpr), style: `width:${WIDTH}px;height:${HEIGHT}px`, 'aria-label': 'The map as it forms' });
    this.caption = h('p', { className: 'muted small' }, 'The map appears here while t-SNE runs.');
    this.el = h('figure', { className: 'live-map', hidden: true }, this.canvas, this.caption);
  }

  draw(frame: LayoutFrame): void {
    const pts = decodeLayoutFrame(frame);
    const ctx = this.canvas.getContext('2d')!;
    const sx = this.canvas.width / WIDTH;
    ctx.setTransform(sx, 0, 0, sx, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    const [x0, y0, x1, y1] = frame.box;
    const pad = 8;
    // one scale for both axes, so the map keeps its shape
    const k = Math.min((WIDTH - 2 * pad) / (x1 - x0), (HEIGHT - 2 * pad) / (y1 - y0));
    const ox = (WIDTH - k * (x1 - x0)) / 2;
    const oy = (HEIGHT - k * (y1 - y0)) / 2;
    const n = pts.length / 2;
    const r = n > 5000 ? 0.8 : n > 1000 ? 1.2 : 1.8;
    ctx.fillStyle = n > 5000 ? 'rgba(31, 79, 138, 0.45)' : 'rgba(31, 79, 138, 0.75)';
    for (let i = 0; i < n; i++) {
      const x = ox + (pts[2 * i] - x0) * k;
      // the viewer's y axis points up
      const y = HEIGHT - (oy + (pts[2 * i + 1] - y0) * k);
      ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    }
    this.el.hidden = false;
    this.frames++;
    this.iteration = frame.iteration;
    this.caption.textContent = `t-SNE iteration ${formatNumber(frame.iteration)}${frame.stride > 1 ? ` · every ${frame.stride}th of ${formatNumber(frame.rows)} rows` : ` · ${formatNumber(frame.rows)} rows`}`;
  }
}
