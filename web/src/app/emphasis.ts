// Which points stand out: the selection and the search each give a mask; together, their intersection.
// In compare mode the same rows (by input row index) light up in the other map. Pure.

/** The intersection of the masks given (null entries ignored); null when none is given. */
export function combineMasks(...masks: (Uint8Array | null | undefined)[]): Uint8Array | null {
  const given = masks.filter((m): m is Uint8Array => !!m);
  if (given.length === 0) return null;
  if (given.length === 1) return given[0];
  const out = new Uint8Array(given[0].length);
  out.set(given[0]);
  for (let k = 1; k < given.length; k++) {
    const m = given[k];
    for (let i = 0; i < out.length; i++) out[i] &= m[i];
  }
  return out;
}

/**
 * Carries a mask over to another map of the same rows: `index` gives each source point's input row,
 * `positionOf` a row's position in the target (-1: absent); `n` is the target's point count.
 */
export function projectMask(mask: Uint8Array, index: Int32Array, positionOf: (row: number) => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const j = positionOf(index[i]);
    if (j >= 0) out[j] = 1;
  }
  return out;
}
