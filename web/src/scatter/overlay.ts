// The overlay layer drawn above the points: thumbnails (zoomed in on an image dataset), the selection
// shape (finished and being drawn), lines from the inspected point to its input-space neighbours, rings on
// highlighted points, the point hovered here and the one hovered in a linked map, cluster labels.
// Canvas 2D calls only; geometry comes in through `toScreen`.
import { placeLabels } from './label-placement.js';
import type { MapLabel, ShownLabel } from './marks.js';

/** Most points drawn as thumbnails at once (zoomed in on an image dataset). */
export const THUMBNAIL_LIMIT = 160;

export interface OverlayState {
  x: Float32Array;
  y: Float32Array;
  /** Point radius in CSS px at the current zoom. */
  radius: number;
  /** Zoom factor. */
  k: number;
  /** The view's size, CSS px. */
  width: number;
  height: number;
  toScreen: (x: number, y: number) => [number, number];
  /** CSS color of point i. */
  colorOf: (i: number) => string;
  hover: number;
  linked: number;
  focus: number;
  rings: readonly number[];
  /** Lines from point `from` to each of `to` (the inspected point's input-space neighbours); null: none. */
  links: { from: number; to: readonly number[] } | null;
  /** Search hits to point out (a few): a crosshair target on each, visible at any zoom. */
  markers: readonly number[];
  /** Finished selection and the one being drawn (data coordinates, flat x, y pairs). */
  shapes: readonly (readonly number[] | null)[];
  /** Density contour rings (data coordinates), faint to strong by level; null: off. */
  contours: readonly { value: number; rings: number[][] }[] | null;
  /** Cluster labels (data coordinates), most important first; null: off. */
  labels: readonly MapLabel[] | null;
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

/**
 * Lines from a point to its nearest rows in input space: short lines where the map kept the neighbourhood,
 * long ones across the map where it tore it apart. White-backed, with a dot at each neighbour.
 */
function drawLinks(ctx: CanvasRenderingContext2D, s: OverlayState): void {
  const links = s.links;
  if (!links || links.from < 0 || links.to.length === 0) return;
  const [fx, fy] = s.toScreen(s.x[links.from], s.y[links.from]);
  const ends = links.to.map((j) => s.toScreen(s.x[j], s.y[j]));
  for (const [color, width] of [
    ['rgba(255,255,255,0.85)', 3.5],
    [LINK_COLOR, 1.5],
  ] as const) {
    ctx.beginPath();
    for (const [tx, ty] of ends) {
      ctx.moveTo(fx, fy);
      ctx.lineTo(tx, ty);
    }
    ctx.lineWidth = width;
    ctx.strokeStyle = color;
    ctx.stroke();
  }
  ctx.fillStyle = LINK_COLOR;
  for (const [tx, ty] of ends) {
    ctx.beginPath();
    ctx.arc(tx, ty, 2.5, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Color of the lines to input-space neighbours. */
export const LINK_COLOR = '#1d6fb8';

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

/** The color of density contours. */
export const CONTOUR_COLOR = '#2b3a55';

function drawContours(ctx: CanvasRenderingContext2D, s: OverlayState): void {
  const levels = s.contours;
  if (!levels || levels.length === 0) return;
  ctx.strokeStyle = CONTOUR_COLOR;
  levels.forEach((level, k) => {
    ctx.globalAlpha = 0.25 + (0.55 * (k + 1)) / levels.length;
    ctx.lineWidth = 0.8 + (0.8 * (k + 1)) / levels.length;
    ctx.beginPath();
    for (const ring of level.rings) {
      for (let j = 0; j < ring.length; j += 2) {
        const [sx, sy] = s.toScreen(ring[j], ring[j + 1]);
        if (j === 0) ctx.moveTo(sx, sy);
        else ctx.lineTo(sx, sy);
      }
      ctx.closePath();
    }
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
}

/**
 * Cluster labels at a fixed screen size (readable at every zoom), white-haloed, where label-placement.ts
 * puts them: on the peak, or on the part of the cluster in view, inside the view, never overlapping.
 */
function drawLabels(ctx: CanvasRenderingContext2D, s: OverlayState): ShownLabel[] {
  if (!s.labels) return [];
  ctx.font = '600 12px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  const placed = placeLabels(s.labels, s.toScreen, s.width, s.height, (t) => ctx.measureText(t).width);
  for (const p of placed) {
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgba(255,255,255,0.92)';
    ctx.strokeText(p.label.text, p.x, p.y);
    ctx.fillStyle = '#111a28';
    ctx.fillText(p.label.text, p.x, p.y);
  }
  ctx.textAlign = 'start';
  ctx.textBaseline = 'alphabetic';
  return placed.map((p) => ({ text: p.label.text, x: p.x, y: p.y, width: p.width, ...(p.label.id !== undefined ? { id: p.label.id } : {}) }));
}

/** Draws the overlay into a context already cleared and scaled to CSS pixels; returns the labels shown. */
export function drawOverlay(ctx: CanvasRenderingContext2D, s: OverlayState): ShownLabel[] {
  const r = s.radius;
  drawContours(ctx, s);
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
  drawLinks(ctx, s);
  for (const i of s.markers) target(ctx, s, i, r);
  for (const i of s.rings) ring(ctx, s, i, r + 3.5, '#d1495b', 2);
  ring(ctx, s, s.focus, r + 5, '#111', 2.5);
  if (s.linked >= 0) {
    // the row hovered in the other map: a bold target that stands out on any class color
    ring(ctx, s, s.linked, r + 7, '#fff', 5);
    ring(ctx, s, s.linked, r + 7, '#e07a00', 2.5);
    ring(ctx, s, s.linked, r + 2, '#111', 1.5);
  }
  const shown = drawLabels(ctx, s);
  if (s.hover >= 0) {
    ring(ctx, s, s.hover, r + 4, '#fff', 4);
    ring(ctx, s, s.hover, r + 4, '#111', 1.75, s.colorOf(s.hover));
  }
  return shown;
}
