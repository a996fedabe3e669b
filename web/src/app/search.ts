// The search box of the primary map: the rows matching its text (export.ts searchPoints: text, column:value,
// numeric conditions, #row), their count beside the box, and a target on each of a few hits.
import { searchPoints } from '../export.js';
import { countVisible } from '../legend-state.js';
import { formatNumber } from '../ui/dom.js';
import type { Pane } from './pane.js';

/** Search hits up to this many get a crosshair target each. */
const MAX_MARKERS = 20;

export class SearchController {
  /** Matching rows (1) per position of the primary map; null: no search. */
  mask: Uint8Array | null = null;

  constructor(private readonly count: HTMLElement) {}

  apply(p: Pane, text: string): void {
    this.mask = searchPoints(p.points, text);
    const n = this.mask ? countVisible(this.mask, 0) : 0;
    this.count.textContent = this.mask ? `${formatNumber(n)} match${n === 1 ? '' : 'es'}` : '';
    // a few hits (a #row search) get a target each, not just a larger dot
    const marks: number[] = [];
    if (this.mask && n <= MAX_MARKERS) for (let i = 0; i < this.mask.length; i++) if (this.mask[i]) marks.push(i);
    p.view.marks.setMarkers(marks);
  }
}
