// Four decoded points with the awkward values the viewer's search and export must handle (quotes and a comma,
// a leading "=", a newline; labels 5 and 15 so an exact "5" is told from a substring), shared by their tests.
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { decodePoints } from '../../web/src/points.js';

export function samplePoints() {
  const t = tableFromArrays({
    index: Int32Array.from([10, 11, 12, 13]),
    x: Float32Array.from([0, 1, 2, 3]),
    y: Float32Array.from([0, 1, 2, 3]),
    label: Int32Array.from([5, 15, 5, 1]),
    name: ['Ann, "the first"', 'bob', '=cmd()', 'Dora\nDee'],
  });
  return decodePoints(tableFromIPC(tableToIPC(t, 'stream')));
}
