// The linked filter charts (D3, SVG): bars for a categorical column (click a bar to keep only it,
// shift-click to add or remove it), a histogram with a brush for a numeric one (including reconstruction
// error). Grey: every row; colored: the rows passing the other charts' filters.
import { bin, brushX, max as d3max, scaleBand, scaleLinear, select, type D3BrushEvent } from 'd3';
import type { DecodedPoints, PointColumn } from '../points.js';
import type { Filter } from '../app/filters.js';
import { columnTitle } from '../app/color-by.js';
import { columnFormat, formatCount, statsOf } from '../format.js';
import { fill, h } from './dom.js';

export interface FilterChartHandlers {
  /** The filter of one column changed (null: cleared). */
  onFilter: (column: string, filter: Filter | null) => void;
  /** Selects the rows passing the filters (to explain them in the selection panel). */
  onExplain?: () => void;
  /** Input features that can be added as a chart (names without prefix), offered in an "Add a chart" list. */
  addable?: readonly string[];
  /** A feature was chosen from that list. */
  onAdd?: (name: string) => void;
  /** Columns whose chart can be removed (features added by name): each gets a remove button. */
  removable?: readonly string[];
  /** The remove button of a chart was pressed (its column). */
  onRemove?: (column: string) => void;
}

const W = 300;
const H = 92;
const M = { top: 6, right: 8, bottom: 20, left: 8 };

function title(col: PointColumn): string {
  return columnTitle(col.name);
}

/** Width of a tick label's character at the charts' 9-unit font, in viewBox units (a generous average). */
const CHAR = 5.2;
/** Rotated labels longer than this are cut (the bar's tooltip has the whole name). */
const MAX_ROTATED = 16;

/**
 * How the bars' names are written under bars `band` units apart: level and whole when every name fits its
 * bar; else turned 45° (so each may take more room than its bar), cut past MAX_ROTATED characters with "…".
 * `bottom`: the margin below the bars the labels need; `left`: the room a turned label needs left of the chart
 * (it ends under its bar and runs down to the left, so the first bars' labels reach past the chart's left edge;
 * `centres`: the bars' centres, viewBox units from the chart's left edge).
 */
export function barLabels(names: readonly string[], band: number, centres: readonly number[] = []): { rotate: boolean; texts: string[]; bottom: number; left: number } {
  if (names.every((n) => n.length * CHAR <= band - 2)) return { rotate: false, texts: [...names], bottom: M.bottom, left: 0 };
  const texts = names.map((n) => (n.length > MAX_ROTATED ? `${n.slice(0, MAX_ROTATED - 1)}…` : n));
  const longest = Math.max(...texts.map((t) => t.length));
  // a turned label's start: its length along the 45° line, less the baseline's 9 units below the bar's foot
  const reach = (t: string) => t.length * CHAR * Math.SQRT1_2 + 2;
  const left = Math.max(0, ...texts.map((t, c) => (centres[c] === undefined ? 0 : Math.ceil(reach(t) - centres[c]!))));
  return { rotate: true, texts, bottom: Math.ceil(longest * CHAR * Math.SQRT1_2 + 12), left };
}

function categoryChart(col: PointColumn & { kind: 'category' }, others: Uint8Array | null, filter: Filter | null, on: FilterChartHandlers): SVGSVGElement {
  const all = col.counts;
  const kept = new Array<number>(col.categories.length).fill(0);
  for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0 && (!others || others[i])) kept[col.codes[i]]++;
  const x = scaleBand<number>().domain(col.categories.map((_, c) => c)).range([M.left, W - M.right]).padding(0.15);
  const labelled = col.categories.length <= 20;
  const labels = barLabels(labelled ? col.categories : [], x.step(), col.categories.map((_, c) => x(c)! + x.bandwidth() / 2));
  // the plot keeps its height; turned labels make the chart taller below it, and wider to the left
  const height = H - M.bottom + labels.bottom;
  const y = scaleLinear().domain([0, d3max(all) || 1]).range([H - M.bottom, M.top]);
  const chosen = filter && filter.kind === 'set' ? new Set(filter.values) : null;
  const svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg')).attr('viewBox', `${-labels.left} 0 ${W + labels.left} ${height}`).attr('class', 'filter-chart').attr('role', 'img').attr('aria-label', `${title(col)}: bars per category`);
  const g = svg.selectAll('g.bar').data(col.categories.map((name, c) => ({ name, c }))).join('g').attr('class', 'bar').attr('data-category', (d) => d.name).style('cursor', 'pointer');
  g.append('rect').attr('class', 'all').attr('x', (d) => x(d.c)!).attr('width', x.bandwidth()).attr('y', (d) => y(all[d.c])).attr('height', (d) => y(0) - y(all[d.c])).attr('fill', '#dde2ea');
  g.append('rect')
    .attr('class', 'kept')
    .attr('x', (d) => x(d.c)!)
    .attr('width', x.bandwidth())
    .attr('y', (d) => y(kept[d.c]))
    .attr('height', (d) => y(0) - y(kept[d.c]))
    .attr('fill', (d) => (chosen && !chosen.has(d.name) ? '#b9c2cf' : '#3b6ea8'));
  g.append('title').text((d) => `${d.name}: ${formatCount(kept[d.c])} of ${formatCount(all[d.c])}`);
  if (labelled) {
    const text = g.append('text').attr('class', 'tick-label').text((d) => labels.texts[d.c]);
    if (labels.rotate) {
      // turned about the bar's foot, ending under it
      text
        .attr('text-anchor', 'end')
        .attr('transform', (d) => `translate(${x(d.c)! + x.bandwidth() / 2},${H - M.bottom + 9}) rotate(-45)`);
    } else text.attr('x', (d) => x(d.c)! + x.bandwidth() / 2).attr('y', H - 6).attr('text-anchor', 'middle');
  }
  g.on('click', (event: MouseEvent, d) => {
    const next = new Set(chosen ?? []);
    if (event.shiftKey) {
      if (next.has(d.name)) next.delete(d.name);
      else next.add(d.name);
    } else if (chosen && chosen.size === 1 && chosen.has(d.name)) next.clear();
    else {
      next.clear();
      next.add(d.name);
    }
    on.onFilter(col.name, next.size ? { column: col.name, kind: 'set', values: [...next] } : null);
  });
  return svg.node()!;
}

function histogram(col: PointColumn & { kind: 'number' }, others: Uint8Array | null, filter: Filter | null, on: FilterChartHandlers): SVGSVGElement {
  const v = col.values;
  const lo = col.min;
  const hi = col.max > col.min ? col.max : col.min + 1;
  const x = scaleLinear().domain([lo, hi]).range([M.left, W - M.right]);
  const thresholds = x.ticks(30);
  const allBins = new Array<number>(thresholds.length + 1).fill(0);
  const keptBins = new Array<number>(thresholds.length + 1).fill(0);
  const which = (t: number) => {
    let a = 0;
    let b = thresholds.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (thresholds[m] <= t) a = m + 1;
      else b = m;
    }
    return a;
  };
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    const k = which(v[i]);
    allBins[k]++;
    if (!others || others[i]) keptBins[k]++;
  }
  const edges = [lo, ...thresholds.filter((t) => t > lo && t < hi), hi];
  void bin; // d3.bin's thresholds logic is mirrored by which(): one pass over millions of rows
  const y = scaleLinear().domain([0, d3max(allBins) || 1]).range([H - M.bottom, M.top]);
  const svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg')).attr('viewBox', `0 0 ${W} ${H}`).attr('class', 'filter-chart').attr('role', 'img').attr('aria-label', `${title(col)}: histogram; drag to filter`);
  const bars = edges.slice(0, -1).map((e, k) => ({ x0: e, x1: edges[k + 1], all: allBins[which(e)], kept: keptBins[which(e)] }));
  for (const [cls, key, color] of [
    ['all', 'all', '#dde2ea'],
    ['kept', 'kept', '#3b6ea8'],
  ] as const) {
    svg
      .append('g')
      .attr('class', cls)
      .selectAll('rect')
      .data(bars)
      .join('rect')
      .attr('x', (d) => x(d.x0) + 0.5)
      .attr('width', (d) => Math.max(0.5, x(d.x1) - x(d.x0) - 1))
      .attr('y', (d) => y(d[key]))
      .attr('height', (d) => y(0) - y(d[key]))
      .attr('fill', color);
  }
  const axis = svg.append('g').attr('class', 'tick-label');
  // both ends in the column's one format (a year column reads "1990", not "1,990")
  const value = columnFormat(statsOf(col));
  for (const t of [lo, hi]) axis.append('text').attr('x', x(t)).attr('y', H - 6).attr('text-anchor', t === lo ? 'start' : 'end').text(value(t));
  const brush = brushX<unknown>()
    .extent([
      [M.left, M.top],
      [W - M.right, H - M.bottom],
    ])
    .on('end', (event: D3BrushEvent<unknown>) => {
      if (!event.sourceEvent) return; // moved by code
      const sel = event.selection as [number, number] | null;
      on.onFilter(col.name, sel ? { column: col.name, kind: 'range', lo: x.invert(sel[0]), hi: x.invert(sel[1]) } : null);
    });
  const gb = svg.append('g').attr('class', 'brush').call(brush);
  if (filter && filter.kind === 'range') gb.call(brush.move, [x(Math.max(lo, filter.lo)), x(Math.min(hi, filter.hi))]);
  return svg.node()!;
}

/** The "Add a chart" list of the features not charted yet. */
function addChart(names: readonly string[], onAdd: (name: string) => void): HTMLElement {
  const select = h(
    'select',
    { id: 'filter-add', 'aria-label': 'Add a chart of an input feature' },
    h('option', { value: '' }, `Add a chart of a feature (${formatCount(names.length)} more)…`),
    ...names.map((n) => h('option', { value: n }, n)),
  );
  select.addEventListener('change', () => {
    if (select.value) onAdd(select.value);
  });
  return h('div', { className: 'filter-add' }, select);
}

/**
 * Renders one chart per column; `others(name)` gives the rows passing every filter but the one on that
 * column (null: all rows).
 */
export function renderFilterCharts(
  el: HTMLElement,
  points: DecodedPoints,
  columns: readonly PointColumn[],
  filters: readonly Filter[],
  others: (column: string) => Uint8Array | null,
  on: FilterChartHandlers,
  passing: number | null,
  /** Charts whose column is still being fetched. */
  loading = 0,
): void {
  const items = columns.map((col) => {
    const filter = filters.find((f) => f.column === col.name) ?? null;
    const chart = col.kind === 'category' ? categoryChart(col, others(col.name), filter, on) : histogram(col, others(col.name), filter, on);
    return h(
      'div',
      { className: `filter-item${filter ? ' active' : ''}`, 'data-column': col.name },
      h(
        'div',
        { className: 'filter-head' },
        h('span', null, title(col)),
        // a div, not a span: the head's one span is the chart's title
        h(
          'div',
          { className: 'filter-actions' },
          filter ? h('button', { type: 'button', className: 'link', onclick: (() => on.onFilter(col.name, null)) as EventListener }, 'clear') : null,
          on.onRemove && on.removable?.includes(col.name)
            ? h(
                'button',
                {
                  type: 'button',
                  className: 'icon filter-remove',
                  title: `Remove this chart${filter ? ' and its filter' : ''}`,
                  'aria-label': `Remove the chart of ${title(col)}${filter ? ' and its filter' : ''}`,
                  onclick: (() => on.onRemove!(col.name)) as EventListener,
                },
                '×',
              )
            : null,
        ),
      ),
      chart,
    );
  });
  fill(
    el,
    h(
      'div',
      { className: 'panel-head' },
      h('h3', null, 'Filters'),
      h('span', { className: 'muted small filter-count' }, passing === null ? `${formatCount(points.n)} rows` : `${formatCount(passing)} of ${formatCount(points.n)} rows`),
      passing !== null && on.onExplain
        ? h('button', { type: 'button', className: 'explain-filter', title: 'Select the rows passing the filters and explain what sets them apart', onclick: (() => on.onExplain!()) as EventListener }, 'Explain')
        : null,
    ),
    h('p', { className: 'muted small' }, 'Drag across a histogram or click bars (shift: several); the map dims the rest.'),
    ...items,
    loading ? h('p', { className: 'muted small filter-loading' }, `Loading ${loading} feature chart${loading === 1 ? '' : 's'}…`) : null,
    on.addable?.length && on.onAdd ? addChart(on.addable, on.onAdd) : null,
  );
}
