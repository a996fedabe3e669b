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

/** The "what sets it apart" list of a selection: standardized mean differences with both means. */
export function renderExplanation(el: HTMLElement, rows: readonly { name: string; d: number; meanIn: number; meanOut: number }[]): void {
  el.querySelector('.explain')?.remove();
  const box = h('div', { className: 'explain' }, h('h4', null, 'What sets it apart'));
  if (rows.length === 0) box.append(h('p', { className: 'muted small' }, 'No numeric column differs between the selection and the rest.'));
  else {
    const table = h('table', { className: 'values explain-table' }, h('thead', null, h('tr', null, h('th', null, 'column'), h('th', { title: 'standardized mean difference: selection minus rest, in pooled standard deviations' }, 'd'), h('th', null, 'selected'), h('th', null, 'rest'))));
    const body = h('tbody');
    for (const r of rows) {
      body.append(
        h(
          'tr',
          { 'data-column': r.name },
          h('td', null, r.name),
          h('td', { className: `num ${r.d > 0 ? 'up' : 'down'}` }, `${r.d > 0 ? '+' : ''}${r.d.toFixed(2)}`),
          h('td', { className: 'num' }, formatNumber(r.meanIn)),
          h('td', { className: 'num' }, formatNumber(r.meanOut)),
        ),
      );
    }
    table.append(body);
    box.append(table, h('p', { className: 'muted small' }, 'd: standardized mean difference (selection minus rest, in pooled standard deviations); |d| ≥ 0.8 is large.'));
  }
  el.append(box);
}
