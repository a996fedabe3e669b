// Synthetic 2-D maps shaped like a converged t-SNE map of well separated groups, for the cluster finder
// (web/src/scatter/mode-clusters.ts): islands of near-flat density with soft edges, packed with thin gaps.
// t-SNE gives each point about the same area, so an island's radius grows with the square root of its
// points while the gaps between islands stay a few point spacings wide: on a big map the gaps are a
// tiny share of its extent (at 200,000 points about 0.3 %), which a coarse density grid blurs shut.
// Deterministic for a seed.

export interface IslandMap {
  x: Float32Array;
  y: Float32Array;
  /** Each point's island, 0..islands-1. */
  truth: Int32Array;
}

export interface IslandOptions {
  /** Islands (default 10). */
  islands?: number;
  /** Gap between neighbouring islands' edges, in point spacings (default 2). */
  gap?: number;
  /** Seed of the generator (default 1). */
  seed?: number;
}

/**
 * n points in `islands` equal islands (points spread one per unit area, edges softened by a Gaussian of
 * 0.5 units), laid out on a hexagonal pattern with `gap` units between neighbouring edges. Coordinates in
 * units of the mean point spacing.
 */
export function islandMap(n: number, options: IslandOptions = {}): IslandMap {
  const k = options.islands ?? 10;
  const gap = options.gap ?? 2;
  let s = (options.seed ?? 1) >>> 0 || 1;
  // mulberry32
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const sizes = Array.from({ length: k }, (_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
  const radius = Math.sqrt(n / k / Math.PI);
  const pitch = 2 * radius + gap;
  const cols = Math.ceil(Math.sqrt(k));
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const truth = new Int32Array(n);
  let i = 0;
  for (let c = 0; c < k; c++) {
    const row = Math.floor(c / cols);
    const col = c % cols;
    const cx = (col + (row % 2) * 0.5) * pitch;
    const cy = row * pitch * (Math.sqrt(3) / 2);
    for (let m = 0; m < sizes[c]; m++, i++) {
      const a = 2 * Math.PI * rand();
      const d = radius * Math.sqrt(rand());
      x[i] = cx + d * Math.cos(a) + 0.5 * gauss();
      y[i] = cy + d * Math.sin(a) + 0.5 * gauss();
      truth[i] = c;
    }
  }
  return { x, y, truth };
}
