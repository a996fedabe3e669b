// How the server's process is started: the Node flags and allocator settings it needs, and the one way it gets
// them (they must be there when the process starts).
//
// `--expose-gc`: the memory budget (memory-budget.ts) asks V8 for a full collection when the process stays past
// its bound with a large main heap. Node's documentation calls v8.setFlagsFromString() after start-up
// unsupported ("may result in unpredictable behavior, including crashes and data loss; or it may simply do
// nothing"), so the flag must be on Node's own command line.
//
// glibc's allocator settings (read once, when the process starts; other C libraries ignore them): buffers of
// 128 KiB and more (Arrow columns, PNGs, compressed bodies, 256 kB socket writes) are mapped on their own and
// given back to the system when freed (MALLOC_MMAP_THRESHOLD_, which also stops glibc from raising that
// threshold to 32 MiB after the first big buffer is freed, when they start to fill its heaps instead), and the
// threads (two workers, libuv's pool, V8's helpers) share two heaps instead of up to eight per core
// (MALLOC_ARENA_MAX). Without them, the memory freed by the run cache's evictions and by finished requests stayed
// in glibc's heaps: bench:server's native memory (RSS less V8's heaps and buffers) grew by about 200 MB over its
// phases and the process reached 731 MB against its 737 MB bound with the cache at its floor; with them it gives
// memory back between phases and the same bound leaves the cache 200 MB instead of 30 (README, the server under
// load).
//
// `latentmap serve` (bin/latentmap.js, however installed: npm's bin link, npx, `node bin/latentmap.js`) and
// `npm start` (scripts/start.js) therefore run `serve` in a Node that has them: when the current one lacks the
// flag or the environment, in a child Node started with both (same script and arguments, stdio shared, SIGINT,
// SIGTERM and SIGHUP passed on, its exit code returned). An allocator setting already in the environment is
// kept as given. A server created in-process without the flag (tests, the library) gets no forced collections:
// its budget holds by evicting the run cache alone, and serve() says which of the two it runs with.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Flags the server's Node is started with. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/** glibc allocator settings of the server's process (see above), unless the environment sets them already. */
export const SERVER_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' };

/** The server's environment: `env` with SERVER_NODE_ENV's settings it does not make itself. */
export function serverEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(SERVER_NODE_ENV)) if (out[k] === undefined) out[k] = v;
  return out;
}

/**
 * Set in the child's environment to the allocator settings the parent added (comma separated, maybe none): the
 * child never starts another one (should the flag not give it gc), and its jobs run without them (withoutServerEnv).
 */
export const RELAUNCHED_ENV = 'LATENTMAP_SERVER_NODE_FLAGS';

/**
 * `env` without what serverEnv() added to it (the settings named by RELAUNCHED_ENV, and that variable): a job the
 * server starts runs in the environment `latentmap run` would have at the terminal.
 */
export function withoutServerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of (out[RELAUNCHED_ENV] ?? '').split(',')) if (k in SERVER_NODE_ENV) delete out[k];
  delete out[RELAUNCHED_ENV];
  return out;
}

/** Signals passed on to the child (the ones serve() and process managers use to stop a server). */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** V8's full garbage collection as `--expose-gc` gives it, or null when this Node was started without it. */
export function exposedGc(): (() => void) | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : null;
}

/**
 * Whether this process must start a child Node to serve: gc is not exposed here or an allocator setting of
 * SERVER_NODE_ENV is missing from its environment, and this process is not itself such a child.
 */
export function needsRelaunch(env: NodeJS.ProcessEnv = process.env, gc: (() => void) | null = exposedGc()): boolean {
  if (env[RELAUNCHED_ENV] !== undefined) return false;
  return gc === null || Object.keys(SERVER_NODE_ENV).some((k) => env[k] === undefined);
}

/**
 * Runs `node [this Node's own flags] SERVER_NODE_FLAGS script ...args` in serverEnv() with stdio shared and the
 * stop signals passed on; resolves with its exit code (128 + the signal's number when a signal ended it, as a
 * shell reports).
 */
export function relaunch(script: string, args: readonly string[]): Promise<number> {
  const flags = SERVER_NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
  const child = spawn(process.execPath, [...process.execArgv, ...flags, script, ...args], {
    stdio: 'inherit',
    env: { ...serverEnv(), [RELAUNCHED_ENV]: Object.keys(SERVER_NODE_ENV).filter((k) => process.env[k] === undefined).join(',') },
  });
  const pass = (signal: NodeJS.Signals): void => {
    // A terminal's Ctrl-C reaches both processes; the server treats a second stop signal like the first.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, pass);
  return new Promise<number>((resolve, reject) => {
    child.once('error', (err) => {
      for (const s of FORWARDED) process.off(s, pass);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, pass);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

