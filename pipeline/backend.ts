// TensorFlow.js backend selection: tfjs-node when it is installed, else WebAssembly (SIMD build), else plain JS.
// Called once per process before any tensor is made; later calls with the same request are no-ops.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { InputError } from './errors.js';
import type { Backend } from './types.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend that actually runs. */
  name: BackendName;
  /** What was tried and why it was or was not used (for the run's manifest notes). */
  notes: string[];
}

const TFJS_NODE = '@tensorflow/tfjs-node';
const INSTALL_HINT = `install it with \`npm install ${TFJS_NODE}@4.22.0\` (it downloads a native TensorFlow binary), or use --backend wasm`;

let current: { requested: Backend; info: BackendInfo } | null = null;
let pending: Promise<BackendInfo> | null = null;
let wasmPathsSet = false;

/**
 * Selects and initializes the TensorFlow.js backend.
 * - auto: tfjs-node if it can be imported, else wasm, else cpu;
 * - tensorflow: tfjs-node or an InputError saying how to install it;
 * - wasm / cpu: that backend (wasm failing to start is an Error).
 * Idempotent: a second call with the same request returns the first result; a call with a different
 * request switches the backend (tensors made on the old backend must not be used afterwards).
 */
export async function initBackend(requested: Backend): Promise<BackendInfo> {
  // Production mode: no debug checks, and no console hints from tfjs ("Hi, looks like you are running
  // TensorFlow.js in Node.js..."), which would break --log-format json. We report the backend ourselves.
  tf.env().set('PROD', true);
  if (current && current.requested === requested && tf.getBackend() === current.info.name) {
    return current.info;
  }
  if (pending) await pending.catch(() => undefined);
  if (current && current.requested === requested && tf.getBackend() === current.info.name) {
    return current.info;
  }
  pending = select(requested);
  try {
    const info = await pending;
    current = { requested, info };
    return info;
  } finally {
    pending = null;
  }
}

async function select(requested: Backend): Promise<BackendInfo> {
  const notes: string[] = [];
  if (requested === 'tensorflow' || requested === 'auto') {
    const error = await tryTfjsNode();
    if (error === null) return { name: 'tensorflow', notes };
    if (requested === 'tensorflow') {
      throw new InputError(`the tensorflow backend needs ${TFJS_NODE}, which is not installed here (${error}); ${INSTALL_HINT}`, {
        field: 'backend',
      });
    }
    notes.push(`${TFJS_NODE} not available (${error}); using WebAssembly`);
  }
  if (requested === 'wasm' || requested === 'auto') {
    try {
      await useWasm();
      return { name: 'wasm', notes };
    } catch (err) {
      if (requested === 'wasm') throw new Error(`the wasm backend failed to start: ${message(err)}`, { cause: err });
      notes.push(`the wasm backend failed to start (${message(err)}); using the plain JavaScript cpu backend`);
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the TensorFlow.js cpu backend failed to start');
  await tf.ready();
  return { name: 'cpu', notes };
}

/** Imports tfjs-node (which registers the 'tensorflow' backend); returns null on success or why it failed. */
async function tryTfjsNode(): Promise<string | null> {
  try {
    // A variable specifier keeps bundlers and the type checker from requiring the optional package.
    const specifier = TFJS_NODE;
    await import(specifier);
    if (!(await tf.setBackend('tensorflow'))) return 'its backend did not initialize';
    await tf.ready();
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
    // The message goes into run manifests, which the server shows: keep file paths out of it.
    return message(err).split('\n')[0]!.replace(/(\/[^\s'"]+)+/g, '<path>').slice(0, 200);
  }
}

async function useWasm(): Promise<void> {
  if (!wasmPathsSet) {
    // The .wasm binaries ship inside the package; point the loader at them on disk (no fetch in Node).
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    setWasmPaths(dir + path.sep);
    wasmPathsSet = true;
  }
  // The multi-threaded build is disabled by tfjs in Node (tfjs issue 3830); forcing it on measured ~40x slower
  // matrix products here, so the single-threaded SIMD build is used.
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
