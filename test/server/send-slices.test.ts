// Large bodies go to their sockets a slice at a time, at most TURN_BUDGET bytes per turn of the event loop over
// every response in flight, so a body handed to fifty waiting clients at once does not hold the loop.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DIRECT_MAX, endInSlices, SLICE, SliceQueue, TURN_BUDGET } from '../../server/send-slices.js';

/** A response that records what it is given; `full` says whether write() reports a full socket. */
class FakeResponse extends EventEmitter {
  chunks: Buffer[] = [];
  ended = false;
  destroyed = false;
  full = false;
  write(b: Buffer): boolean {
    this.chunks.push(b);
    return !this.full;
  }
  end(b: Buffer): void {
    this.chunks.push(b);
    this.ended = true;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A queue whose turns the test runs one at a time. */
function manual(): { q: SliceQueue; turn: () => boolean } {
  const turns: Array<() => void> = [];
  const q = new SliceQueue((fn) => turns.push(fn));
  return { q, turn: () => (turns.length > 0 ? (turns.shift()!(), true) : false) };
}
function body(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

describe('endInSlices', () => {
  it('writes a small body at once', () => {
    const res = new FakeResponse();
    manual().q.end(res as unknown as ServerResponse, body(DIRECT_MAX, 1));
    expect(res.ended).toBe(true);
    expect(res.chunks).toHaveLength(1);
  });

  it('hands at most TURN_BUDGET bytes a turn to all responses together, round-robin, and completes each body intact', async () => {
    const size = 4 * SLICE;
    const sent = Array.from({ length: 10 }, (_, k) => body(size, k));
    const res = sent.map(() => new FakeResponse());
    const { q, turn } = manual();
    sent.forEach((b, k) => q.end(res[k] as unknown as ServerResponse, b));
    // nothing is written in the tick of the call: the waiting requests' handlers all return first
    expect(res.every((r) => r.chunks.length === 0)).toBe(true);
    const written = (): number => res.reduce((s, r) => s + r.bytes.length, 0);
    let before = 0;
    let turns = 0;
    while (res.some((r) => !r.ended)) {
      expect(turn()).toBe(true);
      turns++;
      const now = written();
      expect(now - before).toBeLessThanOrEqual(TURN_BUDGET);
      before = now;
      expect(turns).toBeLessThan(1000);
    }
    // 10 bodies of 4 slices each, 4 slices a turn: ten turns, the first slice of every body before any second one
    expect(turns).toBe((10 * 4 * SLICE) / TURN_BUDGET);
    expect(res[4]!.chunks).toHaveLength(4);
    res.forEach((r, k) => expect(r.bytes.equals(sent[k]!)).toBe(true));
    expect(q.pending).toBe(0);
    expect(turn()).toBe(false);
  });

  it('waits for drain when a socket is full, and drops a response its client closed', async () => {
    const full = new FakeResponse();
    full.full = true;
    const closed = new FakeResponse();
    const big = body(8 * SLICE, 7);
    const { q, turn } = manual();
    q.end(full as unknown as ServerResponse, big);
    q.end(closed as unknown as ServerResponse, big);
    turn();
    // the full socket got one slice; the other response the rest of the turn's budget
    expect(full.chunks).toHaveLength(1);
    expect(closed.chunks).toHaveLength(TURN_BUDGET / SLICE - 1);
    closed.destroyed = true;
    turn();
    // nothing is left to turn: the full socket waits for drain, the closed response is gone
    expect(turn()).toBe(false);
    // the full socket got nothing more until it drained; the closed response left the queue
    expect(full.chunks).toHaveLength(1);
    expect(closed.chunks).toHaveLength(TURN_BUDGET / SLICE - 1);
    expect(closed.ended).toBe(false);
    expect(q.pending).toBe(0);
    full.full = false;
    full.emit('drain');
    while (turn());
    expect(full.ended).toBe(true);
    expect(full.bytes.equals(big)).toBe(true);
  });

  it('serves the same bytes to many concurrent clients over HTTP', async () => {
    const payload = body(5 * SLICE + 123, 3);
    const digest = createHash('sha256').update(payload).digest('hex');
    const server = createServer((_req, res) => {
      res.setHeader('Content-Length', String(payload.length));
      endInSlices(res, payload);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const fetchOne = (): Promise<string> =>
        new Promise((resolve, reject) => {
          get({ host: '127.0.0.1', port, path: '/' }, (res) => {
            const hash = createHash('sha256');
            res.on('data', (c: Buffer) => hash.update(c));
            res.on('end', () => resolve(hash.digest('hex')));
            res.on('error', reject);
          }).on('error', reject);
        });
      const got = await Promise.all(Array.from({ length: 20 }, fetchOne));
      expect(got).toEqual(Array.from({ length: 20 }, () => digest));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
