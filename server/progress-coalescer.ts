// Progress events of one event stream, coalesced to what a watcher can use.
//
// A small run's t-SNE reports its KL divergence every 50 iterations, which on iris is about 80 reports a second;
// the CLI's JSON log keeps every one (a log is read later, line by line), but a browser that turned each into a
// DOM update starved its own renderer on a loaded machine. A stream therefore sends a job's progress at most
// once per `intervalMs`: the first report after a quiet interval at once, the later ones of that interval as the
// latest of them when the interval ends (so the last report of a burst is never lost), and at once whatever
// changes what a watcher shows: a new stage, a stage's start (0) or end (1). Anything else the stream sends
// (a state, a log line, a layout) goes out as it comes, after the pending report when it must keep its order:
// `flush()` before a state (its final state ends the stream).
import type { ProgressEvent } from '../pipeline/types.js';

/** Fewest milliseconds between two progress events of one stream (stage changes excepted): 5 a second. */
export const PROGRESS_INTERVAL_MS = 200;

export class ProgressCoalescer {
  private pending: ProgressEvent | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastSent = -Infinity;
  private lastStage: string | null = null;

  /**
   * @param send writes one progress event to the stream
   * @param intervalMs fewest milliseconds between two progress events of the same stage
   * @param now the clock (milliseconds), replaceable in tests
   */
  constructor(
    private readonly send: (event: ProgressEvent) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one progress report: sends it now, or keeps it as the interval's latest. */
  push(event: ProgressEvent): void {
    const t = this.now();
    const changes = event.stage !== this.lastStage || event.progress === 0 || event.progress === 1;
    if (changes || t - this.lastSent >= this.intervalMs) {
      this.flush();
      this.emit(event, t);
      return;
    }
    this.pending = event;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(0, this.intervalMs - (t - this.lastSent)));
  }

  /** Sends the report kept back, if any (before an event that must follow it). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.emit(p, this.now());
  }

  /** Drops the report kept back and its timer (the stream closed). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private emit(event: ProgressEvent, t: number): void {
    this.lastSent = t;
    this.lastStage = event.stage;
    this.send(event);
  }
}
