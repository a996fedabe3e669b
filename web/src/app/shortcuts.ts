// The viewer's keyboard shortcuts outside the map and form fields. Pure: a key event's fields → action.

export type Shortcut = 'escape' | 'search' | 'mode-pan' | 'mode-rect' | 'mode-lasso';

/** The action of a key press, or null. Keys typed into inputs, selects, text areas and dialogs are not shortcuts. */
export function shortcutOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey?: boolean; inField: boolean }): Shortcut | null {
  if (e.inField) return null;
  if (e.key === 'Escape') return 'escape';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
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
