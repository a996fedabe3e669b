// FIt-SNE (KlugerLab/FIt-SNE, built from its public source with Debian's libfftw3-dev: see the top of
// bench/scale.ts) as bench:scale and bench:tsne-schedule run it: its Python wrapper on codes written as raw
// float32, 2 threads, its default schedule, timed inside Python (wall and CPU seconds of the fast_tsne call, the
// binary's included). Benchmark only. Each caller runs the script its own way (one measures peak memory too).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../pipeline/types.js';

export interface FitsneJob {
  /** The Python script to run with /usr/bin/python3 -c, working directory `dir`, OMP_NUM_THREADS=2 in its env. */
  script: string;
  /** Reads the map the script wrote: [n x 2] interleaved. */
  readMap: () => Float32Array;
}

/** Writes the codes into dir and returns the script that maps them. Throws when fitsneDir has no bin/fast_tsne. */
export function fitsneJob(fitsneDir: string, codes: Matrix, seed: number, dir: string): FitsneJob {
  if (!existsSync(join(fitsneDir, 'bin/fast_tsne'))) throw new Error(`--fitsne ${fitsneDir}: no bin/fast_tsne there (build it: see the top of bench/scale.ts)`);
  const raw = join(dir, 'codes.f32');
  writeFileSync(raw, codes.values);
  const out = join(dir, 'fitsne.f64');
  const script = [
    'import sys, time, resource, numpy as np',
    `sys.path.insert(0, ${JSON.stringify(fitsneDir)})`,
    'from fast_tsne import fast_tsne',
    `X = np.fromfile(${JSON.stringify(raw)}, dtype=np.float32).reshape(${codes.rows}, ${codes.cols}).astype(np.float64)`,
    'cpu = lambda: sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))',
    't0 = time.time(); c0 = cpu()',
    `Z = fast_tsne(X, perplexity=30, max_iter=1000, nthreads=2, seed=${seed})`,
    'sys.stderr.write("fitsne seconds %.2f cpu %.2f\\n" % (time.time() - t0, cpu() - c0))',
    `np.ascontiguousarray(Z, dtype=np.float64).tofile(${JSON.stringify(out)})`,
  ].join('\n');
  return { script, readMap: () => Float32Array.from(new Float64Array(readFileSync(out).buffer.slice(0))) };
}

/** The wall and CPU seconds the script printed on stderr; null where it printed none. */
export function fitsneSeconds(stderr: string): { seconds: number | null; cpuSeconds: number | null } {
  const hit = /fitsne seconds ([\d.]+) cpu ([\d.]+)/.exec(stderr);
  return { seconds: hit ? Number(hit[1]) : null, cpuSeconds: hit ? Number(hit[2]) : null };
}
