// The page around the maps: the run and compare pickers, the empty state (no runs yet), and which
// controls are usable. DOM only; the App decides when.
import type { RunSummary } from '../../../pipeline/types.js';
import { fill, formatNumber, h } from '../ui/dom.js';

function runOption(r: RunSummary): HTMLOptionElement {
  return h('option', { value: r.id }, `${r.name} · ${r.dataset} · ${formatNumber(r.rows)} rows${r.base ? ' · transform' : ''} · ${r.id}`);
}

/** The run picker lists every run; the compare picker every run but the one shown (and "none"). */
export function fillRunPickers(runPicker: HTMLSelectElement, comparePicker: HTMLSelectElement, runs: readonly RunSummary[], shown: string | null, compared: string | null): void {
  fill(runPicker, ...runs.map(runOption));
  if (shown) runPicker.value = shown;
  fill(comparePicker, h('option', { value: '' }, '— none —'), ...runs.filter((r) => r.id !== shown).map(runOption));
  comparePicker.value = compared ?? '';
}

/** Controls that act on a map. */
const MAP_CONTROLS = '#run-picker, #compare-picker, #color-by, #search, [data-mode], #reset-view, #export-png, #export-svg, #export-scale, [data-layer]';

/** With no map, the controls that act on one are disabled and the panels hidden; New run stays usable. */
export function setMapControlsEnabled(on: boolean, panels: readonly (HTMLElement | null)[]): void {
  for (const c of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>(MAP_CONTROLS)) c.disabled = !on;
  for (const panel of panels) if (panel) panel.hidden = !on;
}

/** The empty state: what to do when there is no run yet. */
export function showNoRuns(maps: HTMLElement, onNewRun: () => void): void {
  fill(
    maps,
    h(
      'div',
      { className: 'empty' },
      h('h2', null, 'No runs yet'),
      h('p', null, 'Make one from the command line — ', h('code', null, 'npx latentmap run --dataset mnist'), ' — or start one here.'),
      h('button', { type: 'button', className: 'primary', onclick: (() => onNewRun()) as EventListener }, 'New run…'),
    ),
  );
}

/**
 * While a map forms in place of the maps (app/live-run.ts), the controls that act on a map are disabled and
 * its panels rest greyed in place (inert); when it goes, the controls come back if there is a map.
 */
export function restMapControls(resting: boolean, hasMap: boolean, panels: readonly (HTMLElement | null)[]): void {
  setMapControlsEnabled(!resting && hasMap, []);
  for (const panel of panels) {
    panel?.toggleAttribute('inert', resting);
    panel?.classList.toggle('resting', resting);
  }
}
