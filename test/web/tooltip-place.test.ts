import { describe, expect, it } from 'vitest';
import { lengthInside, placeTooltip, POINTER_GAP, type Segment } from '../../web/src/ui/tooltip-place.js';

describe('tooltip placement', () => {
  it('measures the length of a line inside a box', () => {
    expect(lengthInside([0, 5, 20, 5], 5, 0, 15, 10)).toBeCloseTo(10, 9);
    expect(lengthInside([0, 0, 10, 10], 20, 20, 30, 30)).toBe(0);
    expect(lengthInside([12, 12, 14, 14], 10, 10, 20, 20)).toBeCloseTo(Math.hypot(2, 2), 9);
    expect(lengthInside([5, -10, 5, 30], 0, 0, 10, 10)).toBeCloseTo(10, 9);
  });

  it('sits below and right of the pointer when nothing is in the way, as before', () => {
    expect(placeTooltip(100, 100, 150, 80, 800, 600)).toEqual({ left: 100 + POINTER_GAP, top: 100 + POINTER_GAP });
  });

  it('takes the corner that keeps off the neighbour lines (they ran under it, below right of the point)', () => {
    // lines from the hovered point down and to the right: below right is covered, below left is free
    const lines: Segment[] = [
      [300, 300, 450, 380],
      [300, 300, 420, 420],
      [300, 300, 360, 450],
    ];
    const at = placeTooltip(300, 300, 150, 80, 800, 600, lines);
    expect(at).toEqual({ left: 300 - 150 - POINTER_GAP, top: 300 + POINTER_GAP });
    for (const s of lines) expect(lengthInside(s, at.left, at.top, at.left + 150, at.top + 80)).toBe(0);
    // lines in every lower direction: above
    const down: Segment[] = [...lines, [300, 300, 150, 420], [300, 300, 200, 380]];
    expect(placeTooltip(300, 300, 150, 80, 800, 600, down).top).toBe(300 - 80 - POINTER_GAP);
  });

  it('stays inside the area near its edges', () => {
    const at = placeTooltip(790, 590, 150, 80, 800, 600);
    expect(at).toEqual({ left: 790 - 150 - POINTER_GAP, top: 590 - 80 - POINTER_GAP });
    // bigger than a quarter of the area: kept inside
    const big = placeTooltip(50, 50, 700, 500, 800, 600);
    expect(big.left).toBeGreaterThanOrEqual(4);
    expect(big.left + 700).toBeLessThanOrEqual(800 - 4);
  });
});
