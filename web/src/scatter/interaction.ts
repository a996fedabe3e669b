// How a map responds to the user: d3-zoom for pan and zoom (mouse, wheel, touch), the pointer for hover
// and click, the keyboard for panning, zooming and opening the point nearest the center, and the drag
// gestures that draw a rectangle or lasso selection. The view it drives implements InteractionHost.
import { select, zoom, zoomIdentity, type D3ZoomEvent, type Selection, type ZoomBehavior } from 'd3';
import { rectPolygon, simplifyPolygon } from './hit-test.js';
import { MAX_ZOOM, MIN_ZOOM, type ZoomState } from './transform.js';

export type InteractionMode = 'pan' | 'rect' | 'lasso';

/** What the interaction needs from the view it drives. */
export interface InteractionHost {
  readonly overlay: HTMLCanvasElement;
  mode(): InteractionMode;
  /** The zoom state changed (pan, zoom, programmatic). */
  onZoom(t: ZoomState, byUser: boolean): void;
  /** CSS px (relative to the overlay) → data coordinates. */
  toData(px: number, py: number): [number, number];
  /** The visible point under a CSS position, or -1. */
  pick(px: number, py: number): number;
  /** The visible point nearest the center of the view, or -1. */
  pickCenter(): number;
  hover(i: number, clientX: number, clientY: number): void;
  /** A click on point i (-1: none), at CSS position (px, py) relative to the overlay when it came from the pointer. */
  click(i: number, px?: number, py?: number): void;
  /** The selection shape being drawn (data coordinates), or null when the gesture ended. */
  drag(polygon: number[] | null): void;
  select(kind: 'rect' | 'lasso', polygon: number[]): void;
  /** Frames the drawn points (the `0` key). */
  resetView(): void;
}

/** Pixels a press may move and still count as a click, not a pan. */
const CLICK_SLOP = 4;
/** Most vertices kept of a freehand lasso (keeps the URL short). */
const LASSO_VERTICES = 96;

export class MapInteraction {
  private readonly behavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly sel: Selection<HTMLCanvasElement, unknown, null, undefined>;
  private k = 1;
  private dragging = false;

  constructor(private host: InteractionHost) {
    const overlay = host.overlay;
    this.behavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([MIN_ZOOM, MAX_ZOOM])
      .filter((event: Event) => {
        if (event.type === 'wheel' || event.type === 'dblclick') return true;
        if (host.mode() !== 'pan') return event.type.startsWith('touch') && (event as TouchEvent).touches?.length > 1;
        return !(event as MouseEvent).button;
      })
      .on('zoom', (event: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        const t = event.transform;
        this.k = t.k;
        host.onZoom({ k: t.k, x: t.x, y: t.y }, event.sourceEvent != null);
      });
    this.sel = select(overlay);
    this.sel.call(this.behavior).on('dblclick.zoom', null);

    overlay.addEventListener('pointermove', (e) => this.onPointerMove(e));
    overlay.addEventListener('pointerleave', () => host.hover(-1, 0, 0));
    overlay.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    overlay.addEventListener('keydown', (e) => this.onKey(e));
    // pointerdown, not mousedown: d3-zoom stops the mousedown's propagation to other listeners
    let downAt: [number, number] | null = null;
    overlay.addEventListener('pointerdown', (e) => (downAt = [e.clientX, e.clientY]), { capture: true });
    overlay.addEventListener('click', (e) => {
      if (host.mode() !== 'pan' || !downAt) return;
      if (Math.hypot(e.clientX - downAt[0], e.clientY - downAt[1]) > CLICK_SLOP) return; // a pan, not a click
      const [px, py] = this.local(e);
      host.click(host.pick(px, py), px, py);
    });
  }

  /** Moves to a zoom state (as if the user had): the host hears it through onZoom. */
  transformTo(t: ZoomState): void {
    this.sel.call(this.behavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  reset(): void {
    this.sel.call(this.behavior.transform, zoomIdentity);
  }

  private local(e: MouseEvent): [number, number] {
    const r = this.host.overlay.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  private onPointerMove(e: PointerEvent): void {
    if (this.dragging) return;
    if (this.host.mode() !== 'pan' || e.buttons) {
      this.host.hover(-1, 0, 0);
      return;
    }
    const [px, py] = this.local(e);
    this.host.hover(this.host.pick(px, py), e.clientX, e.clientY);
  }

  /** Rectangle and lasso gestures (in the selection modes). */
  private onPointerDown(e: PointerEvent): void {
    const mode = this.host.mode();
    if (mode === 'pan' || e.button !== 0) return;
    e.preventDefault();
    const overlay = this.host.overlay;
    overlay.setPointerCapture(e.pointerId);
    const start = this.host.toData(...this.local(e));
    let shape: number[] = [...start];
    this.dragging = true;
    const move = (ev: PointerEvent) => {
      const p = this.host.toData(...this.local(ev));
      if (mode === 'rect') shape = rectPolygon(start[0], start[1], p[0], p[1]);
      else shape.push(p[0], p[1]);
      this.host.drag(shape);
    };
    const up = () => {
      overlay.removeEventListener('pointermove', move);
      overlay.removeEventListener('pointerup', up);
      overlay.removeEventListener('pointercancel', up);
      this.dragging = false;
      this.host.drag(null);
      if (shape.length >= 6) this.host.select(mode, mode === 'lasso' ? simplifyPolygon(shape, LASSO_VERTICES) : shape);
    };
    overlay.addEventListener('pointermove', move);
    overlay.addEventListener('pointerup', up);
    overlay.addEventListener('pointercancel', up);
  }

  private onKey(e: KeyboardEvent): void {
    const step = 60;
    const z = this.behavior;
    const s = this.sel;
    switch (e.key) {
      case 'ArrowLeft':
        z.translateBy(s, step / this.k, 0);
        break;
      case 'ArrowRight':
        z.translateBy(s, -step / this.k, 0);
        break;
      case 'ArrowUp':
        z.translateBy(s, 0, step / this.k);
        break;
      case 'ArrowDown':
        z.translateBy(s, 0, -step / this.k);
        break;
      case '+':
      case '=':
        z.scaleBy(s, 1.4);
        break;
      case '-':
      case '_':
        z.scaleBy(s, 1 / 1.4);
        break;
      case '0':
        this.host.resetView();
        break;
      case 'Enter': {
        // keyboard users open the point nearest the center of the view
        const i = this.host.pickCenter();
        if (i >= 0) this.host.click(i);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  }
}
