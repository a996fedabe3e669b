// The search box of the primary map: the rows matching its text (search.ts: text, column:value, numeric
// conditions over metadata, reconstruction error and the run's input features, #row), their count beside
// the box (or why the query cannot be answered), and a target on each of a few hits. A query naming an
// input feature fetches it first (GET /api/runs/:id/features/:name, once: it stays a column of the points).
import type { RunManifest } from '../../../pipeline/types.js';
import type { Api } from '../api.js';
import { countVisible } from '../legend-state.js';
import type { PointColumn } from '../points.js';
import { queryColumn, searchPoints, type InputRows, type SearchColumn, type Searchable } from '../search.js';
import { formatCount } from '../format.js';
import { FEATURE_PREFIX, loadFeature } from './color-by.js';
import type { Pane } from './pane.js';

/** Search hits up to this many get a crosshair target each. */
const MAX_MARKERS = 20;

/** The input features a run can send (every one, images' pixels too), when it kept its input values. */
export function searchableFeatures(m: RunManifest): string[] {
  return m.artifacts?.data ? ((m.dataset as { features?: string[] }).features ?? []) : [];
}

/** A fetched feature column of the points (named feature:NAME) as a searchable column named NAME. */
export function featureSearchColumn(c: PointColumn): SearchColumn {
  const name = c.name.slice(FEATURE_PREFIX.length);
  if (c.kind === 'number') return { name, kind: 'number', get: (i) => (Number.isNaN(c.values[i]) ? null : c.values[i]) };
  const values = c.categories.map(Number);
  return { name, kind: 'number', get: (i) => (c.codes[i] < 0 ? null : values[c.codes[i]]) };
}

/** The label column under the dataset's own name for it too (iris: species), when that differs. */
function labelAlias(p: Pane): SearchColumn[] {
  const name = p.manifest.dataset.label;
  const label = p.points.raw.find((c) => c.name === 'label');
  if (!name || !label || name === 'label' || p.points.raw.some((c) => c.name.toLowerCase() === name.toLowerCase())) return [];
  return [{ ...label, name }];
}

/** Why the clusters cannot be searched while they are off (they are found when the Clusters box is ticked). */
export const CLUSTERS_OFF = 'Clusters are off: tick Clusters above the map to find them, then search cluster:C2.';

/** The count's text while a search names the clusters and they are still being found. */
export const FINDING_FOR_SEARCH = 'finding the clusters…';

/** Why a column is missing: the clusters while they are off; the reconstruction error when the reducer reconstructs nothing. */
function absentColumns(p: Pane, clustersShown: boolean): Record<string, string> {
  const out: Record<string, string> = clustersShown ? {} : { cluster: CLUSTERS_OFF, clusters: CLUSTERS_OFF };
  if (p.points.raw.some((c) => c.name === 'error')) return out;
  const reducer = p.manifest.choices?.reducer?.value ?? p.manifest.config.reducer;
  const why =
    reducer === 'none'
      ? 'This run has no reconstruction error: its reducer is none (the map was made from the scaled input itself), so nothing was reconstructed.'
      : 'This run has no reconstruction error column.';
  return { ...out, error: why, 'reconstruction error': why };
}

/** What the run records of its input rows (the manifest's prepare report), for a `#row` search's answer. */
export function inputRows(m: RunManifest, sampled: boolean): InputRows | null {
  const prepare = (m.prepare ?? {}) as { rows?: unknown; droppedRows?: unknown };
  const dropped = typeof prepare.droppedRows === 'number' ? prepare.droppedRows : 0;
  const rows = typeof prepare.rows === 'number' ? prepare.rows : m.dataset?.rows;
  return typeof rows === 'number' ? { rows, dropped, sampled } : null;
}

/** The points as searched: without the cluster column while clusters are off (found earlier, then unticked). */
function searchedPoints(p: Pane, clustersShown: boolean): Searchable {
  return clustersShown ? p.points : { n: p.points.n, index: p.points.index, raw: p.points.raw.filter((c) => c.name !== 'cluster') };
}

/** Matching rows (mask 1) that the legend hides (visible 0): in the search, not drawn. */
export function countHiddenHits(mask: Uint8Array, visible: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] && !visible[i]) s++;
  return s;
}

/**
 * The count beside the search box, of what the map draws: "50 matches"; with classes hidden in the legend,
 * "50 matches, 30 in hidden classes" or "50 matches, all in hidden classes" (none drawn highlighted).
 */
export function matchCount(n: number, hidden: number): string {
  const head = `${formatCount(n)} match${n === 1 ? '' : 'es'}`;
  if (hidden <= 0 || n === 0) return head;
  if (hidden >= n) return n === 1 ? `${head}, in a hidden class` : `${head}, all in hidden classes`;
  return `${head}, ${formatCount(hidden)} in hidden classes`;
}

export class SearchController {
  /** Matching rows (1) per position of the primary map; null: no search (or one that cannot be answered). */
  mask: Uint8Array | null = null;
  /** Why the search matches no row, when the search says (shown only while nothing matches). */
  private note: string | undefined;
  /** Searches so far: a search answered after a newer one started is dropped. */
  private seq = 0;

  constructor(
    private readonly count: HTMLElement,
    private readonly api: Api,
  ) {}

  /**
   * Searches `text` (fetching a feature it names first); resolves once the mask and the count are set.
   * `clustersShown`: the Clusters layer is on, so `cluster:C2` can be answered.
   */
  async apply(p: Pane, text: string, clustersShown: boolean): Promise<void> {
    const seq = ++this.seq;
    const features = searchableFeatures(p.manifest);
    const named = queryColumn(text)?.toLowerCase();
    const own = (name: string) => p.points.raw.some((c) => c.name.toLowerCase() === name);
    const feature = named && !own(named) ? features.find((f) => f.toLowerCase() === named) : undefined;
    if (feature && !p.points.columns.some((c) => c.name === FEATURE_PREFIX + feature)) {
      this.show(`loading ${feature}…`, false);
      try {
        await loadFeature(this.api, p, FEATURE_PREFIX + feature);
      } catch (err) {
        if (seq === this.seq) this.fail(p, `Cannot search ${feature}: ${(err as Error).message}`);
        return;
      }
      if (seq !== this.seq) return;
    }
    // clusters being found (in the worker): answered when they come (the app searches again then)
    if ((named === 'cluster' || named === 'clusters') && clustersShown && !own('cluster')) {
      this.mask = null;
      this.note = undefined;
      p.view.marks.setMarkers([]);
      this.show(FINDING_FOR_SEARCH, false);
      return;
    }
    const more = [...labelAlias(p), ...p.points.columns.filter((c) => c.name.startsWith(FEATURE_PREFIX)).map(featureSearchColumn)];
    const answer = searchPoints(searchedPoints(p, clustersShown), text, more, features, absentColumns(p, clustersShown), inputRows(p.manifest, !!p.coverage && p.coverage.loaded < p.coverage.runRows));
    if (answer && 'error' in answer) {
      this.fail(p, answer.error);
      return;
    }
    this.mask = answer ? answer.mask : null;
    this.note = answer && 'note' in answer ? answer.note : undefined;
    if (this.mask) this.recount(p);
    else {
      this.show('', false);
      p.view.marks.setMarkers([]);
    }
  }

  /**
   * Writes the count of the current search on the map as drawn (again when the legend hides or shows a class):
   * the matches, and how many of them lie in hidden classes, which the map does not draw; a target on each of
   * a few drawn hits (a #row search), not just a larger dot.
   */
  recount(p: Pane): void {
    // no search, or one answered by a message (kept); or a search of the map this one replaces, answered next
    if (!this.mask || this.mask.length !== p.points.n) return;
    const n = countVisible(this.mask, 0);
    const hidden = p.visible ? countHiddenHits(this.mask, p.visible) : 0;
    // no match: why (a #row dropped for missing values or past the input's end; a range past the column's values)
    const note = n === 0 ? this.note : undefined;
    this.show(note ? `No match: ${note}` : matchCount(n, hidden), false, !!note || hidden > 0);
    const marks: number[] = [];
    if (n - hidden <= MAX_MARKERS) for (let i = 0; i < this.mask.length; i++) if (this.mask[i] && (!p.visible || p.visible[i])) marks.push(i);
    p.view.marks.setMarkers(marks);
  }

  private fail(p: Pane, message: string): void {
    this.mask = null;
    p.view.marks.setMarkers([]);
    this.show(message, true);
  }

  /** Shows the count, or a message (`long`: a sentence, shown under the box like an error). */
  private show(message: string, isError: boolean, long = isError): void {
    this.count.textContent = message;
    this.count.title = message;
    this.count.classList.toggle('error', isError);
    this.count.classList.toggle('message', long);
  }
}
