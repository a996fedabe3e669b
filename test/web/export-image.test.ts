import { describe, expect, it } from 'vitest';
import { classList, composeSvg, emphasisCaption, legendEntries } from '../../web/src/app/export-image.js';
import { DIM_KEEP } from '../../web/src/scatter/render.js';
import { encodeCategory, encodeNumber } from '../../web/src/colors.js';
import { categoryColumn, numberColumn } from '../../web/src/points.js';

describe('image export', () => {
  it('puts the map’s cluster labels in the SVG, where the map shows them, haloed like the PNG’s', () => {
    const meta = { title: 't', subtitle: 's', encoding: { kind: 'none' as const, colors: new Uint32Array(1) }, hidden: new Set<number>() };
    const svg = composeSvg(200, 100, [{ x: 10, y: 10, color: '#000' }], 2, 1, meta, [
      { text: 'C1 · setosa', x: 50.25, y: 40, width: 70 },
      { text: 'C2 · <b>', x: 150, y: 60, width: 50 },
    ]);
    const group = /<g class="cluster-labels" transform="translate\(0,46\)"[^>]*>([\s\S]*?)<\/g>/.exec(svg);
    expect(group).not.toBeNull();
    expect(group![0]).toContain('stroke="rgba(255,255,255,0.92)" stroke-width="4"');
    expect(group![0]).toContain('paint-order="stroke"');
    expect(group![1]).toContain('<text x="50.3" y="40.0">C1 · setosa</text>');
    expect(group![1]).toContain('C2 · &lt;b&gt;');
    // after the points, so drawn over them
    expect(svg.indexOf('cluster-labels')).toBeGreaterThan(svg.indexOf('<circle'));
    expect(composeSvg(200, 100, [], 2, 1, meta)).not.toContain('cluster-labels');
  });

  it('writes a numeric legend in the column’s format and titles a feature by its name', () => {
    const enc = encodeNumber(numberColumn('feature:body_mass_g', Float64Array.from({ length: 101 }, (_, i) => 2700 + 36 * i)));
    const l = legendEntries(enc, new Set());
    expect(l.heading).toBe('body_mass_g');
    for (const e of l.entries) expect(e.text).toMatch(/^(≤ |≥ )?\d,\d{3}$/);
  });

  it('lists a class hidden in the legend as hidden (outlined), after the shown ones, not left out', () => {
    const enc = encodeCategory(categoryColumn('label', [...Array(50).fill('setosa'), ...Array(50).fill('versicolor'), ...Array(50).fill('virginica')]));
    const l = legendEntries(enc, new Set([0]));
    expect(l.entries.map((e) => e.text)).toEqual(['versicolor (50)', 'virginica (50)', 'setosa (50), hidden']);
    expect(l.entries.map((e) => !!e.hidden)).toEqual([false, false, true]);
    const svg = composeSvg(200, 100, [], 2, 1, { title: 't', subtitle: 's', encoding: enc, hidden: new Set([0]) });
    expect(svg).toMatch(/<rect class="hidden-class"[^>]*fill="none"[^>]*\/><text[^>]*>setosa \(50\), hidden<\/text>/);
    expect(classList(['0', '1', '2', '3', '4'])).toBe('0, 1, 2 and 2 more');
    expect(classList(['3', '5'])).toBe('3 and 5');
  });

  it('says when the highlighted rows lie in hidden classes, counting only what the map draws', () => {
    const base = { filters: [], search: 'species:setosa', selection: null, total: 100, hiddenClasses: ['setosa'] };
    expect(emphasisCaption({ ...base, shown: 0, hiddenHits: 50 })).toBe(
      'Search “species:setosa” · 0 of 100 points shown, the rest dimmed · all 50 of its rows are in the hidden class setosa, not drawn',
    );
    expect(emphasisCaption({ ...base, search: 'petal_length>4', shown: 40, hiddenHits: 10, hiddenClasses: ['setosa', 'virginica'] })).toBe(
      'Search “petal_length>4” · 40 of 100 points shown, the rest dimmed · 10 more of its rows are in the hidden classes setosa and virginica, not drawn',
    );
    expect(emphasisCaption({ ...base, shown: 20, hiddenHits: 0 })).toBe('Search “species:setosa” · 20 of 100 points shown, the rest dimmed');
  });

  it('captions a filtered, searched or selected map with what is shown and how many of how many points', () => {
    const none = { filters: [], search: '', selection: null, shown: 200_000, total: 200_000 };
    expect(emphasisCaption(none)).toBeNull();
    expect(
      emphasisCaption({
        ...none,
        filters: [
          { column: 'error', kind: 'range', lo: 0.1, hi: 0.30000001 },
          { column: 'label', kind: 'set', values: ['3', '5', '8'] },
        ],
        shown: 1234,
      }),
    ).toBe('Filters: reconstruction error 0.1 to 0.3; label 3, 5 or 8 · 1,234 of 200,000 points shown, the rest dimmed');
    expect(emphasisCaption({ ...none, filters: [{ column: 'feature:f2', kind: 'range', lo: -1, hi: 2 }], search: 'species:k3', shown: 20_000 })).toBe(
      'Filter: f2 -1 to 2 · search “species:k3” · 20,000 of 200,000 points shown, the rest dimmed',
    );
    // a range with a negative start reads as a range, not as "-4.687–1.678"
    expect(emphasisCaption({ ...none, filters: [{ column: 'feature:f2', kind: 'range', lo: -4.68712, hi: 1.67803 }], shown: 5 })).toMatch(/^Filter: f2 -4\.687 to 1\.678 · 5 of/);
    expect(emphasisCaption({ ...none, search: '#12', selection: { kind: 'cluster', cluster: 2 }, shown: 1 })).toBe(
      'Search “#12” · selection: cluster C2 · 1 of 200,000 points shown, the rest dimmed',
    );
    expect(emphasisCaption({ ...none, selection: { kind: 'lasso', polygon: [0, 0, 1, 0, 1, 1] }, shown: 7 })).toMatch(/^Selection: a lasso · 7 of 200,000/);
  });

  it('puts the caption in the SVG under the title and draws dimmed points faded, smaller and under the others', () => {
    const meta = { title: 't', subtitle: 's', caption: 'Search “a<b” · 1 of 2 points shown, the rest dimmed', encoding: { kind: 'none' as const, colors: new Uint32Array(2) }, hidden: new Set<number>() };
    const svg = composeSvg(200, 100, [{ x: 10, y: 10, color: '#f00' }, { x: 20, y: 20, color: '#00f', dim: true }], 2, 0.7, meta);
    expect(svg).toContain('<text class="caption" x="14" y="56" font-size="12" fill="#1b2430">Search “a&lt;b” · 1 of 2 points shown, the rest dimmed</text>');
    expect(svg).toContain('height="164"'); // a caption line more than the 46 px title block
    const dimmed = /<g class="dimmed" opacity="([\d.]+)">([\s\S]*?)<\/g>/.exec(svg);
    expect(dimmed).not.toBeNull();
    expect(Number(dimmed![1])).toBe(DIM_KEEP);
    expect(dimmed![2]).toContain('fill="#00f"');
    expect(dimmed![2]).not.toContain('fill="#f00"');
    expect(svg.indexOf('fill="#f00"')).toBeGreaterThan(svg.indexOf('fill="#00f"')); // highlighted on top
    const r = (color: string) => Number(new RegExp(`r="([\\d.]+)" fill="${color}"`).exec(svg)![1]);
    expect(r('#00f')).toBeLessThan(r('#f00'));
    // nothing dimmed, no caption: the plain picture
    const plain = composeSvg(200, 100, [{ x: 10, y: 10, color: '#f00' }], 2, 0.7, { ...meta, caption: undefined });
    expect(plain).not.toContain('caption');
    expect(plain).not.toContain('dimmed');
    expect(plain).toContain('height="146"');
  });
});
