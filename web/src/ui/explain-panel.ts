// The "What sets it apart" box of the selection panel: the columns (metadata, reconstruction error, input
// features) and the code units whose standardized mean difference between the selection and the rest is
// largest, each with d and both means; for image runs, every pixel's d as a heat map over the picture
// (green: higher in the selection, pink: lower; PiYG, readable with the common colour-vision deficiencies)
// beside the short list of the top pixels.
import { interpolatePiYG } from 'd3';
/** The picture's shape (as the decode answer gives it). */
type ImageShape = { width: number; height: number; channels: number };
import { fill, formatNumber, h } from './dom.js';

export interface SeparationRow {
  name: string;
  d: number | null;
  meanIn: number | null;
  meanOut: number | null;
}

export interface ExplainState {
  /** Columns and features, largest |d| first. */
  columns: readonly SeparationRow[];
  /** Code units ("unit k"), largest |d| first. */
  units?: readonly SeparationRow[];
  /** Image runs: d of every input value, in input order, and the picture's shape. */
  heat?: { d: readonly (number | null)[]; image: ImageShape } | null;
  /** The features are still being compared on the server. */
  pending?: boolean;
  /** Why something is missing, or null. */
  note?: string | null;
}

/** Side of the heat map on screen, CSS pixels (the picture scaled up, pixelated). */
const HEAT_SIDE = 112;
/** Pixels (or columns) listed beside the heat map. */
const HEAT_LIST_ROWS = 8;

const D_TITLE = 'standardized mean difference: selection minus rest, in pooled standard deviations (taken as at least a 20th of the column’s range)';

function table(first: string, rows: readonly SeparationRow[], className: string, label: (name: string) => string = (n) => n): HTMLElement {
  const t = h('table', { className: `values explain-table ${className}` }, h('thead', null, h('tr', null, h('th', null, first), h('th', { title: D_TITLE }, 'd'), h('th', null, 'selected'), h('th', null, 'rest'))));
  const body = h('tbody');
  for (const r of rows) {
    const d = r.d ?? 0;
    body.append(
      h(
        'tr',
        { 'data-column': r.name },
        h('td', null, label(r.name)),
        h('td', { className: `num ${d > 0 ? 'up' : 'down'}` }, `${d > 0 ? '+' : ''}${d.toFixed(2)}`),
        h('td', { className: 'num' }, r.meanIn === null ? '–' : formatNumber(r.meanIn)),
        h('td', { className: 'num' }, r.meanOut === null ? '–' : formatNumber(r.meanOut)),
      ),
    );
  }
  t.append(body);
  return t;
}

/**
 * Every pixel's d drawn on a canvas of the picture's size (channels averaged), on a symmetric scale to the
 * largest |d| (at least 0.5, so noise stays pale). Returns the canvas and that largest |d|.
 */
export function heatMap(d: readonly (number | null)[], image: ImageShape): { canvas: HTMLCanvasElement; limit: number } {
  const { width, height, channels } = image;
  const per = new Float64Array(width * height);
  let limit = 0.5;
  for (let p = 0; p < per.length; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += d[p * channels + c] ?? 0;
    per[p] = s / channels;
    limit = Math.max(limit, Math.abs(per[p]));
  }
  const canvas = h('canvas', { className: 'explain-heat pixelated', width, height });
  canvas.style.width = `${HEAT_SIDE}px`;
  canvas.style.height = `${Math.round((HEAT_SIDE * height) / width)}px`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(width, height);
    for (let p = 0; p < per.length; p++) {
      const rgb = /rgb\((\d+), (\d+), (\d+)\)/.exec(interpolatePiYG(0.5 + per[p] / (2 * limit)));
      img.data.set(rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), 255] : [255, 255, 255, 255], p * 4);
    }
    ctx.putImageData(img, 0, 0);
  }
  return { canvas, limit };
}

/** "pixel_406 (14, 14)": where an input value of an image lies (row, column, from 0). */
function pixelLabel(image: ImageShape, names: Map<string, number>) {
  return (name: string): string => {
    const at = names.get(name);
    if (at === undefined) return name;
    const p = Math.floor(at / image.channels);
    return `${name} (${Math.floor(p / image.width)}, ${p % image.width})`;
  };
}

/** Renders (or re-renders) the box inside `el`. `featureNames`: the run's features, for pixel positions. */
export function renderExplanation(el: HTMLElement, state: ExplainState, featureNames: readonly string[] = []): void {
  let box = el.querySelector<HTMLElement>('.explain');
  if (!box) {
    box = h('div', { className: 'explain' });
    el.append(box);
  }
  const parts: (HTMLElement | null)[] = [h('h4', null, 'What sets it apart')];
  if (state.heat) {
    const { canvas, limit } = heatMap(state.heat.d, state.heat.image);
    parts.push(
      h(
        'div',
        { className: 'pair explain-heat-pair' },
        h('figure', null, canvas, h('figcaption', null, 'd per pixel')),
        h('p', { className: 'muted small' }, `Green: brighter in the selection than in the rest; pink: darker; white: no difference. Full colour at |d| = ${limit.toFixed(2)}.`),
      ),
    );
  }
  const names = new Map(featureNames.map((n, i) => [n, i]));
  const label = state.heat ? pixelLabel(state.heat.image, names) : undefined;
  // beside a heat map, a short list
  const columns = state.heat ? state.columns.slice(0, HEAT_LIST_ROWS) : state.columns;
  if (columns.length) parts.push(table(state.heat ? 'pixel (row, column)' : 'column', columns, 'explain-columns', label));
  else if (!state.pending) parts.push(h('p', { className: 'muted small' }, 'No numeric column differs between the selection and the rest.'));
  if (state.units?.length) parts.push(h('h5', null, 'Code units'), table('code unit', state.units, 'explain-units'));
  if (state.pending) parts.push(h('p', { className: 'muted small explain-pending' }, 'Comparing the input features and code units…'));
  if (state.note) parts.push(h('p', { className: 'muted small explain-note' }, state.note.charAt(0).toUpperCase() + state.note.slice(1) + '.'));
  parts.push(h('p', { className: 'muted small' }, 'd: standardized mean difference (selection minus rest, in pooled standard deviations, taken as at least a 20th of the column’s range so a nearly constant column cannot lead on tiny values); |d| ≥ 0.8 is large.'));
  fill(box, ...parts);
}
