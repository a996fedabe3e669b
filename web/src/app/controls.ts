// The top bar's and the keyboard's wiring: run and compare pickers, Color by, search box (debounced),
// interaction mode buttons, export, new run, layer boxes, reset view, and the shortcuts (app/shortcuts.ts).
// What each control does is the host's; this file only listens.
import type { InteractionMode } from '../scatter/view.js';
import { bindLayerBoxes, type MapLayer } from './map-layers.js';
import { shortcutOf, takesKeys } from './shortcuts.js';

/** Milliseconds the search waits for typing to pause. */
const SEARCH_DEBOUNCE_MS = 120;

export interface ControlsHost {
  runPicker: HTMLSelectElement;
  comparePicker: HTMLSelectElement;
  colorBy: HTMLSelectElement;
  search: HTMLInputElement;
  byId<T extends HTMLElement>(id: string): T;
  openRun(id: string): void;
  /** '' closes the compare map. */
  compareWith(id: string): void;
  colorByChosen(value: string): void;
  searchFor(text: string): void;
  setMode(mode: InteractionMode): void;
  exportPng(scale: number): void;
  exportSvg(): void;
  newRun(): void;
  layers(): ReadonlySet<MapLayer>;
  setLayers(layers: Set<MapLayer>): void;
  resetView(): void;
  /** Esc: clear the selection, else close the detail. */
  escape(): void;
  /** A map key (arrows, +, -, 0) pressed outside the map: the primary map handles it as if focused. */
  mapKey(key: string): void;
}

export function bindControls(c: ControlsHost): void {
  c.runPicker.addEventListener('change', () => c.openRun(c.runPicker.value));
  c.comparePicker.addEventListener('change', () => c.compareWith(c.comparePicker.value));
  c.colorBy.addEventListener('change', () => c.colorByChosen(c.colorBy.value));
  let searchTimer = 0;
  c.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => c.searchFor(c.search.value), SEARCH_DEBOUNCE_MS);
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
    b.addEventListener('click', () => c.setMode(b.dataset.mode as InteractionMode));
  }
  c.byId('export-png').addEventListener('click', () => c.exportPng(Number(c.byId<HTMLSelectElement>('export-scale').value) || 2));
  c.byId('export-svg').addEventListener('click', () => c.exportSvg());
  c.byId('new-run').addEventListener('click', () => c.newRun());
  bindLayerBoxes(c.layers, c.setLayers);
  c.byId('reset-view').addEventListener('click', () => c.resetView());
  document.addEventListener('keydown', (e) => {
    // a clicked checkbox or button keeps the focus but takes no typed keys: shortcuts work there
    const inField = takesKeys(e.target as HTMLElement) || !!document.querySelector('dialog[open]');
    const action = shortcutOf({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inField });
    if (action === 'map') {
      // the focused map handled it already
      if (e.defaultPrevented) return;
      e.preventDefault();
      c.mapKey(e.key);
    } else if (action === 'escape') c.escape();
    else if (action === 'search') {
      e.preventDefault();
      c.search.focus();
    } else if (action === 'mode-pan') c.setMode('pan');
    else if (action === 'mode-rect') c.setMode('rect');
    else if (action === 'mode-lasso') c.setMode('lasso');
  });
}

/** Marks the pressed mode button. */
export function pressModeButton(mode: InteractionMode): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
}
