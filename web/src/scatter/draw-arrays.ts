// The per-point arrays a points layer draws from: as set (input order), and the copies it draws (the grid's
// draw order, or the level of detail's compact sample of them). Pure: no DOM.

/** The per-point arrays in input order, as set (the layer keeps draw-ordered copies). */
export interface InputArrays {
  colors: Uint32Array;
  visible: Uint8Array | null;
  emphasis: Uint8Array | null;
  marked: Uint8Array | null;
}

/** The arrays a frame draws from: the map's (draw order) or the level of detail's sample of them. */
export interface DrawArrays {
  x: Float32Array;
  y: Float32Array;
  colors: Uint32Array;
  visible: Uint8Array | null;
  emphasis: Uint8Array | null;
  marked: Uint8Array | null;
}

export function emptyArrays(): DrawArrays {
  return { x: new Float32Array(0), y: new Float32Array(0), colors: new Uint32Array(0), visible: null, emphasis: null, marked: null };
}

/** out[k] = a[ids[k]] for k in [from, to). */
export function gather(out: Float32Array, a: Float32Array, ids: Uint32Array, from: number, to: number): void {
  for (let k = from; k < to; k++) out[k] = a[ids[k]];
}
