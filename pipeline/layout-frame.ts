// One frame of a map as it forms (t-SNE's layout so far), as the CLI's JSON log writes it (`type: "layout"`),
// the server's event stream passes it on (`event: layout`) and the viewer draws it. Compact: at most
// MAX_FRAME_POINTS rows (every `stride`-th row of the map's row order, so frames of one run show the same rows),
// each coordinate quantized to 16 bits over the frame's bounding box, base64. Pure: no I/O; runs in Node and
// in the browser (btoa/atob).

/** Most points in a frame (about 107 kB of base64). */
export const MAX_FRAME_POINTS = 20_000;

export interface LayoutFrame {
  type: 'layout';
  /** t-SNE iterations done. */
  iteration: number;
  /** Rows of the whole map. */
  rows: number;
  /** Every stride-th row is in the frame (0, stride, 2 stride, ...). */
  stride: number;
  /** Bounding box of the frame's points: [x0, y0, x1, y1]. */
  box: [number, number, number, number];
  /** Uint16 x, y pairs (little-endian), 0..65535 across the box, base64. */
  points: string;
}

const LEVELS = 65535;

/** The frame of a layout (n x 2, row-major). */
export function encodeLayoutFrame(embedding: Float32Array, iteration: number, maxPoints = MAX_FRAME_POINTS): LayoutFrame {
  const rows = embedding.length >> 1;
  const stride = Math.max(1, Math.ceil(rows / maxPoints));
  const count = Math.ceil(rows / stride);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < count; k++) {
    const x = embedding[2 * k * stride]!;
    const y = embedding[2 * k * stride + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const q = new Uint8Array(count * 4);
  const view = new DataView(q.buffer);
  for (let k = 0; k < count; k++) {
    view.setUint16(4 * k, Math.round(((embedding[2 * k * stride]! - x0) / (x1 - x0)) * LEVELS), true);
    view.setUint16(4 * k + 2, Math.round(((embedding[2 * k * stride + 1]! - y0) / (y1 - y0)) * LEVELS), true);
  }
  let text = '';
  for (let k = 0; k < q.length; k += 0x8000) text += String.fromCharCode(...q.subarray(k, k + 0x8000));
  return { type: 'layout', iteration, rows, stride, box: [x0, y0, x1, y1], points: btoa(text) };
}

/** The frame's points, x, y pairs in map units (within 1/65535 of the box of the originals). */
export function decodeLayoutFrame(frame: LayoutFrame): Float32Array {
  const text = atob(frame.points);
  const count = text.length >> 2;
  const [x0, y0, x1, y1] = frame.box;
  const out = new Float32Array(count * 2);
  for (let k = 0; k < count; k++) {
    const qx = text.charCodeAt(4 * k) | (text.charCodeAt(4 * k + 1) << 8);
    const qy = text.charCodeAt(4 * k + 2) | (text.charCodeAt(4 * k + 3) << 8);
    out[2 * k] = x0 + (qx / LEVELS) * (x1 - x0);
    out[2 * k + 1] = y0 + (qy / LEVELS) * (y1 - y0);
  }
  return out;
}

/** Whether a parsed JSON value is a layout frame (the server checks CLI lines with it). */
export function isLayoutFrame(v: unknown): v is LayoutFrame {
  const f = v as Partial<LayoutFrame> | null;
  return (
    !!f &&
    f.type === 'layout' &&
    Number.isInteger(f.iteration) &&
    Number.isInteger(f.rows) &&
    Number.isInteger(f.stride) &&
    (f.stride ?? 0) >= 1 &&
    Array.isArray(f.box) &&
    f.box.length === 4 &&
    f.box.every((b) => typeof b === 'number' && Number.isFinite(b)) &&
    typeof f.points === 'string'
  );
}
