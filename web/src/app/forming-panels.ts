// What the panels around the map say while a run forms in the main map (app/live-run.ts): they describe the
// forming map, not the map it covers. The legend gives way to the forming map's classes (the labels its frames
// carry, in the colours the finished map will use) or says it is one colour; the filter, selection, detail and
// run panels are hidden, with a note that they return when the run opens or on going back; Color by shows what
// the forming map is coloured by (disabled: it cannot be changed while it forms); the status line says the run
// is forming. When the forming map goes, everything is as it was, or as the run just opened made it (the app
// rewrites the panels, Color by and the status line for it).
import type { ColorEncoding } from '../colors.js';
import { fill, h } from '../ui/dom.js';

export interface FormingPanelElements {
  /** The legend's element (inside its panel), the Color-by select and the status line. */
  legend: HTMLElement;
  colorBy: HTMLSelectElement;
  status: HTMLElement;
  /** Panels about the map looked at, hidden while it is covered: filters, selection, detail, run. */
  panels: HTMLElement[];
}

/** The legend's text while a map forms: its classes when the frames carry labels, else that it is one colour. */
export function formingLegendText(name: string, enc: ColorEncoding | null): { heading: string; note: string } {
  const note = 'Filters, selection and the run’s details return when the run opens (or with Back).';
  if (enc?.kind === 'category') return { heading: `Forming: ${name} · ${enc.column.name} · ${enc.column.categories.length} classes`, note };
  return { heading: `Forming: ${name} · one colour (its frames carry no labels)`, note };
}

export class FormingPanels {
  /** The forming map's legend, in the legend's panel in place of the legend. */
  private readonly el = h('div', { className: 'forming-legend', 'aria-label': 'legend of the map forming' });
  /** The Color-by choice standing for the forming map's colouring. */
  private readonly option = h('option', { value: '__forming' });
  /** What was hidden, the Color-by choice and the status line before; null while not shown. */
  private saved: { hidden: boolean[]; legendPanel: boolean; colorBy: string; status: string; statusError: boolean } | null = null;
  private statusText = '';
  /** The classes shown (to redraw only when they change). */
  private shownKey = '';

  constructor(private readonly els: FormingPanelElements) {}

  /** Whether the panels describe a forming map. */
  get showing(): boolean {
    return this.saved !== null;
  }

  /** The panels describe the map of run `name` forming, coloured by `enc` (null: no frame yet). Called again with every frame. */
  show(name: string, enc: ColorEncoding | null): void {
    const { legend, colorBy, status, panels } = this.els;
    const panel = legend.closest<HTMLElement>('.panel');
    if (!this.saved) {
      this.saved = { hidden: panels.map((p) => p.hidden), legendPanel: panel?.hidden ?? false, colorBy: colorBy.value, status: status.textContent ?? '', statusError: status.classList.contains('error') };
      for (const p of panels) p.hidden = true;
      legend.hidden = true;
      legend.after(this.el);
      if (panel) panel.hidden = false;
      colorBy.append(this.option);
      this.shownKey = '';
    }
    const key = `${name}|${enc?.kind === 'category' ? `${enc.column.name}:${enc.column.categories.join('\u0000')}` : 'none'}`;
    if (key !== this.shownKey) {
      this.shownKey = key;
      const text = formingLegendText(name, enc);
      const items = enc?.kind === 'category' ? enc.column.categories.map((c, k) => h('li', { className: 'forming-class' }, h('span', { className: 'swatch', style: `background:${enc.palette[k]}` }), h('span', { className: 'legend-name' }, c))) : [];
      fill(this.el, h('div', { className: 'legend-head' }, h('span', null, text.heading)), items.length ? h('ul', { className: 'legend-list', role: 'list' }, ...items) : null, h('p', { className: 'muted small forming-note' }, text.note));
      this.option.textContent = enc?.kind === 'category' ? `${enc.column.name} (the map forming)` : 'one colour (the map forming)';
    }
    colorBy.value = this.option.value;
    colorBy.disabled = true;
    this.statusText = `Watching the map of “${name}” form: the legend and Color by describe it; the map you were looking at returns with Back, or the run opens when it is done.`;
    if (status.textContent !== this.statusText) {
      status.textContent = this.statusText;
      status.classList.remove('error');
    }
  }

  /** The forming map has gone: the panels, Color by and the status line are as before, or as the app has since made them. */
  hide(): void {
    const saved = this.saved;
    if (!saved) return;
    this.saved = null;
    const { legend, colorBy, status, panels } = this.els;
    this.el.remove();
    legend.hidden = false;
    const panel = legend.closest<HTMLElement>('.panel');
    if (panel) panel.hidden = saved.legendPanel;
    panels.forEach((p, i) => (p.hidden = saved.hidden[i]));
    // Color by: the app refilled it for a run just opened (the option gone with the old ones), else as it was
    if (this.option.parentElement) {
      this.option.remove();
      colorBy.value = saved.colorBy;
    }
    // the status line: the run just opened has written its own; else what it said before
    if (status.textContent === this.statusText) {
      status.textContent = saved.status;
      status.classList.toggle('error', saved.statusError);
    }
  }
}
