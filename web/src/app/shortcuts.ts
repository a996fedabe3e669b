// The viewer's keyboard shortcuts outside the map and form fields. Pure: a key event's fields → action, and
// whether the focused element takes typed keys itself.

export type Shortcut = 'escape' | 'search' | 'mode-pan' | 'mode-rect' | 'mode-lasso' | 'map';

/** The map's own keys (scatter/interaction.ts): arrows pan, +/- zoom, 0 resets; sent to the map wherever focus is. */
const MAP_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', '+', '=', '-', '_', '0']);

/** Input types that take no typed keys (a click or Space toggles or presses them): shortcuts work there. */
const KEYLESS_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'color', 'file']);

/**
 * Whether keys pressed with focus on `el` are its own: text inputs (any input but a checkbox, radio, button
 * and the like), text areas, selects and editable content. A checkbox just clicked (a layer box, a legend
 * toggle) is not: the shortcuts still work.
 */
export function takesKeys(el: { tagName: string; type?: string; isContentEditable?: boolean } | null): boolean {
  if (!el) return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable) return true;
  return tag === 'INPUT' && !KEYLESS_INPUTS.has((el.type ?? 'text').toLowerCase());
}

/**
 * The action of a key press, or null. `inField`: focus is in an element that takes keys (takesKeys) or a
 * dialog is open; then no key is a shortcut. 'map': a key of the map's own, for the map to handle.
 */
export function shortcutOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey?: boolean; inField: boolean }): Shortcut | null {
  if (e.inField) return null;
  if (e.key === 'Escape') return 'escape';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (MAP_KEYS.has(e.key)) return 'map';
  switch (e.key) {
    case '/':
      return 'search';
    case 'p':
      return 'mode-pan';
    case 'r':
      return 'mode-rect';
    case 'l':
      return 'mode-lasso';
    default:
      return null;
  }
}
