// The `?format=json` body of points: pointsToRows (input order, plain values), with float32 columns
// written in the fewest digits that read back to the same float32 (about 40% smaller than float64 digits).
import { DataType, Precision, type Float, type Table } from 'apache-arrow';
import { pointsToRows } from '../pipeline/runs/artifacts.js';

/** The shortest decimal that Math.fround maps back to v (v must be a float32 value). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 6; p < 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return Number(v.toPrecision(9));
}

export function pointsJson(table: Table): string {
  const rows = pointsToRows(table);
  const floats = table.schema.fields.filter((f) => DataType.isFloat(f.type) && (f.type as Float).precision === Precision.SINGLE).map((f) => f.name);
  for (const row of rows) {
    for (const name of floats) {
      const v = row[name];
      if (typeof v === 'number') row[name] = shortestFloat32(v);
    }
  }
  return JSON.stringify(rows);
}
