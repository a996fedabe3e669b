// The legend: categories with swatches and counts (click hides, a second click isolates, a third shows
// all; shift-click toggles one), or a sequential color bar for numeric columns.
import { axisBottom, scaleLinear, scaleLog, select, type NumberValue } from 'd3';
import { SAFE_CATEGORIES, type ColorEncoding } from '../colors.js';
import { columnTitle } from '../app/color-by.js';
import { columnFormat, formatCount, formatRange, statsOf, tickFormat } from '../format.js';
import { h, fill } from './dom.js';

/** d3's log scale takes a formatter function too (its typings list only a specifier string). */
type LogTicks = { tickFormat(count: number, format: (v: number) => string): (v: NumberValue) => string };

export interface LegendHandlers {
  onCategory: (cat: number, shift: boolean) => void;
  onShowAll: () => void;
}

export function renderLegend(
  el: HTMLElement,
  enc: ColorEncoding,
  hidden: ReadonlySet<number>,
  handlers: LegendHandlers,
): void {
  if (enc.kind === 'none') {
    fill(el, h('p', { className: 'muted' }, 'One color for every point.'));
    return;
  }
  if (enc.kind === 'category') {
    const col = enc.column;
    const total = col.counts.reduce((a, b) => a + b, 0) + col.missing;
    const list = h('ul', { className: 'legend-list', role: 'list' });
    col.categories.forEach((name, c) => {
      const off = hidden.has(c);
      const pct = total ? ((100 * col.counts[c]) / total).toFixed(1) : '0';
      const button = h(
        'button',
        {
          type: 'button',
          className: `legend-item${off ? ' off' : ''}`,
          'aria-pressed': String(!off),
          'data-category': name,
          title: `${name}: ${col.counts[c]} points (${pct} %). Click: hide · again: only this · again: all. Shift-click: toggle.`,
          onclick: ((e: MouseEvent) => handlers.onCategory(c, e.shiftKey)) as EventListener,
        },
        h('span', { className: 'swatch', style: `background:${enc.palette[c]}` }),
        h('span', { className: 'legend-name' }, name),
        h('span', { className: 'legend-count' }, formatCount(col.counts[c])),
      );
      list.append(h('li', null, button));
    });
    const shown = col.categories.length - hidden.size;
    fill(
      el,
      h(
        'div',
        { className: 'legend-head' },
        h('span', null, `${columnTitle(col.name)} · ${col.categories.length} classes${col.missing ? ` · ${col.missing} missing` : ''}`),
        hidden.size
          ? h('button', { type: 'button', className: 'link', onclick: (() => handlers.onShowAll()) as EventListener }, `show all (${shown}/${col.categories.length})`)
          : null,
      ),
      list,
      col.categories.length > SAFE_CATEGORIES
        ? h(
            'p',
            { className: 'muted small legend-note' },
            `More than ${SAFE_CATEGORIES} classes: the colors past the ${SAFE_CATEGORIES}th are not color-blind safe and some look alike. Click a class to hide it, or search for it, to tell them apart.`,
          )
        : null,
    );
    return;
  }
  // numeric: a color bar with an axis
  const width = 260;
  const [lo, hi] = enc.domain;
  const canvas = h('canvas', { width: 256, height: 1, className: 'colorbar' });
  const ctx = canvas.getContext('2d');
  if (ctx) {
    for (let i = 0; i < 256; i++) {
      ctx.fillStyle = enc.interpolate(i / 255);
      ctx.fillRect(i, 0, 1, 1);
    }
  }
  const svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg')).attr('width', width + 16).attr('height', 22);
  // one format for the column (years ungrouped, grouping alike across the line), ticks in fixed notation
  const stats = statsOf(enc.column);
  const value = columnFormat(stats);
  const tick = tickFormat([lo, hi], enc.log ? 4 : 5, stats, enc.log);
  const scale = (enc.log ? scaleLog() : scaleLinear()).domain([lo, hi]).range([0, width]);
  svg
    .append('g')
    .attr('transform', 'translate(8,1)')
    // a log axis keeps d3's thinning of the labels between powers (scale.tickFormat given our formatter)
    .call(axisBottom(scale).ticks(enc.log ? 4 : 5).tickFormat(enc.log ? (scale as unknown as LogTicks).tickFormat(4, tick) : (v) => tick(+v)).tickSizeOuter(0));
  fill(
    el,
    h('div', { className: 'legend-head' }, h('span', null, `${columnTitle(enc.column.name)}${enc.log ? ' (log scale)' : ''}`)),
    h('div', { className: 'colorbar-wrap' }, canvas, svg.node()),
    h('p', { className: 'muted small' }, `1st–99th percentile: ${formatRange(lo, hi, value)}; range ${formatRange(enc.column.min, enc.column.max, value)}`),
    enc.column.name === 'preservation'
      ? h('p', { className: 'muted small legend-note' }, 'Neighbourhood preservation: the share of each row’s nearest neighbours in the input that are also its neighbours on the map. Dark regions are where the map tore or folded the data: do not read distances there.')
      : null,
  );
}
