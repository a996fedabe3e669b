import { describe, expect, it } from 'vitest';
import { formatFilters, parseFilters } from '../../web/src/app/filters.js';
import { emptyState, fmt, formatState, listText, parseState, type ViewState } from '../../web/src/url-state.js';

describe('URL state', () => {
  it('round-trips every field', () => {
    const s: ViewState = {
      run: 'mnist-2026_01',
      compare: 'mnist-b',
      color: 'error',
      view: { cx: -12.3456789, cy: 4.5, k: 3.25 },
      hidden: ['a b', 'x,y', '7'],
      selection: { kind: 'lasso', polygon: [0, 0, 1.5, 0, 1, 2] },
      point: 42,
      search: 'species:adelie & co',
      layers: ['clusters', 'contours'],
      filter: 'error:0.1..0.3;label:3|5',
      charts: ['petal width (cm)', 'a,b', 'f7'],
    };
    const hash = formatState(s);
    const back = parseState(`#${hash}`);
    expect(back).toEqual({ ...s, view: { cx: -12.3457, cy: 4.5, k: 3.25 } });
  });

  it('leaves empty fields out and parses an empty hash to the empty state', () => {
    expect(formatState(emptyState())).toBe('');
    expect(formatState({ ...emptyState(), run: 'r' })).toBe('run=r');
    expect(parseState('')).toEqual(emptyState());
    // color '' (nothing) differs from no color (default)
    expect(parseState(formatState({ ...emptyState(), color: '' })).color).toBe('');
  });

  it('keeps the feature charts added to the filter panel, names escaped, and drops none of them silently', () => {
    expect(formatState({ ...emptyState(), charts: ['f7', 'x,y'] })).toBe('charts=f7,x%2Cy');
    expect(parseState('#charts=f7,x%2Cy').charts).toEqual(['f7', 'x,y']);
    // as links before session 16 wrote them (escaped twice)
    expect(parseState('#charts=f7,x%252Cy').charts).toEqual(['f7', 'x,y']);
    expect(parseState('#charts=').charts).toEqual([]);
    expect(parseState('#charts=%E0%A4%A,f2').charts).toEqual(['f2']); // a malformed name is ignored, the rest kept
  });

  it('writes names escaped once, the separators plain, and still reads links that escaped them twice', () => {
    const filter = formatFilters([
      { column: 'bill length', kind: 'range', lo: 30, hi: 40 },
      { column: 'species', kind: 'set', values: ['Adelie', 'Gentoo'] },
    ]);
    const hash = formatState({ ...emptyState(), hidden: ['a b', 'x,y'], filter, charts: ['petal width (cm)'] });
    expect(hash).toBe('hide=a%20b,x%2Cy&filter=bill%20length:30..40;species:Adelie|Gentoo&charts=petal%20width%20(cm)');
    expect(hash).not.toContain('%25');
    const back = parseState(`#${hash}`);
    expect(back.hidden).toEqual(['a b', 'x,y']);
    expect(parseFilters(back.filter)).toEqual(parseFilters(filter));
    expect(back.charts).toEqual(['petal width (cm)']);
    // the same state as written before (every field escaped a second time)
    const old = parseState('#hide=a%2520b,x%252Cy&filter=bill%2520length:30..40%3Bspecies:Adelie%7CGentoo&charts=petal%2520width%2520(cm)');
    expect(old.hidden).toEqual(['a b', 'x,y']);
    expect(parseFilters(old.filter)).toEqual(parseFilters(filter));
    expect(old.charts).toEqual(['petal width (cm)']);
    // names holding % round-trip (new form) as well
    const pct = formatState({ ...emptyState(), hidden: ['50%'], filter: formatFilters([{ column: 'fat %', kind: 'range', lo: 1, hi: 2 }]) });
    expect(parseState(`#${pct}`).hidden).toEqual(['50%']);
    expect(parseFilters(parseState(`#${pct}`).filter)).toEqual([{ column: 'fat %', kind: 'range', lo: 1, hi: 2 }]);
    // the text of a list field, form by form
    expect(listText('a%20b,c')).toBe('a%20b,c');
    expect(listText('a%2520b,c')).toBe('a%20b,c');
    expect(listText('fat%20%25:1..2')).toBe('fat%20%25:1..2');
  });

  it('keeps a cluster or the filtered rows as the selection', () => {
    expect(formatState({ ...emptyState(), selection: { kind: 'cluster', cluster: 3 } })).toBe('sel=cluster:3');
    expect(parseState('#sel=cluster:3').selection).toEqual({ kind: 'cluster', cluster: 3 });
    expect(formatState({ ...emptyState(), selection: { kind: 'filter' } })).toBe('sel=filter');
    expect(parseState('#sel=filter').selection).toEqual({ kind: 'filter' });
    for (const bad of ['cluster:0', 'cluster:-1', 'cluster:x', 'cluster:1.5', 'filter:1']) expect(parseState(`#sel=${bad}`).selection, bad).toBeNull();
  });

  it('ignores malformed parts instead of throwing', () => {
    const s = parseState('#run=a&view=1,x,2&sel=circle:1,2&point=-3&hide=');
    expect(s.run).toBe('a');
    expect(s.view).toBeNull();
    expect(s.selection).toBeNull();
    expect(s.point).toBeNull();
    expect(s.hidden).toEqual([]);
    expect(parseState('#sel=rect:1,2,3').selection).toBeNull(); // odd coordinate count
    expect(parseState('#view=0,0,0').view).toBeNull(); // zoom must be positive
  });

  it('formats numbers compactly', () => {
    expect(fmt(0)).toBe('0');
    expect(fmt(1 / 3)).toBe('0.333333');
    expect(fmt(123456789)).toBe('123457000');
  });
});
