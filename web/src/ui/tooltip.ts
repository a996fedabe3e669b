// The hover tooltip: the row's metadata and, for image datasets, the image itself.
import { fill, formatValue, h } from './dom.js';

export class Tooltip {
  readonly el: HTMLDivElement;

  constructor(parent: HTMLElement) {
    this.el = h('div', { className: 'tooltip', role: 'tooltip', hidden: true });
    parent.append(this.el);
  }

  /** Shows rows of [name, value] (and an image URL) near client position (x, y), kept inside the parent. */
  show(title: string, rows: [string, unknown][], x: number, y: number, image?: string | null, swatch?: string): void {
    const img = image ? h('img', { src: image, alt: '', width: 84, height: 84, className: 'pixelated' }) : null;
    fill(
      this.el,
      h('div', { className: 'tooltip-title' }, swatch ? h('span', { className: 'swatch', style: `background:${swatch}` }) : null, title),
      img,
      h('dl', { className: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, formatValue(v))])),
    );
    this.el.hidden = false;
    const parent = this.el.parentElement!.getBoundingClientRect();
    const w = this.el.offsetWidth;
    const hgt = this.el.offsetHeight;
    let left = x - parent.left + 14;
    let top = y - parent.top + 14;
    if (left + w > parent.width - 4) left = x - parent.left - w - 14;
    if (top + hgt > parent.height - 4) top = y - parent.top - hgt - 14;
    this.el.style.transform = `translate(${Math.max(4, left)}px, ${Math.max(4, top)}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
