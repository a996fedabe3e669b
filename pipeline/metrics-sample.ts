// A run's headline quality figures on a seeded sample of its rows, measured within the sample: the sample is
// treated as a dataset of its own, and every neighbourhood and rank is among its rows (as scikit-learn's
// trustworthiness(X[s], Y[s]) and a k-NN classifier on Y[s] would). Exact, whatever the run's size: its cost
// is s^2 x (the spaces' columns) distance work (a 10,000-row sample of 784-dimensional rows: about 8e10
// multiply-adds, through the float32 SIMD distance kernel of the neighbour search), not n x anything.
//
// Trustworthiness@k: Venna & Kaski (2001), as sklearn.manifold.trustworthiness defines it; k-NN preservation:
// the mean share of a row's k nearest in the reference among its k nearest in the other space; label
// accuracy: the majority label of a row's k map neighbours (ties: the label reached first, the nearer), and the
// same vote among its k nearest in the input and in the codes, the reference a map of this sample is judged by.

import { majorityLabel, missingLabel } from './metrics.js';
import type { Matrix, NeighbourhoodMetrics } from './types.js';
import { NeighborHeaps } from './tsne/knn/heap.js';
import { align16, ensureMemory, loadRows, sqDist, type LoadedRows } from './tsne/knn/kernel.js';
import { TILE } from './tsne/knn/exact.js';

export interface SampleQuality {
  /** The map against the input. */
  map: NeighbourhoodMetrics;
  /** The codes against the input (null without codes). */
  codes: NeighbourhoodMetrics | null;
  /** The map against the codes (null without codes). */
  mapVsCodes: NeighbourhoodMetrics | null;
  /** Of the labelled sampled rows, in the map (null when none is labelled or there are no labels). */
  labelAccuracy: number | null;
  /**
   * The same vote among each sampled row's k nearest in the input, and in the codes (null without codes): what
   * labels and neighbourhoods of this sample agree on before any map. The sample's k nearest are a coarser
   * neighbourhood the larger n is (about the k x n / s nearest of all rows), so these say what a map of this
   * sample can be expected to reach.
   */
  inputLabelAccuracy: number | null;
  codesLabelAccuracy: number | null;
}

/**
 * input (n x d), codes (n x c, or null), map (n x 2): the same n rows in three spaces; sample: row numbers
 * (distinct, at least k + 1 of them); labels: one per row of the n, or null. Neighbourhoods of size k among
 * the sampled rows only. Throws RangeError when the sample is too small for k.
 */
export function sampleQuality(input: Matrix, codes: Matrix | null, map: Matrix, labels: ArrayLike<string | number | null> | null, sample: Int32Array, k: number): SampleQuality {
  const spaces = sampleSpaces(input, codes, map, labels, sample, k);
  return sampleFigures(sampleSums(spaces, 0, spaces.input.rows), spaces);
}

/** The sampled rows of each space as matrices of their own (the sample's order), their labels and k: what sampleSums needs, and all a helper thread is sent. */
export interface SampleSpaces {
  input: Matrix;
  map: Matrix;
  codes: Matrix | null;
  /** The sampled rows' labels, in the sample's order; null when the run has none. */
  labels: (string | number | null)[] | null;
  k: number;
}

/** Fewest sampled rows for neighbourhoods of k: the trustworthiness formula's denominator needs 2s - 3k - 1 > 0. */
export function leastSampleRows(k: number): number {
  return Math.floor((3 * k + 1) / 2) + 1;
}

/** Gathers sampleQuality's arguments into SampleSpaces. Throws RangeError when the sample is too small for k. */
export function sampleSpaces(input: Matrix, codes: Matrix | null, map: Matrix, labels: ArrayLike<string | number | null> | null, sample: Int32Array, k: number): SampleSpaces {
  const s = sample.length;
  const least = leastSampleRows(k);
  if (k < 1 || s < least) throw new RangeError(`sampleQuality: k ${k} needs a sample of at least ${least} rows, got ${s}`);
  return {
    input: gather(input, sample),
    map: gather(map, sample),
    codes: codes ? gather(codes, sample) : null,
    labels: labels ? Array.from(sample, (r) => labels[r] ?? null) : null,
    k,
  };
}

/**
 * What sampleQuality adds up over sampled rows [from, to): per comparison (input-map, then input-codes and
 * codes-map) the trustworthiness penalty and the preserved neighbours; per space (input, map, codes) the correct
 * label votes; the labelled rows. Every sum is a whole number (held exactly in float64 far past any sample), so
 * the figures are the same however the rows are split among threads.
 */
export interface SampleSums {
  penalty: number[];
  preserved: number[];
  correct: number[];
  labelled: number;
}

export function sampleSums(spaces: SampleSpaces, from: number, to: number): SampleSums {
  const { k, labels } = spaces;
  const s = spaces.input.rows;
  const strided = [spaces.input, spaces.map, ...(spaces.codes ? [spaces.codes] : [])].map((m) => new StripDistances(m));
  const [I, M, C] = [0, 1, 2];
  const comparisons: [number, number][] = spaces.codes ? [[I, M], [I, C], [C, M]] : [[I, M]];
  const penalty = new Array<number>(comparisons.length).fill(0);
  const preserved = new Array<number>(comparisons.length).fill(0);
  const strips = strided.map(() => new Float64Array(TILE * s));
  const near = strided.map(() => new Int32Array(k));
  const nearDist = new Float64Array(k);
  const heap = new NeighborHeaps(1, k);
  const mark = new Int32Array(s).fill(-1);
  const intruders = new Float64Array(k);
  const counts = new Int32Array(k);
  const votes = new Map<string | number, number>();
  // correct votes per space (input, map, codes), in the spaces' order
  const correct = new Array<number>(strided.length).fill(0);
  let labelled = 0;
  for (let i0 = from; i0 < to; i0 += TILE) {
    const na = Math.min(to, i0 + TILE) - i0;
    strided.forEach((sp, t) => sp.strip(i0, na, strips[t]!));
    for (let a = 0; a < na; a++) {
      const i = i0 + a;
      const o = a * s;
      for (let t = 0; t < strided.length; t++) {
        const d = strips[t]!;
        heap.clear(0);
        const { bound } = heap;
        for (let j = 0; j < s; j++) if (j !== i && d[o + j]! <= bound[0]!) heap.push(0, d[o + j]!, j);
        heap.sortedRow(0, near[t]!, nearDist);
      }
      comparisons.forEach(([ref, other], c) => {
        for (const j of near[ref]!) mark[j] = i * 4 + c;
        let p = 0;
        for (const j of near[other]!) {
          if (mark[j] === i * 4 + c) preserved[c]! += 1;
          else intruders[p++] = strips[ref]![o + j]!;
        }
        if (p > 0) penalty[c]! += intrusion(strips[ref]!, o, s, i, intruders, p, counts, k);
      });
      if (labels) {
        const own = labels[i];
        if (missingLabel(own)) continue;
        labelled++;
        for (let t = 0; t < strided.length; t++) if (majorityLabel(near[t]!, (j) => labels[j], votes) === own) correct[t]!++;
      }
    }
  }
  return { penalty, preserved, correct, labelled };
}

/** Sums over disjoint row ranges, added. */
export function addSums(a: SampleSums, b: SampleSums): SampleSums {
  const add = (x: number[], y: number[]): number[] => x.map((v, t) => v + y[t]!);
  return { penalty: add(a.penalty, b.penalty), preserved: add(a.preserved, b.preserved), correct: add(a.correct, b.correct), labelled: a.labelled + b.labelled };
}

/** The figures of sums over every sampled row. */
export function sampleFigures(sums: SampleSums, spaces: SampleSpaces): SampleQuality {
  const { k, codes, labels } = spaces;
  const s = spaces.input.rows;
  const [I, M, C] = [0, 1, 2];
  const accuracy = (t: number): number | null => (labels && sums.labelled > 0 ? sums.correct[t]! / sums.labelled : null);
  const figures = (c: number): NeighbourhoodMetrics => ({
    trustworthiness: 1 - (2 * sums.penalty[c]!) / (s * k * (2 * s - 3 * k - 1)),
    knnPreservation: sums.preserved[c]! / (s * k),
  });
  return {
    map: figures(0),
    codes: codes ? figures(1) : null,
    mapVsCodes: codes ? figures(2) : null,
    labelAccuracy: accuracy(M),
    inputLabelAccuracy: accuracy(I),
    codesLabelAccuracy: codes ? accuracy(C) : null,
  };
}

/**
 * The trustworthiness penalty of row i's intruders (map neighbours that are not reference neighbours), given
 * their reference distances dist[0 .. p): the sum over them of (rank - k) where the rank is past k, the rank
 * of distance q being 1 + the number of other rows nearer than q in the reference (ties count in its favour).
 * One pass over the row's reference distances d[o .. o + s) for all p at once.
 */
function intrusion(d: Float64Array, o: number, s: number, i: number, dist: Float64Array, p: number, counts: Int32Array, k: number): number {
  const q = dist.subarray(0, p).sort();
  counts.fill(0);
  const far = q[p - 1]!;
  for (let m = 0; m < s; m++) {
    const dm = d[o + m]!;
    if (dm >= far || m === i) continue;
    // the first intruder farther than row m: m is nearer than it and every later one
    let t = 0;
    while (dm >= q[t]!) t++;
    counts[t]!++;
  }
  let nearer = 0;
  let penalty = 0;
  for (let t = 0; t < p; t++) {
    nearer += counts[t]!;
    if (nearer + 1 > k) penalty += nearer + 1 - k;
  }
  return penalty;
}

/** The sampled rows of m, in the sample's order. */
function gather(m: Matrix, sample: Int32Array): Matrix {
  const { cols } = m;
  const values = new Float32Array(sample.length * cols);
  for (let r = 0; r < sample.length; r++) values.set(m.values.subarray(sample[r]! * cols, (sample[r]! + 1) * cols), r * cols);
  return { rows: sample.length, cols, values };
}

/**
 * Squared distances from a strip of rows to every row: through the SIMD kernel in float32 (four lanes, twice the
 * float64 kernel's throughput; relative error about 1e-6), or in plain JavaScript where SIMD is missing.
 */
class StripDistances {
  private readonly loaded: LoadedRows | null;
  private readonly out: number;
  constructor(private readonly m: Matrix) {
    this.loaded = loadRows(m, 'f32', m.rows + 4);
    this.out = 0;
    if (this.loaded) {
      this.out = align16(this.loaded.list + 4 * (m.rows + 4));
      ensureMemory(this.loaded.k, this.out + 8 * TILE * TILE);
    }
  }
  /** out[a * n + j] = |row (i0 + a) - row j|^2 for a < na, j < n. */
  strip(i0: number, na: number, out: Float64Array): void {
    const { rows: n, cols, values } = this.m;
    if (!this.loaded) {
      for (let a = 0; a < na; a++) for (let j = 0; j < n; j++) out[a * n + j] = sqDist(values, i0 + a, j, cols);
      return;
    }
    const { k: kern, rows, list } = this.loaded;
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const nb = Math.min(n, j0 + TILE) - j0;
      kern.block(rows, list + 4 * i0, na, list + 4 * j0, nb, this.out, 0);
      const d = new Float64Array(kern.memory.buffer, this.out, na * nb);
      for (let a = 0; a < na; a++) out.set(d.subarray(a * nb, (a + 1) * nb), a * n + j0);
    }
  }
}
