// The Node flags the server's process starts with, and the one way it gets them. `--expose-gc`: the memory
// budget (memory-budget.ts) asks V8 for a full collection when the process stays past its bound with a large
// main heap. Node's documentation calls v8.setFlagsFromString() after start-up unsupported ("may result in
// unpredictable behavior, including crashes and data loss; or it may simply do nothing"), so the flag must be
// on Node's own command line. `latentmap serve` (bin/latentmap.js, however installed: npm's bin link, npx,
// `node bin/latentmap.js`) and `npm start` (scripts/start.js) therefore run `serve` in a Node that has it: when
// the current one lacks it, in a child Node started with it (same script and arguments, stdio shared, SIGINT,
// SIGTERM and SIGHUP passed on, its exit code returned). A server created in-process without the flag (tests,
// the library) gets no forced collections: its budget holds by evicting the run cache alone, and serve() says
// which of the two it runs with.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Flags the server's Node is started with. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/** Set in the child's environment: the child never starts another one (should the flag not give it gc). */
export const RELAUNCHED_ENV = 'LATENTMAP_SERVER_NODE_FLAGS';

/** Signals passed on to the child (the ones serve() and process managers use to stop a server). */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** V8's full garbage collection as `--expose-gc` gives it, or null when this Node was started without it. */
export function exposedGc(): (() => void) | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as () => void) : null;
}

/**
 * Whether this process must start a child Node with SERVER_NODE_FLAGS to serve: gc is not exposed here, and
 * this process is not itself such a child.
 */
export function needsRelaunch(env: NodeJS.ProcessEnv = process.env, gc: (() => void) | null = exposedGc()): boolean {
  return gc === null && env[RELAUNCHED_ENV] !== '1';
}

/**
 * Runs `node [this Node's own flags] SERVER_NODE_FLAGS script ...args` with stdio shared and the stop signals
 * passed on; resolves with its exit code (128 + the signal's number when a signal ended it, as a shell reports).
 */
export function relaunch(script: string, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...SERVER_NODE_FLAGS, script, ...args], {
    stdio: 'inherit',
    env: { ...process.env, [RELAUNCHED_ENV]: '1' },
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

