// Large response bodies handed to their sockets a slice at a time, every response sharing one byte budget per
// turn of the event loop.
//
// Writing to a socket copies what the kernel takes at once (megabytes on loopback) before the event loop moves
// on, and Node's HTTP layer flushes a response's first writes together in one tick (connectionCorkNT). When a
// cold body is ready, every request waiting for it is answered in the same tick: fifty clients of a 6 MB JSON
// body, or of the four big runs' points at once, held the event loop for 250-350 ms in socket writes alone
// (bench:server's profiles, BENCH_PROFILE), and /api/health waited behind them. Here at most TURN_BUDGET bytes
// are handed to sockets per turn (a setImmediate callback), round-robin over the responses in flight, so
// other requests are read and answered between turns; a response whose socket is full waits for 'drain' and
// then queues again.
import type { ServerResponse } from 'node:http';

/** Bodies up to this size are written at once (as Node would); larger ones go through the queue, bytes. */
export const DIRECT_MAX = 64 * 1024;
/** Largest piece of a body handed to a socket at once, bytes. */
export const SLICE = 256 * 1024;
/** Bytes handed to sockets per turn of the event loop, over every response in flight. */
export const TURN_BUDGET = 1024 * 1024;

interface Pending {
  res: ServerResponse;
  bytes: Buffer;
  at: number;
}

/**
 * The responses in flight and their turns. `later` runs a turn after the event loop has polled for I/O
 * (setImmediate; a test passes its own to run the turns one by one).
 */
export class SliceQueue {
  private readonly queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly later: (fn: () => void) => void = (fn) => void setImmediate(fn)) {}

  /**
   * Ends `res` with `bytes` (headers already set): at once up to DIRECT_MAX bytes, else in slices of SLICE
   * bytes, at most TURN_BUDGET bytes a turn over all responses. A response closed by its client meanwhile is
   * dropped.
   */
  end(res: ServerResponse, bytes: Buffer): void {
    if (bytes.length <= DIRECT_MAX) {
      res.end(bytes);
      return;
    }
    this.queue.push({ res, bytes, at: 0 });
    this.schedule();
  }

  /** Responses waiting for their next slice, not counting those waiting for 'drain'. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    let spent = 0;
    while (this.queue.length > 0 && spent + SLICE <= TURN_BUDGET) {
      const p = this.queue.shift()!;
      if (p.res.destroyed) continue;
      const end = Math.min(p.at + SLICE, p.bytes.length);
      const slice = p.bytes.subarray(p.at, end);
      p.at = end;
      spent += slice.length;
      if (end >= p.bytes.length) {
        p.res.end(slice);
      } else if (p.res.write(slice)) {
        this.queue.push(p);
      } else {
        p.res.once('drain', () => {
          this.queue.push(p);
          this.schedule();
        });
      }
    }
    if (this.queue.length > 0) this.schedule();
  }
}

const shared = new SliceQueue();

/** Ends `res` with `bytes` through the server's one SliceQueue (see SliceQueue.end). */
export function endInSlices(res: ServerResponse, bytes: Buffer): void {
  shared.end(res, bytes);
}
