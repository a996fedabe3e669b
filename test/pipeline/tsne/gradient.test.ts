import { describe, expect, it } from 'vitest';
import { exactRepulsion } from '../../../pipeline/tsne/gradient-exact.js';
import {
  QuadTree,
  TreeOverflowError,
  bhChunk,
  bhChunks,
  bhRepulsion,
  sharedTreeBuffers,
} from '../../../pipeline/tsne/gradient-bh.js';
import { fftRepulsion } from '../../../pipeline/tsne/gradient-fft.js';
import { autoForces } from '../../../pipeline/tsne/gradient-auto.js';
import { parallelForces } from '../../../pipeline/tsne/forces-parallel.js';
import { forcesFor, inputAffinities } from '../../../pipeline/tsne/tsne.js';
import { attraction } from '../../../pipeline/tsne/forces.js';
import { blobs, layout, relativeError } from './fixtures.js';

function brute(y: Float64Array, n: number): { f: Float64Array; z: number } {
  const f = new Float64Array(2 * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      f[2 * i]! += q * q * dx;
      f[2 * i + 1]! += q * q * dy;
    }
  }
  return { f, z };
}

describe('repulsion methods share one contract and agree with exact', () => {
  it('exact matches a direct double sum', () => {
    const y = layout(200, 10, 1);
    const out = new Float64Array(400);
    const z = exactRepulsion(y, 200, out);
    const ref = brute(y, 200);
    expect(z).toBeCloseTo(ref.z, 8);
    expect(relativeError(out, ref.f)).toBeLessThan(1e-12);
  });

  it('Barnes-Hut with theta 0 is exact, up to the float32 sums of its interaction kernel', () => {
    const y = layout(300, 10, 2);
    const ex = new Float64Array(600);
    const ze = exactRepulsion(y, 300, ex);
    const out = new Float64Array(600);
    const z = bhRepulsion(0)(y, 300, out);
    expect(Math.abs(z - ze) / ze).toBeLessThan(1e-6);
    expect(relativeError(out, ex)).toBeLessThan(1e-5);
  });

  for (const spread of [1, 10, 25]) {
    it(`Barnes-Hut (theta 0.5) and FFT are within a few percent of exact (map spread ${spread})`, () => {
      const n = 1000;
      const y = layout(n, spread, 3 + spread);
      const ex = new Float64Array(2 * n);
      const ze = exactRepulsion(y, n, ex);
      for (const method of [bhRepulsion(0.5), fftRepulsion()]) {
        const out = new Float64Array(2 * n);
        const z = method(y, n, out);
        expect(Math.abs(z - ze) / ze).toBeLessThan(0.02);
        expect(relativeError(out, ex)).toBeLessThan(0.06);
      }
    });
  }

  it('Barnes-Hut reusing its tree for another input gives the numbers of a fresh one', () => {
    const bh = bhRepulsion(0.5);
    const a = layout(1500, 10, 51);
    bh(a, 1500, new Float64Array(3000));
    for (const [n, spread] of [[600, 3], [2500, 40]] as const) {
      const y = layout(n, spread, 52 + n);
      const out = new Float64Array(2 * n);
      const ref = new Float64Array(2 * n);
      expect(bh(y, n, out)).toBe(bhRepulsion(0.5)(y, n, ref));
      expect(out).toEqual(ref);
    }
  });

  it('a quadtree in shared buffers gives the forces of one with its own arrays, and refuses to outgrow them', () => {
    const n = 2000;
    const y = layout(n, 15, 61);
    const own = new QuadTree(y, n);
    const buffers = sharedTreeBuffers(n);
    const builder = new QuadTree(y, n, buffers);
    builder.rebuild(y, n);
    // another view of the same buffers, as the thread that did not build sees them
    const shared = new QuadTree(y, n, buffers);
    shared.attach(y, n, builder.nodes, builder.groups);
    const a = new Float64Array(2 * n);
    const b = new Float64Array(2 * n);
    let za = 0;
    let zb = 0;
    for (let c = 0; c < bhChunks(own); c++) za += bhChunk(own, 0.5, c, a);
    for (let c = 0; c < bhChunks(shared); c++) zb += bhChunk(shared, 0.5, c, b);
    expect(zb).toBe(za);
    expect(b).toEqual(a);
    const small = { ...sharedTreeBuffers(n), capacity: 8 };
    for (const k of ['comX', 'comY', 'halfWidth'] as const) small[k] = new SharedArrayBuffer(8 * 8);
    for (const k of ['count', 'start', 'child'] as const) small[k] = new SharedArrayBuffer(4 * 8);
    expect(() => new QuadTree(y, n, small).rebuild(y, n)).toThrow(TreeOverflowError);
  });

  it('finer FFT grids converge to exact', () => {
    const n = 800;
    const y = layout(n, 5, 9);
    const ex = new Float64Array(2 * n);
    exactRepulsion(y, n, ex);
    const coarse = new Float64Array(2 * n);
    const fine = new Float64Array(2 * n);
    fftRepulsion({ boxesPerUnit: 0.5, minBoxes: 10 })(y, n, coarse);
    fftRepulsion({ boxesPerUnit: 2, minBoxes: 60, nodesPerBox: 4 })(y, n, fine);
    expect(relativeError(fine, ex)).toBeLessThan(relativeError(coarse, ex) / 3);
    expect(relativeError(fine, ex)).toBeLessThan(2e-3);
  });

  it('duplicate points give finite forces with every method', () => {
    const n = 50;
    const y = new Float64Array(2 * n); // all at the origin
    for (const method of [exactRepulsion, bhRepulsion(0.5), fftRepulsion()]) {
      const out = new Float64Array(2 * n);
      const z = method(y, n, out);
      expect(z).toBeCloseTo(n * (n - 1), 3);
      for (const v of out) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('auto takes FFT for many points on a compact map and Barnes-Hut for few or spread-out points', () => {
    const big = layout(40000, 3, 21);
    const auto = autoForces(0.5);
    const out = new Float64Array(80000);
    const ref = new Float64Array(80000);
    expect(auto.repulsion(big, 40000, out)).toBe(fftRepulsion()(big, 40000, ref));
    expect(out).toEqual(ref);
    const small = layout(500, 30, 22);
    const out2 = new Float64Array(1000);
    const ref2 = new Float64Array(1000);
    expect(auto.repulsion(small, 500, out2)).toBe(bhRepulsion(0.5)(small, 500, ref2));
    expect(out2).toEqual(ref2);
    expect(auto.usage).toEqual({ fft: 1, bh: 1 });
    auto.dispose();
  });

  it('Barnes-Hut with a helper thread gives the serial forces and the same Z on every call', () => {
    const n = 6000;
    const y = layout(n, 20, 31);
    const serial = new Float64Array(2 * n);
    const zs = bhRepulsion(0.5)(y, n, serial);
    const par = parallelForces('bh', 0.5, 1000);
    const first = new Float64Array(2 * n);
    const z1 = par.repulsion(y, n, first);
    try {
      expect(first).toEqual(serial);
      expect(z1).toBe(zs);
      for (let r = 0; r < 5; r++) {
        const again = new Float64Array(2 * n);
        expect(par.repulsion(y, n, again)).toBe(z1);
        expect(again).toEqual(serial);
      }
    } finally {
      par.dispose();
    }
    // after dispose it still answers, in this thread alone, with the same numbers
    const after = new Float64Array(2 * n);
    expect(par.repulsion(y, n, after)).toBe(z1);
    expect(after).toEqual(serial);
  });

  it('the FFT repulsion on the helper thread gives the numbers of fftRepulsion()', () => {
    const n = 5000;
    const y = layout(n, 8, 41);
    const ref = new Float64Array(2 * n);
    const zr = fftRepulsion()(y, n, ref);
    const par = parallelForces('fft', 0.5, 1000);
    try {
      for (let r = 0; r < 3; r++) {
        const out = new Float64Array(2 * n);
        expect(par.repulsion(y, n, out)).toBe(zr);
        expect(out).toEqual(ref);
      }
    } finally {
      par.dispose();
    }
  });
});

describe('every force method answers through the one Forces contract', () => {
  it('exact, Barnes-Hut, FFT and auto evaluate the same attraction and pLogQ and a repulsion near exact (helper thread in use)', () => {
    const n = 5000;
    const { x } = blobs(n, 6, 4, 51);
    const p = inputAffinities(x, 15, 1);
    const y = layout(n, 8, 52);
    const refAttr = new Float64Array(2 * n);
    const refPLogQ = attraction(y, p, n, refAttr, true);
    const exact = forcesFor('exact', 0.5);
    const exRep = new Float64Array(2 * n);
    const exAttr = new Float64Array(2 * n);
    const ex = exact.evaluate(y, n, p, exRep, exAttr, true);
    expect(ex.pLogQ).toBe(refPLogQ);
    expect(exAttr).toEqual(refAttr);
    expect(refPLogQ).toBeLessThan(0);
    for (const method of ['bh', 'fft', 'auto'] as const) {
      const forces = forcesFor(method, 0.5);
      try {
        forces.prestart(n);
        for (const computeKl of [true, false]) {
          const rep = new Float64Array(2 * n);
          const attr = new Float64Array(2 * n);
          const { z, pLogQ } = forces.evaluate(y, n, p, rep, attr, computeKl);
          expect(attr, method).toEqual(refAttr);
          expect(pLogQ, method).toBe(computeKl ? refPLogQ : 0);
          expect(Math.abs(z - ex.z) / ex.z, method).toBeLessThan(0.01);
          expect(relativeError(rep, exRep), method).toBeLessThan(0.03);
          // repulsion alone gives the evaluation's repulsion
          const alone = new Float64Array(2 * n);
          expect(forces.repulsion(y, n, alone)).toBe(z);
          expect(alone).toEqual(rep);
        }
        expect(forces.usage === null).toBe(method !== 'auto');
      } finally {
        forces.dispose();
      }
    }
  });
});
