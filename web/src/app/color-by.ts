// The Color-by choices of a map: every column the points carry (label, reconstruction error, metadata)
// and the run's input features, each named with what it holds. A feature is fetched from the server the
// first time it is chosen (GET /api/runs/:id/features/:name) and kept as a column of the points.
import type { RunManifest } from '../../../pipeline/types.js';
import type { Api } from '../api.js';
import { featureColumn, type PointColumn } from '../points.js';
import { fill, h } from '../ui/dom.js';
import type { Pane } from './pane.js';

/** Color-by values of features carry this prefix (a feature may share a metadata column's name). */
export const FEATURE_PREFIX = 'feature:';
/** Datasets with more features than this (images: one per pixel) do not list them. */
export const MAX_FEATURE_CHOICES = 200;

export function isFeatureChoice(value: string): boolean {
  return value.startsWith(FEATURE_PREFIX);
}

/** The features a run offers for coloring (none past MAX_FEATURE_CHOICES, or for image datasets). */
export function featureNames(m: RunManifest): string[] {
  const names = (m.dataset as { features?: string[] }).features ?? [];
  if (m.dataset.image || names.length > MAX_FEATURE_CHOICES || !m.artifacts?.data) return [];
  return names;
}

/** A column's name as shown in titles (legend, filter charts, exports): a feature without its prefix, error spelled out. */
export function columnTitle(name: string): string {
  if (name === 'error') return 'reconstruction error';
  return isFeatureChoice(name) ? name.slice(FEATURE_PREFIX.length) : name;
}

/** The option text of a column. */
export function columnLabel(c: PointColumn): string {
  if (c.name === 'error') return 'reconstruction error';
  // the run's per-row trust figure: share of a row's input-space neighbours among its map neighbours
  if (c.name === 'preservation' && c.kind === 'number') return 'neighbourhood preservation (trust)';
  const name = isFeatureChoice(c.name) ? c.name.slice(FEATURE_PREFIX.length) : c.name;
  return c.kind === 'category' ? `${name} (${c.categories.length} classes)` : `${name} (numeric)`;
}

/** Fills the Color-by select with "nothing", the columns, and the run's features (in a group). */
export function fillColorBy(select: HTMLSelectElement, columns: readonly PointColumn[], features: readonly string[] = []): void {
  const own = columns.filter((c) => !isFeatureChoice(c.name));
  fill(
    select,
    h('option', { value: '' }, 'nothing (one color)'),
    h('optgroup', { label: 'Labels and metadata' }, ...own.map((c) => h('option', { value: c.name }, columnLabel(c)))),
    features.length ? h('optgroup', { label: 'Input features' }, ...features.map((f) => h('option', { value: FEATURE_PREFIX + f }, f))) : null,
  );
}

/** Fills the Color-by select again when the pane has gained a column it does not offer (the clusters, once found), keeping `chosen`. */
export function offerNewColumns(select: HTMLSelectElement, pane: Pane, chosen: string): void {
  const values = new Set([...select.options].map((o) => o.value));
  if (pane.points.columns.every((c) => isFeatureChoice(c.name) || values.has(c.name))) return;
  fillColorBy(select, pane.points.columns, featureNames(pane.manifest));
  select.value = chosen;
}

/** Fetches a feature and adds it to the pane's columns (once). */
export async function loadFeature(api: Api, pane: Pane, choice: string): Promise<void> {
  if (pane.points.columns.some((c) => c.name === choice)) return;
  const values = await api.feature(pane.id, choice.slice(FEATURE_PREFIX.length), pane.points.index);
  if (!pane.points.columns.some((c) => c.name === choice)) pane.points.columns.push(featureColumn(choice, values));
}

/**
 * A Color-by choice: columns at once; a feature after it is fetched (with a status line meanwhile and a
 * clear message when it cannot be).
 */
export function chooseColorBy(api: Api, pane: Pane, name: string, setColor: (name: string) => void, status: (message: string, isError: boolean) => void): void {
  if (!isFeatureChoice(name) || pane.points.columns.some((c) => c.name === name)) {
    setColor(name);
    return;
  }
  status(`Loading ${name.slice(FEATURE_PREFIX.length)}…`, false);
  loadFeature(api, pane, name).then(
    () => {
      status('', false);
      setColor(name);
    },
    (err: Error) => status(`Cannot color by ${name.slice(FEATURE_PREFIX.length)}: ${err.message}`, true),
  );
}
