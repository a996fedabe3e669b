// The detail panel of one point: original and reconstruction side by side (images for image datasets,
// values otherwise), its reconstruction error, its metadata, and its nearest neighbours in code space.
import type { RunManifest } from '../../../pipeline/types.js';
import type { Api, ItemDetail, Neighbor } from '../api.js';
import type { DecodedPoints } from '../points.js';
import { LINK_COLOR } from '../scatter/overlay.js';
import { fill, formatNumber, h } from './dom.js';
import { cellText, featurePairFormat } from '../format.js';
import { loadImageRetrying } from '../retry.js';
import { reducerOfRun } from '../../../pipeline/reduce/reducer.js';

export interface DetailContext {
  api: Api;
  runId: string;
  manifest: RunManifest;
  points: DecodedPoints;
  /** Position of the point in the points arrays. */
  position: number;
  /** Input row index → position (-1 when absent). */
  positionOf: (row: number) => number;
  /** Called with the neighbours' positions once known (to highlight them on the map). */
  onNeighbors: (positions: number[]) => void;
  onSelectRow: (row: number) => void;
  onZoom: () => void;
  onClose: () => void;
  colorOf: (position: number) => string;
  /** Aborted when another point is opened or the panel closes: its requests end (the browser's few connections to the server are freed). */
  signal?: AbortSignal;
}

/** An <img> of one of the server's images, loaded again if the busy server refused it (retry.ts). */
function serverImage(src: string, attrs: Record<string, string | number>): HTMLImageElement {
  const img = h('img', attrs);
  loadImageRetrying(img, src);
  return img;
}

function numbers(v: unknown): number[] | null {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) return v as number[];
  return null;
}

export function renderDetail(el: HTMLElement, ctx: DetailContext): void {
  const { api, runId, manifest, points, position: i } = ctx;
  const row = points.index[i];
  const image = manifest.dataset.image;
  const labelText = points.label ? (points.label.codes[i] >= 0 ? points.label.categories[points.label.codes[i]] : '—') : null;
  const meta = h('dl', { className: 'kv' });
  for (const col of points.raw) meta.append(h('dt', null, col.name), h('dd', null, cellText(points.columns, col.name, col.get(i))));
  meta.append(h('dt', null, 'map x, y'), h('dd', null, `${formatNumber(points.x[i])}, ${formatNumber(points.y[i])}`));
  const body = h('div', { className: 'detail-body' });
  const neighborsEl = h('div', { className: 'neighbors' }, h('p', { className: 'muted small' }, 'Loading neighbours…'));
  if (image) {
    body.append(
      h(
        'div',
        { className: 'pair' },
        h('figure', null, serverImage(api.imageUrl(runId, row), { alt: `row ${row}, original`, className: 'pixelated', width: 112, height: 112 }), h('figcaption', null, 'original')),
        reducerOfRun(manifest) !== 'none'
          ? h('figure', null, serverImage(api.reconstructionUrl(runId, row), { alt: `row ${row}, reconstruction`, className: 'pixelated', width: 112, height: 112 }), h('figcaption', null, 'reconstruction'))
          : null,
      ),
    );
  }
  const valuesEl = h('div', { className: 'values' });
  body.append(valuesEl);
  fill(
    el,
    h(
      'div',
      { className: 'panel-head' },
      h('h3', null, h('span', { className: 'swatch', style: `background:${ctx.colorOf(i)}` }), `Row ${row}`, labelText !== null ? h('span', { className: 'muted' }, ` · label ${labelText}`) : null),
      h(
        'div',
        null,
        h('button', { type: 'button', className: 'icon', title: 'Zoom to this point', onclick: (() => ctx.onZoom()) as EventListener }, 'Zoom'),
        h('button', { type: 'button', className: 'icon', title: 'Close', 'aria-label': 'Close detail', onclick: (() => ctx.onClose()) as EventListener }, '✕'),
      ),
    ),
    points.error ? h('p', { className: 'error-line' }, 'reconstruction error ', h('strong', null, formatNumber(points.error[i])), errorRank(points.error, i)) : null,
    body,
    h('h4', null, 'Nearest neighbours in code space'),
    neighborsEl,
    h('div', { className: 'input-links' }),
    h('details', null, h('summary', null, 'Metadata'), meta),
  );

  api.item(runId, row, ctx.signal).then(
    (item: ItemDetail) => {
      if (image) return;
      const orig = numbers(item.values) ?? numbers(item.features) ?? numbers(item.original);
      const rec = numbers(item.reconstruction);
      if (!orig) return;
      // a manifest lists at most 1,000 feature names; the item lists a row's names with its values
      const listed = Array.isArray(item.features) && item.features.every((f) => typeof f === 'string') ? (item.features as string[]) : [];
      const names = manifest.dataset.features ?? listed;
      const table = h('table', { className: 'values-table' }, h('thead', null, h('tr', null, h('th', null, 'feature'), h('th', null, 'original'), rec ? h('th', null, 'reconstruction') : null)));
      const tb = h('tbody');
      orig.slice(0, 200).forEach((v, k) => {
        const name = names[k] ?? `#${k}`;
        // the original and its reconstruction in one format (a year as written, other numbers grouped)
        const text = featurePairFormat(name, v);
        tb.append(h('tr', null, h('td', null, name), h('td', { className: 'num' }, text(v)), rec ? h('td', { className: 'num' }, text(rec[k])) : null));
      });
      table.append(tb);
      fill(valuesEl, table, orig.length > 200 ? h('p', { className: 'muted small' }, `first 200 of ${orig.length} values`) : null);
    },
    (err: Error) => fill(valuesEl, h('p', { className: 'muted small' }, `values unavailable: ${err.message}`)),
  );

  api.neighbors(runId, row, 10, 'code', ctx.signal).then(
    (list: Neighbor[]) => {
      const positions = list.map((n) => ctx.positionOf(n.index)).filter((p) => p >= 0);
      ctx.onNeighbors(positions);
      const ul = h('ul', { className: image ? 'neighbor-grid' : 'neighbor-list' });
      for (const n of list) {
        const p = ctx.positionOf(n.index);
        const lab = p >= 0 && points.label && points.label.codes[p] >= 0 ? points.label.categories[points.label.codes[p]] : null;
        ul.append(
          h(
            'li',
            null,
            h(
              'button',
              { type: 'button', className: 'neighbor', title: `row ${n.index}${n.distance !== null ? `, distance ${formatNumber(n.distance)}` : ''}`, onclick: (() => ctx.onSelectRow(n.index)) as EventListener },
              image ? serverImage(api.imageUrl(runId, n.index), { alt: `row ${n.index}`, className: 'pixelated', width: 48, height: 48, loading: 'lazy' }) : null,
              h('span', { className: 'swatch', style: `background:${p >= 0 ? ctx.colorOf(p) : '#999'}` }),
              h('span', null, lab !== null ? lab : `#${n.index}`),
              !image && lab !== null ? h('span', { className: 'muted small' }, `#${n.index}`) : null,
              n.distance !== null ? h('span', { className: 'muted small' }, formatNumber(n.distance)) : null,
            ),
          ),
        );
      }
      fill(neighborsEl, list.length ? ul : h('p', { className: 'muted small' }, 'no neighbours'));
    },
    (err: Error) => fill(neighborsEl, h('p', { className: 'muted small' }, `neighbours unavailable: ${err.message}`)),
  );
}

/** What the lines to the point's nearest rows in input space show, once they are drawn. */
export function renderInputLinks(panel: HTMLElement, state: { loading: true } | { error: string } | { count: number; preservation: number | null }): void {
  const el = panel.querySelector<HTMLElement>('.input-links');
  if (!el) return;
  if ('loading' in state) fill(el, h('p', { className: 'muted small' }, 'Finding its nearest rows in input space…'));
  else if ('error' in state) fill(el, h('p', { className: 'muted small' }, `Input-space neighbours unavailable: ${state.error}`));
  else {
    fill(
      el,
      h(
        'p',
        { className: 'small' },
        h('span', { className: 'link-swatch', style: `background:${LINK_COLOR}` }),
        `Lines: its ${state.count} nearest rows in input space. Long lines are neighbours the map placed far away (a tear).`,
        state.preservation !== null && Number.isFinite(state.preservation)
          ? h('span', { className: 'muted' }, ` Neighbourhood preservation of this row: ${formatNumber(state.preservation)}.`)
          : null,
      ),
    );
  }
}

function errorRank(err: Float32Array, i: number): HTMLElement {
  let below = 0;
  const v = err[i];
  for (let k = 0; k < err.length; k++) if (err[k] < v) below++;
  const pct = (100 * below) / Math.max(1, err.length);
  return h('span', { className: 'muted' }, ` · higher than ${pct.toFixed(0)} % of rows`);
}
