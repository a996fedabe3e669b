// The level of detail's own compact copy of the map: for every grid cell, its first `cap` points (a uniform
// sample of the cell, as cells are shuffled), stored contiguously in cell order. A level-of-detail frame that
// draws at most `cap` points per cell (the water level of lod.ts) reads them from here: at ten million points
// the map's arrays are 40 MB each, and a frame that takes the first few points of each of a quarter million
// cells read them from scattered cache lines and pages (a cache and TLB miss per point and array: the first
// zoom frames took 60-110 ms for 100,000 points in chromium, against 2-8 ms at a million points, whose arrays
// fit the cache). Here the same points lie side by side, a frame's cells in a few sequential stretches.
// Pure: no DOM.
import type { GridIndex } from './grid-index.js';

/** Points kept per cell: a moving frame whose water level is higher reads the map's whole arrays. */
export const SAMPLE_CAP = 8;

export interface LodSample {
  /** Points kept per cell (at most). */
  cap: number;
  /** The sample of cell c is [start[c], start[c + 1]) of the sample's arrays; length cols * rows + 1. */
  start: Uint32Array;
  /** Position in the map's draw-ordered arrays of each sample entry. */
  pick: Uint32Array;
}

/** The first min(count, cap) draw-ordered points of every cell of grid g. */
export function buildSample(g: GridIndex, cap = SAMPLE_CAP): LodSample {
  const cells = g.cols * g.rows;
  const start = new Uint32Array(cells + 1);
  for (let c = 0; c < cells; c++) {
    const k = g.start[c + 1] - g.start[c];
    start[c + 1] = start[c] + (k < cap ? k : cap);
  }
  const pick = new Uint32Array(start[cells]);
  for (let c = 0; c < cells; c++) {
    const a = g.start[c];
    for (let j = start[c], p = a; j < start[c + 1]; j++, p++) pick[j] = p;
  }
  return { cap, start, pick };
}

/** The sample's copy of a draw-ordered per-point array (null stays null). */
export function sampleOf<T extends Float32Array | Uint32Array | Uint8Array>(s: LodSample, a: T | null): T | null {
  if (!a) return null;
  const out = new (a.constructor as new (n: number) => T)(s.pick.length);
  const pick = s.pick;
  for (let j = 0; j < pick.length; j++) out[j] = a[pick[j]];
  return out;
}
