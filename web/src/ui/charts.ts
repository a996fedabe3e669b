// Line charts drawn with D3 (SVG): training/validation loss per epoch, t-SNE KL per iteration.
import { axisBottom, axisLeft, extent, line, scaleLinear, scaleLog, select } from 'd3';
import { tickFormat } from '../format.js';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  xLabel: string;
  yLabel?: string;
  /** Whole-number x values (epochs, iterations): ticks only at whole numbers (default true). */
  integerX?: boolean;
  /** Log y axis when every value is positive and they span more than a factor 50 (default true). */
  autoLog?: boolean;
  title: string;
}

/**
 * A per-iteration series cut where its x goes back (a new pass: with perplexity auto, t-SNE runs once per
 * candidate perplexity, each from iteration 0), so that no line joins the end of one pass to the start of the
 * next. Returns one array of points per pass, in order; [] for no points.
 */
export function splitPasses(points: readonly [number, number][]): [number, number][][] {
  const passes: [number, number][][] = [];
  for (const p of points) {
    const current = passes[passes.length - 1];
    if (!current || p[0] < current[current.length - 1]![0]) passes.push([p]);
    else current.push(p);
  }
  return passes;
}

export function lineChart(series: Series[], opts: ChartOptions): SVGSVGElement {
  const width = opts.width ?? 300;
  const height = opts.height ?? 150;
  const m = { top: 22, right: 10, bottom: 30, left: 46 };
  const svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('class', 'chart')
    .attr('role', 'img')
    .attr('aria-label', opts.title);
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  svg.append('text').attr('class', 'chart-title').attr('x', m.left).attr('y', 13).text(opts.title);
  if (all.length === 0) {
    svg.append('text').attr('class', 'muted').attr('x', width / 2).attr('y', height / 2).attr('text-anchor', 'middle').text('no data');
    return svg.node()!;
  }
  const [x0, x1] = extent(all, (p) => p[0]) as [number, number];
  const [y0, y1] = extent(all, (p) => p[1]) as [number, number];
  const useLog = (opts.autoLog ?? true) && y0 > 0 && y1 / y0 > 50;
  const x = scaleLinear().domain(x0 === x1 ? [x0 - 1, x1 + 1] : [x0, x1]).range([m.left, width - m.right]);
  const y = (useLog ? scaleLog().domain([y0, y1]) : scaleLinear().domain(y0 === y1 ? [y0 - 1, y1 + 1] : [y0, y1]))
    .nice()
    .range([height - m.bottom, m.top]);
  const xt = xTicks(x.domain() as [number, number], opts.integerX ?? true);
  const xAxis = axisBottom(x).tickValues(xt.values).tickFormat((v) => xt.format(+v)).tickSizeOuter(0);
  svg.append('g').attr('transform', `translate(0,${height - m.bottom})`).call(xAxis);
  svg.append('g').attr('transform', `translate(${m.left},0)`).call(axisLeft(y).ticks(4, '~g').tickSizeOuter(0));
  svg.append('text').attr('class', 'axis-label').attr('x', width - m.right).attr('y', height - 2).attr('text-anchor', 'end').text(opts.xLabel);
  const path = line<[number, number]>()
    .defined(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  let lx = width - m.right;
  for (const s of series.slice().reverse()) {
    if (s.points.length === 0) continue;
    svg
      .append('path')
      .attr('fill', 'none')
      .attr('stroke', s.color)
      .attr('stroke-width', 1.75)
      .attr('stroke-dasharray', s.dashed ? '4 3' : null)
      .attr('d', path(s.points));
    if (s.points.length === 1) {
      svg.append('circle').attr('cx', x(s.points[0][0])).attr('cy', y(s.points[0][1])).attr('r', 2.5).attr('fill', s.color);
    }
    if (series.length > 1) {
      const t = svg.append('text').attr('class', 'series-label').attr('x', lx).attr('y', 13).attr('text-anchor', 'end').attr('fill', s.color).text(s.name);
      lx -= (t.node()?.getComputedTextLength?.() || s.name.length * 6) + 12;
    }
  }
  return svg.node()!;
}

/**
 * The x ticks of a progress chart over `domain` (epochs or iterations): about five values, whole numbers only
 * when `integer` (an epoch axis never shows 1.5), written as the viewer writes numbers ("200", "1,000", "2M"),
 * never with d3's shared SI prefix ("0.2k" beside "1k").
 */
export function xTicks(domain: readonly [number, number], integer: boolean): { values: number[]; format: (v: number) => string } {
  const values = scaleLinear().domain(domain).ticks(5);
  return { values: integer ? values.filter(Number.isInteger) : values, format: tickFormat(domain, 5) };
}
