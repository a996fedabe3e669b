import { describe, expect, it } from 'vitest';
import { composeSvg, legendEntries } from '../../web/src/app/export-image.js';
import { encodeNumber } from '../../web/src/colors.js';
import { numberColumn } from '../../web/src/points.js';

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
});
