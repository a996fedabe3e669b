// Which categories are shown. The legend's click cycle on one category: shown → hidden → isolated
// (the only one shown) → all shown. Shift-click just toggles one category. Pure.

/** Next hidden set after a plain click on category `cat` of `count` categories. */
export function clickCategory(hidden: ReadonlySet<number>, cat: number, count: number): Set<number> {
  if (hidden.has(cat)) {
    // second click on a hidden class: isolate it
    const out = new Set<number>();
    for (let c = 0; c < count; c++) if (c !== cat) out.add(c);
    return out;
  }
  const visibleCount = count - hidden.size;
  if (visibleCount === 1 && count > 1) return new Set(); // clicking the isolated class shows everything again
  const out = new Set(hidden);
  out.add(cat);
  return out;
}

/** Next hidden set after a shift-click: toggle one category. */
export function toggleCategory(hidden: ReadonlySet<number>, cat: number): Set<number> {
  const out = new Set(hidden);
  if (out.has(cat)) out.delete(cat);
  else out.add(cat);
  return out;
}

/**
 * Per-point visibility (1 shown, 0 hidden) for hidden category codes; rows with a missing value (-1) are
 * hidden when `hideMissing`. Returns null when nothing is hidden (the renderer's fast path).
 */
export function visibilityMask(codes: Int32Array, hidden: ReadonlySet<number>, hideMissing = false): Uint8Array | null {
  if (hidden.size === 0 && !hideMissing) return null;
  const lookup = new Uint8Array(Math.max(1, ...Array.from(hidden, (h) => h + 1)));
  for (const h of hidden) lookup[h] = 1;
  const mask = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    mask[i] = c < 0 ? (hideMissing ? 0 : 1) : c < lookup.length && lookup[c] ? 0 : 1;
  }
  return mask;
}

/** Number of shown points. */
export function countVisible(mask: Uint8Array | null, n: number): number {
  if (!mask) return n;
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i];
  return s;
}
