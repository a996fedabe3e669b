// The view lives in the URL hash, so a reload or a shared link restores it:
//   #run=ID&color=label&view=cx,cy,k&hide=3,7&sel=lasso:x,y,x,y,...&point=12&q=text&compare=ID2&layers=contours,clusters
//   &filter=error:0.1..0.3&charts=f7,f12 (feature charts added to the filter panel)
// hide, filter and charts hold names escaped once (encodeURIComponent) between plain separators (, ; | :), and
// are written as they are; links written before session 16 escaped them a second time (a%2520b, %3B, %7C),
// and are still read (listText).
//   (sel is also sel=cluster:3, one of the map's clusters, or sel=filter, the rows passing the filter charts)
// Pure: parse and format only; the app reads and writes location.hash.

export type SelectionShape = { kind: 'rect' | 'lasso'; polygon: number[] } | { kind: 'cluster'; cluster: number } | { kind: 'filter' };

export interface ViewState {
  run: string | null;
  /** Second run shown side by side. */
  compare: string | null;
  /** Column colored by ("" = none, null = the default). */
  color: string | null;
  /** Map view: the data point at the center of the canvas and the zoom factor. */
  view: { cx: number; cy: number; k: number } | null;
  /** Hidden category names of the color column. */
  hidden: string[];
  /** What is selected: a shape in data coordinates, a cluster by number, or the rows passing the filters. */
  selection: SelectionShape | null;
  /** Row index shown in the detail panel. */
  point: number | null;
  /** Search text. */
  search: string;
  /** Map layers shown: "contours", "clusters". */
  layers: string[];
  /** Filter charts' filters in their URL form (app/filters.ts), "" for none. */
  filter: string;
  /** Input features the user added as filter charts, by name, in the order added. */
  charts: string[];
}

export function emptyState(): ViewState {
  return { run: null, compare: null, color: null, view: null, hidden: [], selection: null, point: null, search: '', layers: [], filter: '', charts: [] };
}

function num(s: string): number {
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** Short but precise enough number text (6 significant digits, no trailing zeros). */
export function fmt(v: number): string {
  if (v === 0) return '0';
  return String(Number(v.toPrecision(6)));
}

/** The value of `key` in a hash as written, not decoded (null when absent): for the fields of escaped names. */
function rawParam(hash: string, key: string): string | null {
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === key) return part.slice(eq + 1);
  }
  return null;
}

/**
 * A list field's text (hide, filter, charts: names escaped once between plain separators) from its value as
 * written. A link written before session 16 escaped the whole text once more (`a%2520b`, `;` as `%3B`, `|` as
 * `%7C`): such a value, which has no plain `;` or `|` and decodes to a text whose every `%` begins an escape,
 * is decoded once. A name holding `%`, `;` or `|` itself is escaped alike in both forms, except that a single
 * filter on a name holding `;` or `|` reads as the old form (one filter's link, not two).
 */
export function listText(raw: string): string {
  if (!/%(25|3B|7C)/i.test(raw) || /[;|]/.test(raw)) return raw;
  let once: string;
  try {
    once = decodeURIComponent(raw);
  } catch {
    return raw;
  }
  return /%(?![0-9A-Fa-f]{2})/.test(once) ? raw : once;
}

/** The names of a comma-separated list of escaped names (hide, charts); an empty or malformed one is ignored. */
function names(text: string | null): string[] {
  if (!text) return [];
  return text.split(',').flatMap((n) => {
    try {
      return n ? [decodeURIComponent(n)] : [];
    } catch {
      return []; // malformed escape: ignored
    }
  });
}

/** Parses a location hash (with or without '#'). Malformed parts are ignored, never thrown. */
export function parseState(hash: string): ViewState {
  const s = emptyState();
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const list = (key: string): string | null => {
    const raw = rawParam(hash, key);
    return raw === null ? null : listText(raw);
  };
  s.run = params.get('run') || null;
  s.compare = params.get('compare') || null;
  s.color = params.has('color') ? params.get('color') : null;
  const view = params.get('view');
  if (view) {
    const [cx, cy, k] = view.split(',').map(num);
    if (Number.isFinite(cx) && Number.isFinite(cy) && k > 0) s.view = { cx, cy, k };
  }
  s.hidden = names(list('hide'));
  const sel = params.get('sel');
  const cluster = sel ? /^cluster:([1-9]\d{0,5})$/.exec(sel) : null;
  if (cluster) s.selection = { kind: 'cluster', cluster: Number(cluster[1]) };
  else if (sel === 'filter') s.selection = { kind: 'filter' };
  else if (sel) {
    const m = /^(rect|lasso):(.+)$/.exec(sel);
    if (m) {
      const poly = m[2].split(',').map(num);
      if (poly.length >= 6 && poly.length % 2 === 0 && poly.every(Number.isFinite)) {
        s.selection = { kind: m[1] as 'rect' | 'lasso', polygon: poly };
      }
    }
  }
  const point = params.get('point');
  if (point !== null && /^\d+$/.test(point)) s.point = Number(point);
  s.search = params.get('q') ?? '';
  const layers = params.get('layers');
  if (layers) s.layers = layers.split(',').filter((l) => l === 'contours' || l === 'clusters');
  s.filter = list('filter') ?? '';
  s.charts = names(list('charts'));
  return s;
}

/** Formats a state as a hash (without '#'); empty fields are left out. */
export function formatState(s: ViewState): string {
  const parts: string[] = [];
  const add = (k: string, v: string) => parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':')}`);
  if (s.run) add('run', s.run);
  if (s.compare) add('compare', s.compare);
  if (s.color !== null) add('color', s.color);
  if (s.view) add('view', `${fmt(s.view.cx)},${fmt(s.view.cy)},${fmt(s.view.k)}`);
  // the list fields: names escaped once, the separators plain (not escaped again)
  const addList = (k: string, v: string) => parts.push(`${k}=${v}`);
  if (s.hidden.length) addList('hide', s.hidden.map((h) => encodeURIComponent(h)).join(','));
  const sel = s.selection;
  if (sel) add('sel', sel.kind === 'cluster' ? `cluster:${sel.cluster}` : sel.kind === 'filter' ? 'filter' : `${sel.kind}:${sel.polygon.map(fmt).join(',')}`);
  if (s.point !== null) add('point', String(s.point));
  if (s.search) add('q', s.search);
  if (s.layers.length) add('layers', s.layers.join(','));
  if (s.filter) addList('filter', s.filter);
  if (s.charts.length) addList('charts', s.charts.map((c) => encodeURIComponent(c)).join(','));
  return parts.join('&');
}
