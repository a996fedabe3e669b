// Which classes of the primary map are shown: the legend (ui/legend.ts) of its Color-by column, where a click
// hides a class, a second click isolates it, shift-click toggles one (legend-state.ts), and the map's
// visibility mask that follows.
import { clickCategory, toggleCategory, visibilityMask } from '../legend-state.js';
import { renderLegend } from '../ui/legend.js';
import type { Pane } from './pane.js';

/** Applies the pane's hidden classes to its map and draws its legend; `changed` follows every legend click. */
export function showVisibility(p: Pane, legend: HTMLElement, changed: () => void): void {
  // a view framing the drawn points (not moved since) frames them again: hiding the island at one side
  // leaves the rest centred, not off to the other; a view the user chose stays
  const fitted = p.view.isFitted();
  p.visible = p.encoding.kind === 'category' ? visibilityMask(p.encoding.column.codes, p.hidden) : null;
  p.view.setVisible(p.visible);
  if (fitted) p.view.resetView();
  const again = () => {
    showVisibility(p, legend, changed);
    changed();
  };
  renderLegend(legend, p.encoding, p.hidden, {
    onCategory: (c, shift) => {
      const count = p.encoding.kind === 'category' ? p.encoding.column.categories.length : 0;
      p.hidden = shift ? toggleCategory(p.hidden, c) : clickCategory(p.hidden, c, count);
      again();
    },
    onShowAll: () => {
      p.hidden = new Set();
      again();
    },
  });
}
