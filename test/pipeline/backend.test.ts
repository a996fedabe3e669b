import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../pipeline/backend.js';
import { isInputError } from '../../pipeline/errors.js';

async function tfjsNodeInstalled(): Promise<boolean> {
  try {
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it('auto picks tfjs-node when installed, else wasm, and says why', async () => {
    const info = await initBackend('auto');
    expect(tf.getBackend()).toBe(info.name);
    if (await tfjsNodeInstalled()) {
      expect(info.name).toBe('tensorflow');
    } else {
      expect(info.name).toBe('wasm');
      expect(info.notes.join(' ')).toMatch(/tfjs-node/);
    }
  });

  it('is idempotent for the same request', async () => {
    const a = await initBackend('wasm');
    const b = await initBackend('wasm');
    expect(b).toBe(a);
    expect(tf.getBackend()).toBe('wasm');
    // The wasm backend computes: a tiny product checks it is really running.
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2])));
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
  });

  it('--backend tensorflow without tfjs-node is an input error that says how to install it', async () => {
    if (await tfjsNodeInstalled()) return expect((await initBackend('tensorflow')).name).toBe('tensorflow');
    const err = await initBackend('tensorflow').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect((err as Error).message).toMatch(/backend/);
  });

  it('switches to the cpu backend when asked', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });
});
