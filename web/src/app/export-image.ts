// The map as a picture to keep: a title (run name, dataset, what the colors mean), the map at a chosen
// scale factor, and a legend beside it. PNG always (any number of points, drawn exactly at the scale);
// SVG (one circle per point, editable in a vector program) when the view holds at most SVG_LIMIT points.
import { unpackHex, type ColorEncoding } from '../colors.js';
import type { ShownLabel } from '../scatter/marks.js';
import { pointStyle } from '../scatter/render.js';
import { columnFormat, formatCount, statsOf } from '../format.js';
import { download, formatNumber } from '../ui/dom.js';
import { columnTitle } from './color-by.js';
import type { Pane } from './pane.js';

/** Most points an SVG export holds (beyond, files get too big to open). */
export const SVG_LIMIT = 20_000;
/** Legend rows drawn before "… and N more". */
const LEGEND_ROWS = 24;
const TITLE_H = 46;
const LEGEND_W = 210;

export interface LegendEntry {
  color: string;
  text: string;
}

export interface ExportMeta {
  title: string;
  subtitle: string;
  encoding: ColorEncoding;
  /** Hidden category codes (left out of the legend). */
  hidden: ReadonlySet<number>;
}

/** The legend's rows: one per shown category (with its count), or the numeric scale's ends. */
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
  const shown = enc.column.categories.map((name, c) => ({ c, name })).filter((e) => !hidden.has(e.c));
  const entries = shown.slice(0, LEGEND_ROWS).map((e) => ({ color: enc.palette[e.c], text: `${e.name} (${formatCount(enc.column.counts[e.c])})` }));
  return { heading: columnTitle(enc.column.name), entries, more: shown.length - entries.length };
}

/** Title above, legend to the right of a map canvas drawn at `scale`. */
export function composeImage(map: HTMLCanvasElement, scale: number, meta: ExportMeta): HTMLCanvasElement {
  const legend = legendEntries(meta.encoding, meta.hidden);
  const legendW = legend.entries.length ? LEGEND_W : 0;
  const out = document.createElement('canvas');
  out.width = map.width + Math.round(legendW * scale);
  out.height = map.height + Math.round(TITLE_H * scale);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(map, 0, Math.round(TITLE_H * scale));
  ctx.scale(scale, scale);
  ctx.fillStyle = '#1b2430';
  ctx.font = '600 17px system-ui, sans-serif';
  ctx.fillText(meta.title, 14, 21);
  ctx.fillStyle = '#5b6675';
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillText(meta.subtitle, 14, 38);
  if (legendW) {
    const x0 = map.width / scale + 12;
    let y = TITLE_H + 22;
    ctx.fillStyle = '#1b2430';
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillText(legend.heading, x0, y);
    ctx.font = '12px system-ui, sans-serif';
    for (const e of legend.entries) {
      y += 19;
      ctx.fillStyle = e.color;
      ctx.fillRect(x0, y - 10, 12, 12);
      ctx.fillStyle = '#1b2430';
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
 * centres in CSS px, as the view placed them; white-haloed as on screen and in the PNG), the title and the legend.
 */
export function composeSvg(
  width: number,
  height: number,
  circles: { x: number; y: number; color: string }[],
  radius: number,
  opacity: number,
  meta: ExportMeta,
  labels: readonly ShownLabel[] = [],
): string {
  const legend = legendEntries(meta.encoding, meta.hidden);
  const legendW = legend.entries.length ? LEGEND_W : 0;
  const W = width + legendW;
  const H = height + TITLE_H;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="14" y="21" font-size="17" font-weight="600" fill="#1b2430">${esc(meta.title)}</text>`,
    `<text x="14" y="38" font-size="12" fill="#5b6675">${esc(meta.subtitle)}</text>`,
    `<g transform="translate(0,${TITLE_H})" fill-opacity="${opacity}"><clipPath id="map"><rect width="${width}" height="${height}"/></clipPath><g clip-path="url(#map)">`,
    ...circles.map((c) => `<circle cx="${c.x.toFixed(1)}" cy="${c.y.toFixed(1)}" r="${radius.toFixed(2)}" fill="${c.color}"/>`),
    '</g></g>',
  ];
  if (labels.length) {
    // as scatter/overlay.ts draws them: 600 12px, centred, a 4 px white halo under the dark text
    parts.push(
      `<g class="cluster-labels" transform="translate(0,${TITLE_H})" font-size="12" font-weight="600" text-anchor="middle" dominant-baseline="central" fill="#111a28" stroke="rgba(255,255,255,0.92)" stroke-width="4" stroke-linejoin="round" paint-order="stroke">`,
      ...labels.map((l) => `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}">${esc(l.text)}</text>`),
      '</g>',
    );
  }
  if (legendW) {
    let y = TITLE_H + 22;
    parts.push(`<text x="${width + 12}" y="${y}" font-size="13" font-weight="600" fill="#1b2430">${esc(legend.heading)}</text>`);
    for (const e of legend.entries) {
      y += 19;
      parts.push(`<rect x="${width + 12}" y="${y - 10}" width="12" height="12" fill="${e.color}"/><text x="${width + 30}" y="${y}" font-size="12" fill="#1b2430">${esc(e.text)}</text>`);
    }
    if (legend.more > 0) parts.push(`<text x="${width + 12}" y="${y + 19}" font-size="12" fill="#5b6675">… and ${legend.more} more</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Title and legend of a pane's export. */
export function exportMeta(p: Pane): ExportMeta {
  const enc = p.encoding;
  const what = enc.kind === 'none' ? 'one color' : `colored by ${columnTitle(enc.column.name)}`;
  return {
    title: p.manifest.name || p.id,
    subtitle: `${p.manifest.dataset.name} · ${formatNumber(p.points.n)} points · ${what} · latentmap run ${p.id}`,
    encoding: enc,
    hidden: p.hidden,
  };
}

/** Downloads a PNG of the map as on screen, exact at `scale`, with title and legend. */
export function exportPng(p: Pane, scale: number, status: (message: string, isError: boolean) => void): void {
  const image = composeImage(p.view.snapshot(scale), scale, exportMeta(p));
  image.toBlob((b) => (b ? download(b, `${p.id}-map.png`) : status('PNG encoding failed', true)), 'image/png');
}

/** Downloads an SVG of the points in view (one circle each), with title and legend, when few enough. */
export function exportSvg(p: Pane, status: (message: string, isError: boolean) => void): void {
  const inView = p.view.pointsInView(SVG_LIMIT);
  if (!inView) {
    status(`SVG holds at most ${formatNumber(SVG_LIMIT)} points and more are in view: zoom in, hide classes, or export PNG.`, true);
    return;
  }
  const { width, height } = p.view.size();
  const { radius, alpha } = pointStyle(p.points.n, p.view.getView().k);
  const circles = inView.map((i) => {
    const [x, y] = p.view.toScreen(p.points.x[i], p.points.y[i]);
    return { x, y, color: unpackHex(p.encoding.colors[i]) };
  });
  // the labels the map shows now, placed as on screen (and in the PNG, which draws the same overlay)
  const labels = p.view.marks.shownLabels;
  download(new Blob([composeSvg(width, height, circles, radius, alpha, exportMeta(p), labels)], { type: 'image/svg+xml' }), `${p.id}-map.svg`);
  status(`Exported ${formatNumber(circles.length)} points as SVG.`, false);
}
