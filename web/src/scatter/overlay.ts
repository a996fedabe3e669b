// The overlay layer drawn above the points: thumbnails (zoomed in on an image dataset), the selection
// shape (finished and being drawn), rings on highlighted points, the point hovered here and the one
// hovered in a linked map. Canvas 2D calls only; geometry comes in through `toScreen`.

/** Most points drawn as thumbnails at once (zoomed in on an image dataset). */
export const THUMBNAIL_LIMIT = 160;

export interface OverlayState {
  x: Float32Array;
  y: Float32Array;
  /** Point radius in CSS px at the current zoom. */
  radius: number;
  /** Zoom factor. */
  k: number;
  toScreen: (x: number, y: number) => [number, number];
  /** CSS color of point i. */
  colorOf: (i: number) => string;
  hover: number;
  linked: number;
  focus: number;
  rings: readonly number[];
  /** Search hits to point out (a few): a crosshair target on each, visible at any zoom. */
  markers: readonly number[];
  /** Finished selection and the one being drawn (data coordinates, flat x, y pairs). */
  shapes: readonly (readonly number[] | null)[];
  /** Thumbnails to draw: the points in view (when few) and their loaded images. */
  thumbnails: { points: readonly number[]; image: (i: number) => CanvasImageSource | null } | null;
}

function ring(ctx: CanvasRenderingContext2D, s: OverlayState, i: number, r: number, stroke: string, width: number, fill?: string): void {
  if (i < 0) return;
  const [sx, sy] = s.toScreen(s.x[i], s.y[i]);
  ctx.beginPath();
  ctx.arc(sx, sy, r, 0, Math.PI * 2);
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  ctx.lineWidth = width;
  ctx.strokeStyle = stroke;
  ctx.stroke();
}

/** A crosshair target: a white-backed ring and four ticks pointing at the point. */
function target(ctx: CanvasRenderingContext2D, s: OverlayState, i: number, r: number): void {
  const [sx, sy] = s.toScreen(s.x[i], s.y[i]);
  const R = r + 9;
  for (const [color, width] of [
    ['#fff', 5],
    ['#c2185b', 2.25],
  ] as const) {
    ctx.beginPath();
    ctx.arc(sx, sy, R, 0, Math.PI * 2);
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      ctx.moveTo(sx + dx * (R + 2), sy + dy * (R + 2));
      ctx.lineTo(sx + dx * (R + 12), sy + dy * (R + 12));
    }
    ctx.lineWidth = width;
    ctx.strokeStyle = color;
    ctx.stroke();
  }
}

function path(ctx: CanvasRenderingContext2D, s: OverlayState, poly: readonly number[]): void {
  ctx.beginPath();
  for (let k = 0; k < poly.length; k += 2) {
    const [sx, sy] = s.toScreen(poly[k], poly[k + 1]);
    if (k === 0) ctx.moveTo(sx, sy);
    else ctx.lineTo(sx, sy);
  }
  ctx.closePath();
}

function drawThumbnails(ctx: CanvasRenderingContext2D, s: OverlayState): void {
  const th = s.thumbnails;
  if (!th) return;
  // thumbnails grow with the zoom, from 24 to 56 CSS px
  const size = Math.round(Math.max(24, Math.min(56, 6 * Math.sqrt(s.k))));
  ctx.imageSmoothingEnabled = false;
  for (const i of th.points) {
    const img = th.image(i);
    if (!img) continue;
    const [sx, sy] = s.toScreen(s.x[i], s.y[i]);
    const x = Math.round(sx - size / 2);
    const y = Math.round(sy - size / 2);
    ctx.drawImage(img, x, y, size, size);
    ctx.lineWidth = 2;
    ctx.strokeStyle = s.colorOf(i);
    ctx.strokeRect(x - 1, y - 1, size + 2, size + 2);
  }
  ctx.imageSmoothingEnabled = true;
}

/** Draws the overlay into a context already cleared and scaled to CSS pixels. */
export function drawOverlay(ctx: CanvasRenderingContext2D, s: OverlayState): void {
  const r = s.radius;
  drawThumbnails(ctx, s);
  for (const shape of s.shapes) {
    if (!shape || shape.length < 4) continue;
    path(ctx, s, shape);
    ctx.fillStyle = 'rgba(40, 90, 160, 0.07)';
    ctx.fill();
    ctx.setLineDash([5, 4]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#1f4f8a';
    ctx.stroke();
    ctx.setLineDash([]);
  }
  for (const i of s.markers) target(ctx, s, i, r);
  for (const i of s.rings) ring(ctx, s, i, r + 3.5, '#d1495b', 2);
  ring(ctx, s, s.focus, r + 5, '#111', 2.5);
  if (s.linked >= 0) {
    // the row hovered in the other map: a bold target that stands out on any class color
    ring(ctx, s, s.linked, r + 7, '#fff', 5);
    ring(ctx, s, s.linked, r + 7, '#e07a00', 2.5);
    ring(ctx, s, s.linked, r + 2, '#111', 1.5);
  }
  if (s.hover >= 0) {
    ring(ctx, s, s.hover, r + 4, '#fff', 4);
    ring(ctx, s, s.hover, r + 4, '#111', 1.75, s.colorOf(s.hover));
  }
}
