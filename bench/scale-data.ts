// The data of bench:scale and bench:tsne-schedule: Fashion-MNIST (Debian's dataset-fashion-mnist), its 70,000
// images first, then the same images with random shifts of up to 2 pixels (seeded per row), written as one Arrow
// IPC file (a fixed-size list of 784 uint8 and the class name). Row r is the same at every size.
import { writeFileSync } from 'node:fs';
import { Table, makeData, makeVector, tableToIPC, vectorFromArray, FixedSizeList, Field, Uint8, Utf8 } from 'apache-arrow';
import { loadDataset } from '../pipeline/load/index.js';
import { createRandom } from '../pipeline/random.js';

const base = await loadDataset({ dataset: 'fashion-mnist', input: null, labelColumn: null, dataDir: null, limit: null });
const baseRows = base.matrix.rows;
const names = base.label!.values as (string | null)[];

/** Rows [from, to) of the benchmark data: Fashion-MNIST, then shifted copies (seeded). */
export function rowsOf(from: number, to: number): { pixels: Uint8Array; labels: string[] } {
  const pixels = new Uint8Array((to - from) * 784);
  const labels: string[] = [];
  for (let r = from; r < to; r++) {
    const src = r % baseRows;
    const random = createRandom(r);
    const dx = r < baseRows ? 0 : random.int(5) - 2;
    const dy = r < baseRows ? 0 : random.int(5) - 2;
    const o = (r - from) * 784;
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= 28) continue;
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        if (sx < 0 || sx >= 28) continue;
        pixels[o + y * 28 + x] = Math.round(255 * base.matrix.values[src * 784 + sy * 28 + sx]!);
      }
    }
    labels.push(String(names[src]));
  }
  return { pixels, labels };
}

/** Writes rows [from, to) of the benchmark data to `file` (Arrow IPC: pixels, label). */
export function writeArrow(file: string, from: number, to: number): void {
  const { pixels, labels } = rowsOf(from, to);
  const type = new FixedSizeList(784, new Field('pixel', new Uint8()));
  const child = makeData({ type: new Uint8(), length: pixels.length, data: pixels });
  const list = makeVector(makeData({ type, length: to - from, nullCount: 0, child }));
  writeFileSync(file, tableToIPC(new Table({ pixels: list, label: vectorFromArray(labels, new Utf8()) }), 'file'));
}

/** "250k" -> 250000, "1m" -> 1000000. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1));
}
