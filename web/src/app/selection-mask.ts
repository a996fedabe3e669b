// Which rows a selection holds, whatever made it: a rectangle or lasso on the map (hidden points left out), one
// of the map's clusters, or the rows passing the filter charts; and the compact form the server's decode
// endpoint reads (a base64 bit set over row index values). Pure: no DOM.
import type { CategoryColumn, DecodedPoints } from '../points.js';
import { selectPolygon } from '../scatter/hit-test.js';
import type { SelectionShape } from '../url-state.js';

export interface SelectionInputs {
  /** 0: hidden point; null: all shown. */
  visible: Uint8Array | null;
  /** Rows passing the filter charts (null: no filter). */
  filterRows: Uint8Array | null;
  /** The `cluster` column and the label of each cluster (id k is labels[k - 1]), once clusters are found. */
  clusters: { column: CategoryColumn; labels: readonly { id: number; text: string }[] } | null;
}

/** The rows of a selection (1: selected) and their count; null when it cannot be made (no such cluster, no filter). */
export function selectionMask(points: DecodedPoints, shape: SelectionShape, inputs: SelectionInputs): { mask: Uint8Array; count: number } | null {
  if (shape.kind === 'rect' || shape.kind === 'lasso') return selectPolygon(points.x, points.y, shape.polygon, inputs.visible);
  const mask = new Uint8Array(points.n);
  let count = 0;
  if (shape.kind === 'filter') {
    const rows = inputs.filterRows;
    if (!rows) return null;
    for (let i = 0; i < points.n; i++) if (rows[i]) count += mask[i] = 1;
    return { mask, count };
  }
  if (shape.kind !== 'cluster') return null;
  const id = shape.cluster;
  const label = inputs.clusters?.labels.find((l) => l.id === id);
  if (!label) return null;
  const { column } = inputs.clusters!;
  const code = column.categories.indexOf(label.text);
  if (code < 0) return null;
  for (let i = 0; i < points.n; i++) if (column.codes[i] === code) count += mask[i] = 1;
  return { mask, count };
}

/**
 * The selected rows as the decode endpoint's `mask`: bit i (byte i >> 3, bit i & 7, least significant first)
 * is set when the row whose index value is i is selected; base64. n rows take about n / 6 characters.
 */
export function indexBitset(index: Int32Array, mask: Uint8Array): string {
  let max = -1;
  for (let i = 0; i < mask.length; i++) if (mask[i] && index[i] > max) max = index[i];
  const bits = new Uint8Array(Math.ceil((max + 1) / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) bits[index[i] >> 3] |= 1 << (index[i] & 7);
  let text = '';
  // String.fromCharCode over chunks: one call per 32k bytes, not per byte
  for (let k = 0; k < bits.length; k += 0x8000) text += String.fromCharCode(...bits.subarray(k, k + 0x8000));
  return btoa(text);
}
