// The linked filter charts of the primary map: the filters (app/filters.ts, kept in the URL), the rows passing
// them (the map dims the rest), and the charts recounted on every change (ui/filter-charts.ts).
import { renderFilterCharts } from '../ui/filter-charts.js';
import { chartColumns, countOnes, filterMask, parseFilters, formatFilters, type Filter } from './filters.js';
import type { Pane } from './pane.js';

export interface FilterHost {
  panel: HTMLElement;
  primary(): Pane | null;
  /** The filters changed (emphasis, a selection of the filtered rows; the URL when `write`). */
  changed(write: boolean): void;
  /** The panel's Explain: select the passing rows. */
  explain(): void;
}

export class FilterController {
  filters: Filter[] = [];
  /** Rows passing every filter (1), per position of the primary map; null: no filter. */
  rows: Uint8Array | null = null;

  constructor(private host: FilterHost) {}

  /** Takes the filters of the URL form (app/filters.ts) without applying them. */
  parse(text: string): void {
    this.filters = parseFilters(text);
  }

  /** The URL form of the filters. */
  format(): string {
    return formatFilters(this.filters);
  }

  /** Applies the filters to the primary map: the passing rows, the charts recounted. */
  apply(write = true): void {
    const p = this.host.primary();
    if (!p) return;
    const points = p.points;
    // a filter on a column this run lacks (kept from another run) is dropped
    this.filters = this.filters.filter((f) => points.columns.some((c) => c.name === f.column));
    this.rows = filterMask(points, this.filters);
    const passing = this.rows ? countOnes(this.rows) : null;
    renderFilterCharts(
      this.host.panel,
      points,
      chartColumns(points),
      this.filters,
      (col) => filterMask(points, this.filters, col),
      {
        onFilter: (column, f) => {
          this.filters = [...this.filters.filter((g) => g.column !== column), ...(f ? [f] : [])];
          this.apply();
        },
        onExplain: () => this.host.explain(),
      },
      passing,
    );
    this.host.changed(write);
  }
}
