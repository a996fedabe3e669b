// The hover tooltip: the row's metadata and, for image datasets, the image itself.
import { fill, formatValue, h } from './dom.js';
import { placeTooltip, type Segment } from './tooltip-place.js';

export class Tooltip {
  readonly el: HTMLDivElement;

  constructor(parent: HTMLElement) {
    this.el = h('div', { className: 'tooltip', role: 'tooltip', hidden: true });
    parent.append(this.el);
  }

  /**
   * Shows rows of [name, value] (and an image URL) near client position (x, y), kept inside the parent and off
   * the segments `avoid` (client px: the lines to the inspected point's input-space neighbours) where it can be.
   */
  show(title: string, rows: [string, unknown][], x: number, y: number, image?: string | null, swatch?: string, avoid: readonly Segment[] = []): void {
    const img = image ? h('img', { src: image, alt: '', width: 84, height: 84, className: 'pixelated' }) : null;
    fill(
      this.el,
      h('div', { className: 'tooltip-title' }, swatch ? h('span', { className: 'swatch', style: `background:${swatch}` }) : null, title),
      img,
      h('dl', { className: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, formatValue(v))])),
    );
    this.el.hidden = false;
    const parent = this.el.parentElement!.getBoundingClientRect();
    const local = avoid.map((s): Segment => [s[0] - parent.left, s[1] - parent.top, s[2] - parent.left, s[3] - parent.top]);
    const at = placeTooltip(x - parent.left, y - parent.top, this.el.offsetWidth, this.el.offsetHeight, parent.width, parent.height, local);
    this.el.style.transform = `translate(${at.left}px, ${at.top}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
