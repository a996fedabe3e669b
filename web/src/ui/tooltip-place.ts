// Where the hover tooltip goes: beside the pointer, inside the maps area, and off the lines drawn from the
// inspected point to its nearest rows in input space, which it used to cover (it sat below and right of the
// pointer whatever lay there). Of the four corners around the pointer, the one covering the least length of
// those lines, the first in reading order on a tie (below right, below left, above right, above left). Pure.

/** A line segment [x0, y0, x1, y1], px in the tooltip's parent. */
export type Segment = readonly [number, number, number, number];

/** Gap between the pointer and the tooltip, px. */
export const POINTER_GAP = 14;
/** Margin kept from the parent's edges, px. */
const EDGE = 4;

/** Length of segment s inside the box [x0, x1] x [y0, y1] (Liang–Barsky clipping). */
export function lengthInside(s: Segment, x0: number, y0: number, x1: number, y1: number): number {
  const [ax, ay, bx, by] = s;
  const dx = bx - ax;
  const dy = by - ay;
  let t0 = 0;
  let t1 = 1;
  for (const [p, q] of [
    [-dx, ax - x0],
    [dx, x1 - ax],
    [-dy, ay - y0],
    [dy, y1 - ay],
  ] as const) {
    if (p === 0) {
      if (q < 0) return 0;
      continue;
    }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r);
    else t1 = Math.min(t1, r);
    if (t0 > t1) return 0;
  }
  return (t1 - t0) * Math.hypot(dx, dy);
}

/**
 * The tooltip's top-left corner for a pointer at (x, y) and a tooltip of w x h, in a parent of width x height
 * (all px in the parent): a corner around the pointer that stays inside the parent and covers the least of
 * `avoid`.
 */
export function placeTooltip(x: number, y: number, w: number, h: number, width: number, height: number, avoid: readonly Segment[] = []): { left: number; top: number } {
  const clampX = (v: number) => Math.max(EDGE, Math.min(v, width - w - EDGE));
  const clampY = (v: number) => Math.max(EDGE, Math.min(v, height - h - EDGE));
  const right = x + POINTER_GAP;
  const left = x - w - POINTER_GAP;
  const below = y + POINTER_GAP;
  const above = y - h - POINTER_GAP;
  const fitsRight = right + w <= width - EDGE;
  const fitsLeft = left >= EDGE;
  const fitsBelow = below + h <= height - EDGE;
  const fitsAbove = above >= EDGE;
  const candidates = [
    { left: right, top: below, fits: fitsRight && fitsBelow },
    { left, top: below, fits: fitsLeft && fitsBelow },
    { left: right, top: above, fits: fitsRight && fitsAbove },
    { left, top: above, fits: fitsLeft && fitsAbove },
  ];
  // the corners that fit; none fitting (a tooltip bigger than a quarter of the area): the old rule, flipped
  // across the pointer where it would leave the parent, then kept inside
  const fitting = candidates.filter((c) => c.fits);
  if (fitting.length === 0) return { left: clampX(fitsRight ? right : left), top: clampY(fitsBelow ? below : above) };
  let best = fitting[0]!;
  let bestCover = Infinity;
  for (const c of fitting) {
    let cover = 0;
    for (const s of avoid) cover += lengthInside(s, c.left, c.top, c.left + w, c.top + h);
    if (cover < bestCover - 0.5) {
      best = c;
      bestCover = cover;
    }
  }
  return { left: best.left, top: best.top };
}
