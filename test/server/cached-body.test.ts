// Compressed variants of a cached body are kept in buffers of their own size: zlib's output is a view of its
// whole output chunk, which the cache would hold uncounted and a worker's reply would copy instead of moving.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cachedBody, compressSync } from '../../server/cached-body.js';
import { transferables } from '../../server/read-tasks.js';

/** A compressible body of `n` bytes (a repeating pattern with some variety). */
function body(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i % 97) ^ (i >> 12);
  return b;
}

const ownsItsBuffer = (b: Uint8Array): boolean => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

describe('compressed variants', () => {
  it('compressSync (the worker thread) gives variants that own exactly their bytes, so a reply moves them', () => {
    const identity = body(300_000);
    const v = compressSync(identity);
    expect(v.gzip).not.toBeNull();
    expect(v.br).not.toBeNull();
    // far smaller than zlib's output chunk (the body's size), and alone in its buffer
    expect(v.gzip!.byteLength).toBeLessThan(identity.length / 10);
    expect(ownsItsBuffer(v.gzip!)).toBe(true);
    expect(ownsItsBuffer(v.br!)).toBe(true);
    expect(gunzipSync(v.gzip!).equals(identity)).toBe(true);
    expect(brotliDecompressSync(v.br!).equals(identity)).toBe(true);
    // the compress task's reply: every variant is moved, none copied
    const reply = { ok: true as const, variants: [v, compressSync(body(100_000))] };
    expect(transferables(reply as never)).toHaveLength(4);
  });

  it('cachedBody (the event loop, libuv\'s thread pool) alike', async () => {
    const identity = body(200_000);
    const b = await cachedBody(identity, 'application/octet-stream');
    expect(ownsItsBuffer(b.gzip!)).toBe(true);
    expect(ownsItsBuffer(b.br!)).toBe(true);
    expect(gunzipSync(b.gzip!).equals(identity)).toBe(true);
  });
});
