// The selection panel: count, per-label summary, export as CSV / JSON.
import type { ColorEncoding } from '../colors.js';
import { selectedRows, summarize, toCsv } from '../export.js';
import type { DecodedPoints } from '../points.js';
import { download, fill, formatNumber, h } from './dom.js';

export function renderSelection(
  el: HTMLElement,
  points: DecodedPoints,
  mask: Uint8Array,
  count: number,
  enc: ColorEncoding,
  runId: string,
  onClear: () => void,
  /** What the count is of, after the number: "selected", "in cluster C3 · 7 (94 %)", "passing the filters". */
  what = 'selected',
): void {
  const col = enc.kind === 'category' ? enc.column : points.label;
  const palette = enc.kind === 'category' && col === enc.column ? enc.palette : null;
  const summary = col ? summarize(col.codes, col.categories, mask) : [];
  const max = summary.reduce((a, s) => Math.max(a, s.count), 1);
  const list = h('ul', { className: 'summary' });
  for (const s of summary.slice(0, 30)) {
    list.append(
      h(
        'li',
        null,
        h('span', { className: 'swatch', style: `background:${palette && s.code >= 0 ? palette[s.code] : '#888'}` }),
        h('span', { className: 'legend-name' }, s.name),
        h('span', { className: 'bar' }, h('span', { style: `width:${(100 * s.count) / max}%` })),
        h('span', { className: 'legend-count' }, formatNumber(s.count)),
      ),
    );
  }
  const exportAs = (kind: 'csv' | 'json') => {
    const rows = selectedRows(points, mask);
    const blob =
      kind === 'csv'
        ? new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' })
        : new Blob([JSON.stringify(rows, null, 1)], { type: 'application/json' });
    download(blob, `${runId}-selection-${rows.length}.${kind}`);
  };
  fill(
    el,
    h(
      'div',
      { className: 'panel-head' },
      h('h3', null, h('span', { className: 'selection-count', 'data-count': count }, formatNumber(count)), ` ${what}`, h('span', { className: 'muted' }, ` of ${formatNumber(points.n)}`)),
      h('button', { type: 'button', className: 'icon', 'aria-label': 'Clear selection', title: 'Clear selection (Esc)', onclick: (() => onClear()) as EventListener }, '✕'),
    ),
    col ? h('p', { className: 'muted small' }, `by ${col.name}`) : null,
    list,
    summary.length > 30 ? h('p', { className: 'muted small' }, `and ${summary.length - 30} more`) : null,
    h(
      'div',
      { className: 'form-actions' },
      h('button', { type: 'button', onclick: (() => exportAs('csv')) as EventListener, disabled: count === 0 }, 'Export CSV'),
      h('button', { type: 'button', onclick: (() => exportAs('json')) as EventListener, disabled: count === 0 }, 'Export JSON'),
    ),
  );
}
