#!/usr/bin/env node
// Builds the browser viewer: bundles web/src/main.ts (with d3 and apache-arrow) into web/dist/main.js and the
// clusters worker web/src/workers/clusters-worker.ts into web/dist/clusters-worker.js (a classic worker script,
// which every browser the bundle targets runs; the page starts it by its URL beside main.js), minified, with
// sourcemaps, and copies web/index.html and web/styles.css beside them.
// Runs from `npm run build` and from `npm install` (the "prepare" script).
//
//   node scripts/build-web.js            one build
//   node scripts/build-web.js --watch    rebuild on change (development)
//   node scripts/build-web.js --no-minify
//   node scripts/build-web.js --outdir DIR   build somewhere else (tests build into a temp dir)
//
// No inline scripts and no CDN: the server's content security policy only allows 'self'.
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const argv = process.argv.slice(2);
const outArg = argv.indexOf('--outdir');
const outDir = outArg >= 0 && argv[outArg + 1] ? resolve(argv[outArg + 1]) : join(webDir, 'dist');
const entry = join(webDir, 'src', 'main.ts');
/** Web Workers, each bundled on its own into web/dist/<name>.js (app/cluster-finder.ts starts it). */
const WORKERS = [join(webDir, 'src', 'workers', 'clusters-worker.ts')];
/** Static files copied verbatim into web/dist (when present). */
const STATIC_FILES = ['index.html', 'styles.css', 'favicon.svg'];

const args = new Set(argv);
const watch = args.has('--watch');
const minify = !args.has('--no-minify');

async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function copyStatic() {
  for (const name of STATIC_FILES) {
    const from = join(webDir, name);
    if (await exists(from)) await copyFile(from, join(outDir, name));
  }
}

async function main() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    // A production install (npm install --omit=dev) has no esbuild; the prepare script must not fail it.
    console.warn('build-web: esbuild is not installed (dev dependency); skipping the viewer build.');
    return 0;
  }
  if (!(await exists(entry))) {
    console.error(`build-web: ${entry} does not exist; nothing to bundle.`);
    return 1;
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await copyStatic();

  const shared = {
    bundle: true,
    platform: 'browser',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  // module workers came to Firefox only in 114: the workers are classic scripts (an IIFE, no imports)
  const workers = { ...shared, entryPoints: WORKERS, outdir: outDir, entryNames: '[name]', format: 'iife' };
  const options = {
    ...shared,
    entryPoints: [entry],
    outfile: join(outDir, 'main.js'),
    format: 'esm',
  };

  const started = performance.now();
  if (watch) {
    const ctx = await esbuild.context({
      ...options,
      plugins: [{ name: 'copy-static', setup: (b) => b.onEnd(() => copyStatic()) }],
    });
    await ctx.watch();
    await (await esbuild.context(workers)).watch();
    console.log(`build-web: watching ${entry} → ${outDir}`);
    return null;
  }
  await Promise.all([esbuild.build(options), esbuild.build(workers)]);
  const files = await readdir(outDir);
  let bytes = 0;
  for (const f of files) bytes += (await stat(join(outDir, f))).size;
  const ms = Math.round(performance.now() - started);
  console.log(`build-web: ${outDir} (${files.length} files, ${(bytes / 1024).toFixed(0)} KiB) in ${ms} ms`);
  return 0;
}

main().then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err) => {
    console.error(`build-web: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  },
);
