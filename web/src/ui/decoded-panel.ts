// "A typical member" of a selection: the mean of its rows beside the run's model's decoding of their mean code
// (POST /api/runs/:id/decode), as two pictures for image datasets and as two columns of values otherwise.
// Only a model that decodes can show this: an autoencoder's decoder; for PCA its inverse transform, said so;
// for reducer none there is nothing to decode, said so.
import type { Decoded } from '../api.js';
import { fill, formatNumber, h } from './dom.js';

/** Most feature rows listed for tabular data (the widest differences first). */
const MAX_ROWS = 12;

export type DecodedState = { loading: true } | { error: string } | { decoded: Decoded };

function caption(d: Decoded): string {
  if (d.decodedBy === 'decoder') return 'decoded mean code';
  if (d.decodedBy === 'inverse transform') return 'mean code, inverse PCA';
  return '';
}

/** Renders (or re-renders) the panel's "typical member" box inside `el`. */
export function renderDecoded(el: HTMLElement, state: DecodedState): void {
  let box = el.querySelector<HTMLElement>('.typical');
  if (!box) {
    box = h('div', { className: 'typical' });
    el.append(box);
  }
  const head = h('h4', null, 'A typical member');
  if ('loading' in state) {
    fill(box, head, h('p', { className: 'muted small' }, 'Decoding the mean code…'));
    return;
  }
  if ('error' in state) {
    fill(box, head, h('p', { className: 'muted small' }, `Nothing decoded: ${state.error}`));
    return;
  }
  const d = state.decoded;
  const rows = d.count !== null ? `mean of ${formatNumber(d.count)} row${d.count === 1 ? '' : 's'}` : 'mean of the rows';
  const note = h('p', { className: 'muted small typical-note' }, d.note.charAt(0).toUpperCase() + d.note.slice(1) + '.');
  if (d.image) {
    const side = 112;
    const figure = (src: string | null, text: string, cls: string) =>
      src ? h('figure', { className: cls }, h('img', { src, alt: text, className: 'pixelated', width: side, height: Math.round((side * d.image!.height) / d.image!.width) }), h('figcaption', null, text)) : null;
    fill(box, head, h('div', { className: 'pair' }, figure(d.meanImage, rows, 'typical-mean'), figure(d.decodedImage, caption(d), 'typical-decoded')), note);
    return;
  }
  if (!d.mean && !d.decoded) {
    fill(box, head, note);
    return;
  }
  // tabular: the features where the decoded code and the mean differ most (relative to their size) first
  const order = d.features.map((_, f) => f);
  if (d.mean && d.decoded) {
    const gap = (f: number) => Math.abs((d.decoded![f] ?? 0) - (d.mean![f] ?? 0)) / (Math.abs(d.mean![f] ?? 0) + 1e-9);
    order.sort((a, b) => gap(b) - gap(a) || a - b);
  }
  const table = h(
    'table',
    { className: 'values typical-table' },
    h('thead', null, h('tr', null, h('th', null, 'feature'), d.mean ? h('th', null, rows) : null, d.decoded ? h('th', null, caption(d)) : null)),
  );
  const body = h('tbody');
  for (const f of order.slice(0, MAX_ROWS)) {
    body.append(
      h(
        'tr',
        { 'data-feature': d.features[f] },
        h('td', null, d.features[f]),
        d.mean ? h('td', { className: 'num' }, formatNumber(d.mean[f])) : null,
        d.decoded ? h('td', { className: 'num' }, formatNumber(d.decoded[f])) : null,
      ),
    );
  }
  table.append(body);
  const more = d.features.length > MAX_ROWS ? h('p', { className: 'muted small' }, `${MAX_ROWS} of ${d.features.length} features${d.mean && d.decoded ? ', the largest differences first' : ''}`) : null;
  fill(box, head, table, more, note);
}
