// The Color-by choices of a map: every column the points carry (label, reconstruction error, metadata,
// features), each named with what it holds.
import type { PointColumn } from '../points.js';
import { fill, h } from '../ui/dom.js';

/** The option text of a column. */
export function columnLabel(c: PointColumn): string {
  if (c.name === 'error') return 'reconstruction error';
  return c.kind === 'category' ? `${c.name} (${c.categories.length} classes)` : `${c.name} (numeric)`;
}

/** Fills the Color-by select with "nothing" and the columns. */
export function fillColorBy(select: HTMLSelectElement, columns: readonly PointColumn[]): void {
  fill(select, h('option', { value: '' }, 'nothing (one color)'), ...columns.map((c) => h('option', { value: c.name }, columnLabel(c))));
}
