// The `?format=json` body of points: pointsToRows (input order, plain values), with float32 columns
// written in the fewest digits that read back to the same float32 (about 40% smaller than float64 digits).
import { DataType, Precision, type Float, type Table } from 'apache-arrow';
import { pointsToRows } from '../pipeline/runs/artifacts.js';
import { shortestFloat32 } from '../pipeline/precision.js';

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
