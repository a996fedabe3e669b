// The map as a picture to keep: a title (run name, dataset, what the colors mean), the map at a chosen
// scale factor, and a legend beside it. PNG always (any number of points, drawn exactly at the scale);
// SVG (one circle per point, editable in a vector program) when the view holds at most SVG_LIMIT points.
import { unpackHex, type ColorEncoding } from '../colors.js';
import type { ShownLabel } from '../scatter/marks.js';
import { DIM_KEEP, DIM_RADIUS, pointStyle } from '../scatter/render.js';
import type { SelectionShape } from '../url-state.js';
import { combineMasks } from './emphasis.js';
import { countOnes, type Filter } from './filters.js';
import { columnFormat, formatCount, formatRange, statsOf } from '../format.js';
import { download, formatNumber } from '../ui/dom.js';
import { columnTitle } from './color-by.js';
import { hiddenNames, type Pane } from './pane.js';

/** Most points an SVG export holds (beyond, files get too big to open). */
export const SVG_LIMIT = 20_000;
/** Legend rows drawn before "… and N more". */
const LEGEND_ROWS = 24;
const TITLE_TOP = 46;
/** The title block's height with a caption line (what is shown of a filtered, searched or selected map). */
const CAPTION_H = 64;
const LEGEND_W = 210;
/** Text of a hidden class in the legend. */
const HIDDEN_TEXT = '#8a94a3';

export interface LegendEntry {
  color: string;
  text: string;
  /** A class hidden in the legend: listed (outlined swatch, grey text) so the export says it is not drawn. */
  hidden?: boolean;
}

export interface ExportMeta {
  title: string;
  subtitle: string;
  /** What the picture highlights and how many points (emphasisCaption); absent when nothing is dimmed. */
  caption?: string;
  encoding: ColorEncoding;
  /** Hidden category codes (listed in the legend after the shown ones, as hidden). */
  hidden: ReadonlySet<number>;
}

/**
 * The legend's rows: one per shown category (with its count), then one per hidden category ("setosa (50),
 * hidden", flagged `hidden`: its points are not drawn), or the numeric scale's ends.
 */
export function legendEntries(enc: ColorEncoding, hidden: ReadonlySet<number>): { heading: string; entries: LegendEntry[]; more: number } {
  if (enc.kind === 'none') return { heading: '', entries: [], more: 0 };
  if (enc.kind === 'number') {
    const [lo, hi] = enc.domain;
    // the column's one format, as the on-screen legend writes it
    const fmt = columnFormat(statsOf(enc.column));
    return {
      heading: `${columnTitle(enc.column.name)}${enc.log ? ' (log scale)' : ''}`,
      entries: [0, 0.25, 0.5, 0.75, 1].map((t) => {
        const v = enc.log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo);
        return { color: enc.interpolate(t), text: `${t === 0 ? '≤ ' : t === 1 ? '≥ ' : ''}${fmt(v)}` };
      }),
      more: 0,
    };
  }
  const all = enc.column.categories.map((name, c) => ({ c, name }));
  const listed = [...all.filter((e) => !hidden.has(e.c)), ...all.filter((e) => hidden.has(e.c))];
  const entries = listed.slice(0, LEGEND_ROWS).map((e): LegendEntry => {
    const text = `${e.name} (${formatCount(enc.column.counts[e.c])})`;
    return hidden.has(e.c) ? { color: enc.palette[e.c], text: `${text}, hidden`, hidden: true } : { color: enc.palette[e.c], text };
  });
  return { heading: columnTitle(enc.column.name), entries, more: listed.length - entries.length };
}

/** What a map's highlighted points are: its filters, its search and its selection (each absent when not set). */
export interface Emphasis {
  filters: readonly Filter[];
  search: string;
  selection: SelectionShape | null;
  /** Points highlighted (passing all of the above) that the map draws, and the points it draws. */
  shown: number;
  total: number;
  /** Highlighted points in classes hidden in the legend (not drawn), and those classes' names; absent: none hidden. */
  hiddenHits?: number;
  hiddenClasses?: readonly string[];
}

/**
 * What a map highlights: the filters, the search and the selection given (each only while it has a mask), and
 * the rows passing all of them (their intersection), or null when nothing is highlighted.
 */
export function highlighted(
  p: Pane,
  filters: readonly Filter[],
  search: string,
  selection: { shape: SelectionShape; mask: Uint8Array } | null,
  searchMask: Uint8Array | null,
  filterMask: Uint8Array | null,
): { emphasis: Emphasis; mask: Uint8Array } | null {
  const mask = combineMasks(selection?.mask, searchMask, filterMask);
  if (!mask) return null;
  const emphasis: Emphasis = { filters, search, selection: selection?.shape ?? null, shown: countOnes(mask), total: p.points.n };
  const visible = p.visible;
  if (visible) {
    // what the map draws: the hidden classes' points are not on it, highlighted or not
    let hits = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] && !visible[i]) hits++;
    emphasis.shown -= hits;
    emphasis.total = countOnes(visible);
    emphasis.hiddenHits = hits;
    emphasis.hiddenClasses = hiddenNames(p);
  }
  return { emphasis, mask };
}

/** Names of hidden classes in a sentence: "setosa", "3 and 5", "0, 1, 2 and 4 more". */
export function classList(names: readonly string[], max = 3): string {
  if (names.length <= max) return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, max).join(', ')} and ${formatCount(names.length - max)} more`;
}

/** A filter in words: "error 0.1 to 0.3", "f2 -4.687 to 1.678", "label 3 or 5". */
function filterText(f: Filter): string {
  const name = columnTitle(f.column);
  if (f.kind === 'range') return `${name} ${formatRange(f.lo, f.hi)}`;
  return `${name} ${f.values.length === 1 ? f.values[0] : `${f.values.slice(0, -1).join(', ')} or ${f.values[f.values.length - 1]}`}`;
}

/**
 * The caption of an export of a filtered, searched or selected map: which filters, search and selection, and
 * how many of how many points are shown ("Filter: error 0.1 to 0.3 · search “#12” · 1,234 of 200,000 points
 * shown, the rest dimmed"); null when nothing is highlighted.
 */
export function emphasisCaption(e: Emphasis): string | null {
  const parts: string[] = [];
  if (e.filters.length) parts.push(`Filter${e.filters.length === 1 ? '' : 's'}: ${e.filters.map(filterText).join('; ')}`);
  if (e.search.trim()) parts.push(`search “${e.search.trim()}”`);
  const sel = e.selection;
  if (sel && sel.kind !== 'filter') parts.push(sel.kind === 'cluster' ? `selection: cluster C${sel.cluster}` : `selection: a ${sel.kind === 'rect' ? 'rectangle' : 'lasso'}`);
  if (!parts.length) return null;
  const head = parts.join(' · ');
  const caption = `${head.charAt(0).toUpperCase()}${head.slice(1)} · ${formatCount(e.shown)} of ${formatCount(e.total)} points shown, the rest dimmed`;
  const hits = e.hiddenHits ?? 0;
  if (hits === 0) return caption;
  // highlighted rows the hidden classes leave off the map: said, so "0 of 100 shown" is not a mystery
  const classes = e.hiddenClasses ?? [];
  const where = `in the hidden class${classes.length === 1 ? '' : 'es'} ${classList(classes)}, not drawn`;
  const all = e.shown === 0;
  return `${caption} · ${all ? (hits === 1 ? 'its 1 row is' : `all ${formatCount(hits)} of its rows are`) : `${formatCount(hits)} more of its rows ${hits === 1 ? 'is' : 'are'}`} ${where}`;
}

/** Title above, legend to the right of a map canvas drawn at `scale`. */
export function composeImage(map: HTMLCanvasElement, scale: number, meta: ExportMeta): HTMLCanvasElement {
  const legend = legendEntries(meta.encoding, meta.hidden);
  const legendW = legend.entries.length ? LEGEND_W : 0;
  const titleH = meta.caption ? CAPTION_H : TITLE_TOP;
  const out = document.createElement('canvas');
  out.width = map.width + Math.round(legendW * scale);
  out.height = map.height + Math.round(titleH * scale);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(map, 0, Math.round(titleH * scale));
  ctx.scale(scale, scale);
  ctx.fillStyle = '#1b2430';
  ctx.font = '600 17px system-ui, sans-serif';
  ctx.fillText(meta.title, 14, 21);
  ctx.fillStyle = '#5b6675';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(meta.subtitle, 14, 38);
  if (meta.caption) {
    ctx.fillStyle = '#1b2430';
    ctx.fillText(meta.caption, 14, 56, out.width / scale - 28);
  }
  if (legendW) {
    const x0 = map.width / scale + 12;
    let y = titleH + 22;
    ctx.fillStyle = '#1b2430';
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillText(legend.heading, x0, y);
    ctx.font = '12px system-ui, sans-serif';
    for (const e of legend.entries) {
      y += 19;
      if (e.hidden) {
        // an outlined swatch and grey text, as the on-screen legend shows a hidden class
        ctx.strokeStyle = e.color;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x0 + 0.75, y - 9.25, 10.5, 10.5);
      } else {
        ctx.fillStyle = e.color;
        ctx.fillRect(x0, y - 10, 12, 12);
      }
      ctx.fillStyle = e.hidden ? HIDDEN_TEXT : '#1b2430';
      ctx.fillText(e.text, x0 + 18, y, LEGEND_W - 34);
    }
    if (legend.more > 0) {
      ctx.fillStyle = '#5b6675';
      ctx.fillText(`… and ${legend.more} more`, x0, y + 19);
    }
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * The map as SVG: one circle per point given in CSS px, the cluster labels where the map shows them (`labels`:
 * centres in CSS px, as the view placed them; white-haloed as on screen and in the PNG), the title, the caption
 * (meta.caption) and the legend. Circles with `dim` are drawn as the map draws them: first, smaller, in a group
 * faded to DIM_KEEP; the others on top, larger.
 */
export function composeSvg(
  width: number,
  height: number,
  circles: { x: number; y: number; color: string; dim?: boolean }[],
  radius: number,
  opacity: number,
  meta: ExportMeta,
  labels: readonly ShownLabel[] = [],
): string {
  const legend = legendEntries(meta.encoding, meta.hidden);
  const legendW = legend.entries.length ? LEGEND_W : 0;
  const titleH = meta.caption ? CAPTION_H : TITLE_TOP;
  const W = width + legendW;
  const H = height + titleH;
  const circle = (c: { x: number; y: number; color: string }, r: number) => `<circle cx="${c.x.toFixed(1)}" cy="${c.y.toFixed(1)}" r="${r.toFixed(2)}" fill="${c.color}"/>`;
  const dimmed = circles.filter((c) => c.dim);
  const points = dimmed.length
    ? [
        `<g class="dimmed" opacity="${DIM_KEEP}">`,
        ...dimmed.map((c) => circle(c, radius * DIM_RADIUS)),
        `</g><g class="shown" fill-opacity="${Math.max(opacity, 0.9)}">`,
        ...circles.filter((c) => !c.dim).map((c) => circle(c, radius * 1.35 + 0.5)),
        '</g>',
      ]
    : circles.map((c) => circle(c, radius));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="14" y="21" font-size="17" font-weight="600" fill="#1b2430">${esc(meta.title)}</text>`,
    `<text x="14" y="38" font-size="12" fill="#5b6675">${esc(meta.subtitle)}</text>`,
    ...(meta.caption ? [`<text class="caption" x="14" y="56" font-size="12" fill="#1b2430">${esc(meta.caption)}</text>`] : []),
    `<g transform="translate(0,${titleH})" fill-opacity="${opacity}"><clipPath id="map"><rect width="${width}" height="${height}"/></clipPath><g clip-path="url(#map)">`,
    ...points,
    '</g></g>',
  ];
  if (labels.length) {
    // as scatter/overlay.ts draws them: 600 12px, centred, a 4 px white halo under the dark text
    parts.push(
      `<g class="cluster-labels" transform="translate(0,${titleH})" font-size="12" font-weight="600" text-anchor="middle" dominant-baseline="central" fill="#111a28" stroke="rgba(255,255,255,0.92)" stroke-width="4" stroke-linejoin="round" paint-order="stroke">`,
      ...labels.map((l) => `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}">${esc(l.text)}</text>`),
      '</g>',
    );
  }
  if (legendW) {
    let y = titleH + 22;
    parts.push(`<text x="${width + 12}" y="${y}" font-size="13" font-weight="600" fill="#1b2430">${esc(legend.heading)}</text>`);
    for (const e of legend.entries) {
      y += 19;
      parts.push(
        e.hidden
          ? `<rect class="hidden-class" x="${width + 12.75}" y="${y - 9.25}" width="10.5" height="10.5" fill="none" stroke="${e.color}" stroke-width="1.5"/><text x="${width + 30}" y="${y}" font-size="12" fill="${HIDDEN_TEXT}">${esc(e.text)}</text>`
          : `<rect x="${width + 12}" y="${y - 10}" width="12" height="12" fill="${e.color}"/><text x="${width + 30}" y="${y}" font-size="12" fill="#1b2430">${esc(e.text)}</text>`,
      );
    }
    if (legend.more > 0) parts.push(`<text x="${width + 12}" y="${y + 19}" font-size="12" fill="#5b6675">… and ${legend.more} more</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Title, caption and legend of a pane's export; `emphasis`: what it highlights (null: nothing). */
export function exportMeta(p: Pane, emphasis: Emphasis | null = null): ExportMeta {
  const enc = p.encoding;
  const what = enc.kind === 'none' ? 'one color' : `colored by ${columnTitle(enc.column.name)}`;
  return {
    title: p.manifest.name || p.id,
    subtitle: `${p.manifest.dataset.name} · ${formatNumber(p.points.n)} points${p.visible ? ` (${formatCount(countOnes(p.visible))} drawn: ${formatCount(p.hidden.size)} class${p.hidden.size === 1 ? '' : 'es'} hidden)` : ''} · ${what} · latentmap run ${p.id}`,
    caption: (emphasis && emphasisCaption(emphasis)) ?? undefined,
    encoding: enc,
    hidden: p.hidden,
  };
}

/** Downloads a PNG of the map as on screen, exact at `scale`, with title and legend. */
export function exportPng(p: Pane, scale: number, emphasis: Emphasis | null, status: (message: string, isError: boolean) => void): void {
  const image = composeImage(p.view.snapshot(scale), scale, exportMeta(p, emphasis));
  image.toBlob((b) => (b ? download(b, `${p.id}-map.png`) : status('PNG encoding failed', true)), 'image/png');
}

/** Downloads an SVG of the points in view (one circle each), with title and legend, when few enough. */
export function exportSvg(p: Pane, emphasis: Emphasis | null, mask: Uint8Array | null, status: (message: string, isError: boolean) => void): void {
  const inView = p.view.pointsInView(SVG_LIMIT);
  if (!inView) {
    status(`SVG holds at most ${formatNumber(SVG_LIMIT)} points and more are in view: zoom in, hide classes, or export PNG.`, true);
    return;
  }
  const { width, height } = p.view.size();
  const { radius, alpha } = pointStyle(p.points.n, p.view.getView().k);
  const circles = inView.map((i) => {
    const [x, y] = p.view.toScreen(p.points.x[i], p.points.y[i]);
    return { x, y, color: unpackHex(p.encoding.colors[i]), dim: mask !== null && mask[i] === 0 };
  });
  // the labels the map shows now, placed as on screen (and in the PNG, which draws the same overlay)
  const labels = p.view.marks.shownLabels;
  download(new Blob([composeSvg(width, height, circles, radius, alpha, exportMeta(p, emphasis), labels)], { type: 'image/svg+xml' }), `${p.id}-map.svg`);
  status(`Exported ${formatNumber(circles.length)} points as SVG.`, false);
}
