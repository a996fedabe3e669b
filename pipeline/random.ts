// Seeded pseudo-random numbers. Every stochastic stage takes a seed and draws from here,
// so the same seed gives the same run.

/** A generator of uniform floats in [0, 1). */
export interface Random {
  (): number;
  /** Standard normal draw (Box-Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/**
 * The seed of a named sub-stream of a run's seed: deriveSeed(seed, 'pca'), deriveSeed(seed, 'tsne-init').
 * Every stochastic stage draws from its own stream, so adding or reordering stages never changes another
 * stage's numbers. FNV-1a hash of the name, mixed with the seed by murmur3's 32-bit finalizer; a uint32.
 */
export function deriveSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    h ^= stream.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = (h ^ Math.imul((Math.floor(seed) >>> 0) ^ 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, 32-bit state, good enough statistics for sampling and initialization. */
export function createRandom(seed: number): Random {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = next as Random;
  rng.normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  rng.int = (n: number) => Math.floor(next() * n);
  return rng;
}

/** Fisher-Yates shuffle of 0..n-1 with the given generator. */
export function permutation(n: number, random: Random): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
