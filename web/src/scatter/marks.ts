// What the overlay marks on the map besides the hovered point: the inspected point and its neighbours' rings,
// lines to other points (its input-space neighbours), search targets, the point hovered in a linked map, the
// selection shape and the one being drawn, density contours and cluster labels. A value holder with setters
// that ask for a redraw; ScatterView draws it (overlay.ts) and keeps the labels that found room (for clicks).

export interface MapLabel {
  /** Data coordinates of the label's anchor. */
  x: number;
  y: number;
  text: string;
  /** What a click on the label names (a cluster number). */
  id?: number;
  /**
   * The region it names (a cluster's grid cells: centers as x, y pairs in data coordinates, densest first,
   * each halfW x halfH either side), so the label stays on screen when zoomed in past its anchor.
   */
  region?: { centers: Float32Array; halfW: number; halfH: number };
}

/** A label as drawn: its centre in CSS px and its box's width. */
export interface ShownLabel {
  text: string;
  x: number;
  y: number;
  width: number;
  id?: number;
}

/** Half the height of a drawn label's box, CSS px. */
export const LABEL_HALF_HEIGHT = 9;

export class OverlayMarks {
  /** The inspected point (-1: none): a focus ring. */
  focus = -1;
  /** Rings around these points (the inspected point's code-space neighbours). */
  rings: readonly number[] = [];
  /** Lines from `from` to each of `to` (the inspected point's input-space neighbours); null: none. */
  links: { from: number; to: readonly number[] } | null = null;
  /** Search hits to point out (a few): a crosshair target on each. */
  markers: readonly number[] = [];
  /** The point hovered in a linked map (-1: none). */
  linked = -1;
  /** Density contour rings (data coordinates); null: off. */
  contours: readonly { value: number; rings: number[][] }[] | null = null;
  /** Cluster labels (data coordinates), most important first; null: off. */
  labels: readonly MapLabel[] | null = null;
  /** The finished selection shape (data coordinates, flat x, y pairs). */
  selection: readonly number[] | null = null;
  /** The selection shape being drawn. */
  dragShape: readonly number[] | null = null;
  /** The labels drawn last, with their boxes (those of clusters out of view, or crowded out, are left out). */
  shownLabels: ShownLabel[] = [];

  constructor(private readonly changed: () => void) {}

  /** A focus ring on `focus` and rings around `rings`. */
  setHighlights(focus: number, rings: readonly number[]): void {
    this.focus = focus;
    this.rings = rings;
    this.changed();
  }

  setLinks(links: { from: number; to: readonly number[] } | null): void {
    this.links = links;
    this.changed();
  }

  setMarkers(positions: readonly number[]): void {
    this.markers = positions;
    this.changed();
  }

  setLinked(i: number): void {
    if (i === this.linked) return;
    this.linked = i;
    this.changed();
  }

  setContours(levels: OverlayMarks['contours']): void {
    this.contours = levels;
    this.changed();
  }

  setLabels(labels: readonly MapLabel[] | null): void {
    this.labels = labels;
    this.changed();
  }

  setSelection(polygon: readonly number[] | null): void {
    this.selection = polygon;
    this.changed();
  }

  setDragShape(polygon: readonly number[] | null): void {
    this.dragShape = polygon;
    this.changed();
  }

  /** The id of the drawn label under a CSS position, or null. */
  labelAt(px: number, py: number): number | null {
    for (const l of this.shownLabels) {
      if (l.id !== undefined && Math.abs(px - l.x) <= l.width / 2 && Math.abs(py - l.y) <= LABEL_HALF_HEIGHT) return l.id;
    }
    return null;
  }

  /** Forgets every mark (new points). */
  clear(): void {
    this.focus = this.linked = -1;
    this.rings = [];
    this.links = null;
    this.markers = [];
    this.contours = this.labels = null;
    this.selection = this.dragShape = null;
    this.shownLabels = [];
  }
}
