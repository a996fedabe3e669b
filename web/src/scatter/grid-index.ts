// A uniform grid over the map: point ids sorted by cell (a counting sort, O(n)), shuffled within each cell
// with a seed. One structure serves three needs at ten million points, where a d3 quadtree (an object
// per point) takes seconds and a gigabyte:
//   - drawing: the points in cell order are the renderer's draw order; cells outside the view are
//     skipped, and the first m points of a cell are a uniform sample of it (level of detail);
//   - hover and click: the nearest visible point within a radius scans the few cells around the pointer;
//   - thumbnails: the points inside a box.
// The grid covers the fitted extent; points beyond it (far outliers) fall into the edge cells, so every
// query stays exact. Pure: no DOM.

export interface GridIndex {
  cols: number;
  rows: number;
  x0: number;
  y0: number;
  /** Cell size in data units. */
  cellW: number;
  cellH: number;
  /** Point ids (positions in the points arrays) sorted by cell; NaN positions are left out. */
  ids: Uint32Array;
  /** ids[start[c] .. start[c + 1]) are the points of cell c = row * cols + col; length cols * rows + 1. */
  start: Uint32Array;
}

export interface Box {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

/** Grid side for n points: about 16 points per cell on average, 16 to 512 cells a side. */
export function gridSide(n: number): number {
  return Math.max(16, Math.min(512, Math.round(Math.sqrt(n / 16))));
}

/** Points handled per step of gridSteps (each step is one task's work when the grid is built between tasks). */
export const GRID_SLICE = 1 << 20;

/**
 * Builds the grid over `extent` with `side` x `side` cells (default gridSide(n)); within each cell the
 * ids are in a seeded random order, so no class systematically paints over another.
 */
export function buildGrid(x: Float32Array, y: Float32Array, extent: Box, side = gridSide(x.length), seed = 7): GridIndex {
  const steps = gridSteps(x, y, extent, side, seed);
  let r = steps.next();
  while (!r.done) r = steps.next();
  return r.value;
}

/**
 * buildGrid one slice at a time: each step handles about `slice` points (cell assignment, counting sort,
 * shuffle), so ten million points can be indexed between tasks while the map is already on screen. The
 * generator's return value is the grid, the same one buildGrid gives.
 */
export function* gridSteps(x: Float32Array, y: Float32Array, extent: Box, side = gridSide(x.length), seed = 7, slice = GRID_SLICE): Generator<void, GridIndex> {
  const n = x.length;
  const cols = side;
  const rows = side;
  const w = extent.xmax - extent.xmin || 1;
  const hgt = extent.ymax - extent.ymin || 1;
  const grid: GridIndex = { cols, rows, x0: extent.xmin, y0: extent.ymin, cellW: w / cols, cellH: hgt / rows, ids: new Uint32Array(0), start: new Uint32Array(cols * rows + 1) };
  const cell = new Int32Array(n);
  const count = grid.start;
  let valid = 0;
  for (let a = 0; a < n; a += slice) {
    valid += assignCells(grid, x, y, cell, a, Math.min(n, a + slice));
    yield;
  }
  for (let c = 0; c < cols * rows; c++) count[c + 1] += count[c];
  const ids = new Uint32Array(valid);
  const fillAt = count.slice(0, cols * rows);
  for (let a = 0; a < n; a += slice) {
    const b = Math.min(n, a + slice);
    for (let i = a; i < b; i++) {
      const c = cell[i];
      if (c >= 0) ids[fillAt[c]++] = i;
    }
    yield;
  }
  // shuffle within cells (Fisher-Yates, xorshift32), a slice of cells at a time
  const state = new Uint32Array([seed >>> 0 || 1]);
  const cellSlice = Math.max(1, Math.floor((cols * rows * slice) / Math.max(1, valid)));
  for (let c0 = 0; c0 < cols * rows; c0 += cellSlice) {
    shuffleCells(ids, count, c0, Math.min(cols * rows, c0 + cellSlice), state);
    yield;
  }
  grid.ids = ids;
  return grid;
}

/** The cells of points [a, b) into `cell` (-1 for NaN), counted into grid.start[c + 1]; returns the valid ones. */
function assignCells(grid: GridIndex, x: Float32Array, y: Float32Array, cell: Int32Array, a: number, b: number): number {
  const count = grid.start;
  let valid = 0;
  for (let i = a; i < b; i++) {
    const c = cellOf(grid, x[i], y[i]);
    cell[i] = c;
    if (c >= 0) {
      count[c + 1]++;
      valid++;
    }
  }
  return valid;
}

/** Shuffles the ids of cells [c0, c1) in place; `state` carries the xorshift32 state between calls. */
function shuffleCells(ids: Uint32Array, start: Uint32Array, c0: number, c1: number, state: Uint32Array): void {
  let s = state[0];
  for (let c = c0; c < c1; c++) {
    const a = start[c];
    for (let k = start[c + 1] - 1; k > a; k--) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      const j = a + (s % (k - a + 1));
      const t = ids[k];
      ids[k] = ids[j];
      ids[j] = t;
    }
  }
  state[0] = s;
}

/** The cell of a position (clamped to the grid), or -1 for NaN. */
export function cellOf(g: GridIndex, px: number, py: number): number {
  if (!(px === px && py === py)) return -1;
  return rowOf(g, py) * g.cols + colOf(g, px);
}

export function colOf(g: GridIndex, px: number): number {
  const c = Math.floor((px - g.x0) / g.cellW);
  return c < 0 ? 0 : c >= g.cols ? g.cols - 1 : c;
}

export function rowOf(g: GridIndex, py: number): number {
  const r = Math.floor((py - g.y0) / g.cellH);
  return r < 0 ? 0 : r >= g.rows ? g.rows - 1 : r;
}

/**
 * The visible point nearest to (px, py) within `radius` (data units), or -1; among equally near points
 * the lowest id. Hidden points (visible[i] === 0) are skipped. Cells are scanned in rings around the
 * pointer's cell, and the scan stops at the first ring that cannot hold a nearer point, so in a dense
 * core (hundreds of points a cell at ten million points) it reads a few cells, not every cell the radius
 * touches.
 */
export function nearestInGrid(g: GridIndex, x: Float32Array, y: Float32Array, px: number, py: number, radius: number, visible: Uint8Array | null): number {
  const c0 = colOf(g, px - radius);
  const c1 = colOf(g, px + radius);
  const r0 = rowOf(g, py - radius);
  const r1 = rowOf(g, py + radius);
  const pc = colOf(g, px);
  const pr = rowOf(g, py);
  const { ids, start } = g;
  const cellMin = Math.min(g.cellW, g.cellH);
  let best = -1;
  let bestD2 = radius * radius;
  const rings = Math.max(pc - c0, c1 - pc, pr - r0, r1 - pr);
  for (let d = 0; d <= rings; d++) {
    // every cell of ring d lies at least d - 1 whole cells from the pointer
    const gap = (d - 1) * cellMin;
    if (d > 1 && gap * gap > bestD2) break;
    const ra = Math.max(r0, pr - d);
    const rb = Math.min(r1, pr + d);
    for (let r = ra; r <= rb; r++) {
      // the ring's top and bottom rows are whole; the rows between hold its two side cells
      const step = r === pr - d || r === pr + d ? 1 : 2 * d;
      for (let c = pc - d; c <= pc + d; c += step) {
        if (c < c0 || c > c1) continue;
        const cell = r * g.cols + c;
        for (let k = start[cell], end = start[cell + 1]; k < end; k++) {
          const i = ids[k];
          if (visible !== null && visible[i] === 0) continue;
          const ex = x[i] - px;
          const ey = y[i] - py;
          const d2 = ex * ex + ey * ey;
          if (d2 < bestD2 || (d2 === bestD2 && (best < 0 || i < best))) {
            bestD2 = d2;
            best = i;
          }
        }
      }
    }
  }
  return best;
}

/** Visible points inside a box (ascending ids), or null when there are more than `limit`. */
export function pointsInGridBox(g: GridIndex, x: Float32Array, y: Float32Array, box: Box, visible: Uint8Array | null, limit: number): number[] | null {
  const out: number[] = [];
  const c0 = colOf(g, box.xmin);
  const c1 = colOf(g, box.xmax);
  const r0 = rowOf(g, box.ymin);
  const r1 = rowOf(g, box.ymax);
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = r * g.cols + c;
      for (let k = g.start[cell], end = g.start[cell + 1]; k < end; k++) {
        const i = g.ids[k];
        if (visible !== null && visible[i] === 0) continue;
        if (x[i] >= box.xmin && x[i] <= box.xmax && y[i] >= box.ymin && y[i] <= box.ymax) {
          out.push(i);
          if (out.length > limit) return null;
        }
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/** The cells a box touches, as ranges of cells per grid row: [row, firstCol, lastCol]. */
export function cellRange(g: GridIndex, box: Box): { c0: number; c1: number; r0: number; r1: number } {
  return { c0: colOf(g, box.xmin), c1: colOf(g, box.xmax), r0: rowOf(g, box.ymin), r1: rowOf(g, box.ymax) };
}
