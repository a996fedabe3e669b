// One frame of a map as it forms (t-SNE's layout so far), as the CLI's JSON log writes it (`type: "layout"`),
// the server's event stream passes it on (`event: layout`) and the viewer draws it. Compact: at most
// MAX_FRAME_POINTS rows (every `stride`-th row of the map's row order, so frames of one run show the same rows),
// each coordinate quantized to 16 bits over the frame's bounding box, base64. With the map's rows (MapRows), a
// frame also names its rows: their input row when the map's rows are not the input's 0..n-1, and their label,
// so the forming map can be coloured and hovered like the finished one. Pure: no I/O; runs in Node and in the
// browser (btoa/atob).
import type { MapRows } from './types.js';

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
  /** The input row of each frame row (Int32 little-endian, base64); absent: row k * stride. */
  index?: string;
  /** The label of each frame row, when the run has a label column of at most MAX_FRAME_CLASSES classes. */
  label?: FrameLabel;
}

/** A frame's labels: the class names of the whole map (in first-seen order) and a class per frame row. */
export interface FrameLabel {
  name: string;
  classes: string[];
  /** Uint16 little-endian class numbers into `classes` (MISSING_CLASS: no label), base64. */
  codes: string;
}

/** Most classes a frame's labels carry; a label column with more (an id) is left out of the frames. */
export const MAX_FRAME_CLASSES = 1000;
/** The class number of a row without a label. */
export const MISSING_CLASS = 65535;

const LEVELS = 65535;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let k = 0; k < bytes.length; k += 0x8000) text += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(text);
}

function fromBase64(b64: string): DataView {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
  return new DataView(bytes.buffer);
}

/** What a frame says of its rows, encoded once per map and stride (the same in every frame of a run). */
const rowFields = new WeakMap<MapRows, { stride: number; fields: Pick<LayoutFrame, 'index' | 'label'> }>();

/** The index and label fields of the frames of a map of `rows` rows, every stride-th row. */
export function encodeFrameRows(about: MapRows, rows: number, stride: number): Pick<LayoutFrame, 'index' | 'label'> {
  const kept = rowFields.get(about);
  if (kept && kept.stride === stride) return kept.fields;
  const count = Math.ceil(rows / stride);
  const fields: Pick<LayoutFrame, 'index' | 'label'> = {};
  if (about.index) {
    const q = new DataView(new ArrayBuffer(count * 4));
    for (let k = 0; k < count; k++) q.setInt32(4 * k, about.index[k * stride]!, true);
    fields.index = toBase64(new Uint8Array(q.buffer));
  }
  const label = about.label;
  if (label) {
    // class names as the viewer shows them: a number's own text, a string as it is; over every row of the map
    const text = (r: number): string | null => {
      const v = label.values[r];
      if (label.kind === 'number') return Number.isNaN(v) ? null : String(v);
      return (v as string | null) ?? null;
    };
    const ids = new Map<string, number>();
    const classes: string[] = [];
    for (let r = 0; r < label.values.length && classes.length <= MAX_FRAME_CLASSES; r++) {
      const t = text(r);
      if (t !== null && !ids.has(t)) {
        ids.set(t, classes.length);
        classes.push(t);
      }
    }
    if (classes.length <= MAX_FRAME_CLASSES) {
      const q = new DataView(new ArrayBuffer(count * 2));
      for (let k = 0; k < count; k++) {
        const t = text(k * stride);
        q.setUint16(2 * k, t === null ? MISSING_CLASS : ids.get(t)!, true);
      }
      fields.label = { name: label.name, classes, codes: toBase64(new Uint8Array(q.buffer)) };
    }
  }
  rowFields.set(about, { stride, fields });
  return fields;
}

/**
 * The input row of each of a frame's rows (row k * stride when the frame does not say), and their labels: the
 * class names and a class number per row (-1: no label), or null when the frame carries none.
 */
export function decodeFrameRows(frame: LayoutFrame): { index: Int32Array; label: { name: string; classes: string[]; codes: Int32Array } | null } {
  const count = atob(frame.points).length >> 2;
  const index = new Int32Array(count);
  if (frame.index) {
    const v = fromBase64(frame.index);
    for (let k = 0; k < count; k++) index[k] = v.getInt32(4 * k, true);
  } else for (let k = 0; k < count; k++) index[k] = k * frame.stride;
  if (!frame.label) return { index, label: null };
  const v = fromBase64(frame.label.codes);
  const codes = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const c = v.getUint16(2 * k, true);
    codes[k] = c === MISSING_CLASS ? -1 : c;
  }
  return { index, label: { name: frame.label.name, classes: frame.label.classes, codes } };
}

/**
 * The frame of a layout (n x 2, row-major); with `about`, its rows' input rows and labels too (encoded on the
 * first frame of a map and reused for the next).
 */
export function encodeLayoutFrame(embedding: Float32Array, iteration: number, maxPoints = MAX_FRAME_POINTS, about: MapRows | null = null): LayoutFrame {
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
  return { type: 'layout', iteration, rows, stride, box: [x0, y0, x1, y1], points: toBase64(q), ...(about ? encodeFrameRows(about, rows, stride) : {}) };
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
    typeof f.points === 'string' &&
    (f.index === undefined || typeof f.index === 'string') &&
    (f.label === undefined ||
      (!!f.label &&
        typeof f.label.name === 'string' &&
        typeof f.label.codes === 'string' &&
        Array.isArray(f.label.classes) &&
        f.label.classes.length <= MAX_FRAME_CLASSES &&
        f.label.classes.every((c) => typeof c === 'string')))
  );
}
