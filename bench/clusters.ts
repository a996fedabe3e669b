// How well the viewer's automatic clusters (web/src/scatter/map-clusters.ts: mode-clusters.ts on the density
// grid of density.ts, the function the viewer's clusters worker runs) match a run's labels. Prints a table per
// run directory: clusters found, adjusted Rand index (Hubert & Arabie 1985; noise counted as one more
// cluster), ARI over the clustered points only, purity (the share of clustered points in their cluster's
// dominant label), the share of points in a cluster, the density grid chosen (cells a side, smoothing in
// cells) and the milliseconds to grid and cluster. `islands:N[:GAP]` instead of a run directory is a
// synthetic map of N points in 10 islands GAP point spacings apart (bench/island-maps.ts; GAP 2 unless given).
//
//   npx tsx bench/clusters.ts RUN_DIR|islands:N[:GAP] ...
//   (at least one; N a whole number, GAP a positive number: anything else, a directory without points.arrow or a
//   flag is one line on stderr and exit 2, before any map is read)
//   npm run bench:clusters -- /tmp/runs/<mnist run> /tmp/runs/<fashion-mnist run> islands:200000
import { readPoints } from '../pipeline/runs/artifacts.js';
import { clusterMap } from '../web/src/scatter/map-clusters.js';
import { fitExtent } from '../web/src/points.js';
import { islandMap } from './island-maps.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FlagError, readCommandLine, wholeNumberOf } from './flags.js';

/** Adjusted Rand index of two labelings of the same points (integer ids, any range). */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>();
  const rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const k = `${a[i]},${b[i]}`;
    table.set(k, (table.get(k) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  const c2 = (m: number) => (m * (m - 1)) / 2;
  let index = 0;
  for (const m of table.values()) index += c2(m);
  let sa = 0;
  let sb = 0;
  for (const m of ra.values()) sa += c2(m);
  for (const m of rb.values()) sb += c2(m);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Share of the clustered points (cluster >= 0) that carry their cluster's most common label. */
export function purity(cluster: ArrayLike<number>, label: ArrayLike<number>): number {
  const counts = new Map<number, Map<number, number>>();
  let clustered = 0;
  for (let i = 0; i < cluster.length; i++) {
    if (cluster[i] < 0) continue;
    clustered++;
    const m = counts.get(cluster[i]) ?? new Map<number, number>();
    m.set(label[i], (m.get(label[i]) ?? 0) + 1);
    counts.set(cluster[i], m);
  }
  let dominant = 0;
  for (const m of counts.values()) dominant += Math.max(...m.values());
  return clustered ? dominant / clustered : 0;
}

interface Labelled {
  x: Float32Array;
  y: Float32Array;
  /** Each point's label as an integer id. */
  label: Int32Array;
  /** Distinct labels. */
  labels: number;
}

/** A run's map and labels (points.arrow). Throws when it has no label column. */
async function runOf(dir: string): Promise<Labelled> {
  const table = await readPoints(dir);
  const x = table.getChild('x')!.toArray() as Float32Array;
  const y = table.getChild('y')!.toArray() as Float32Array;
  const labelCol = table.getChild('label');
  if (!labelCol) throw new Error(`${dir}: points.arrow has no label column`);
  const names = new Map<string, number>();
  const label = Int32Array.from({ length: x.length }, (_, i) => {
    const s = String(labelCol.get(i));
    if (!names.has(s)) names.set(s, names.size);
    return names.get(s)!;
  });
  return { x, y, label, labels: names.size };
}

/** The synthetic map of n points in 10 islands `gap` point spacings apart, labelled by island. */
function islandsOf(n: number, gap: number): Labelled {
  const { x, y, truth } = islandMap(n, { gap });
  return { x, y, label: truth, labels: 10 };
}

/** A command-line argument: a synthetic map (islands:N[:GAP]) or a run directory with points.arrow; FlagError otherwise. */
function mapOf(arg: string): { islands: { n: number; gap: number } } | { dir: string } {
  if (arg.startsWith('islands:')) {
    const [n, gap, extra] = arg.slice('islands:'.length).split(':');
    const g = gap === undefined ? 2 : Number(gap);
    if (extra !== undefined || !(g > 0) || !/^[\d.]+$/.test(gap ?? '2')) {
      throw new FlagError(`${arg}: a synthetic map is islands:N or islands:N:GAP, GAP a positive number of point spacings`);
    }
    return { islands: { n: wholeNumberOf(n!, `${arg}: N`, 1), gap: g } };
  }
  if (!existsSync(join(arg, 'points.arrow'))) throw new FlagError(`${arg}: no points.arrow there, so not a finished run directory (or islands:N[:GAP])`);
  return { dir: arg };
}

async function main(): Promise<void> {
  const { args: dirs } = readCommandLine(import.meta.url, {}, { usage: 'RUN_DIR|islands:N[:GAP] ...', min: 1, max: Infinity }, {
    check: ({ args }) => args.forEach(mapOf),
  });
  const rows: string[][] = [['run', 'points', 'labels', 'clusters', 'ARI', 'ARI clustered', 'purity', 'clustered', 'side', 'blur', 'ms']];
  for (const dir of dirs) {
    const map = mapOf(dir);
    const { x, y, label, labels } = 'islands' in map ? islandsOf(map.islands.n, map.islands.gap) : await runOf(map.dir);
    const t0 = performance.now();
    const { assignment, clusters, side, blur } = clusterMap(x, y, fitExtent(x, y));
    const ms = performance.now() - t0;
    const inCluster = [...assignment.keys()].filter((i) => assignment[i] >= 0);
    rows.push([
      dir.split('/').filter(Boolean).pop()!,
      String(x.length),
      String(labels),
      String(clusters.length),
      adjustedRandIndex(assignment, label).toFixed(3),
      adjustedRandIndex(inCluster.map((i) => assignment[i]), inCluster.map((i) => label[i])).toFixed(3),
      purity(assignment, label).toFixed(3),
      (inCluster.length / x.length).toFixed(3),
      String(side),
      blur.toFixed(2),
      ms.toFixed(0),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) process.stdout.write(r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ') + '\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
