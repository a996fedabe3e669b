// One server-sent event stream per job for the whole page.
//
// The New-run dialog and the main map's live-run follower both watch a job started from the browser; with an
// EventSource each, every event (up to 5 progress reports and 4 layout frames a second) reached the page twice,
// and on a loaded machine that doubled work starved the page's renderer. Here the first subscriber to a job
// opens its stream; later ones share it and are first told what a new stream would have told them (the job's
// state, then its latest layout). The stream closes when the job ends (done, failed, cancelled, error) or when
// its last subscriber leaves; a subscriber after that opens a new one.
import type { RunEvent } from './api.js';

/** The types of the server's events (GET /api/runs/:id/events, server/routes/events.ts) and older names. */
const EVENT_TYPES = ['message', 'progress', 'log', 'layout', 'done', 'failed', 'cancelled', 'queued', 'started', 'state'];
const FINAL = new Set(['done', 'failed', 'cancelled', 'error']);
/** EventSource.CLOSED (a number here, so the module loads where EventSource does not exist). */
const CLOSED = 2;

interface Subscriber {
  onEvent: (e: RunEvent) => void;
  onError?: (message: string) => void;
}

interface Stream {
  source: EventSource;
  subscribers: Set<Subscriber>;
  /** The last event made from a `state` message (what a new stream starts with). */
  state: RunEvent | null;
  /** The latest layout frame (a new stream's second event while the map forms). */
  layout: RunEvent | null;
}

/** Turns one server-sent message into the viewer's RunEvent (a finished state becomes done/failed/cancelled). */
export function runEventOf(type: string, text: string): RunEvent {
  let data: RunEvent;
  try {
    data = { type, ...(JSON.parse(text) as object) } as RunEvent;
  } catch {
    data = { type, message: text };
  }
  if (type === 'message' && typeof (data as { type?: unknown }).type === 'string') data.type = String(data.type);
  // the server's `state` event carries the job's status; finished states end the stream
  const status = typeof data.status === 'string' ? data.status : null;
  if (type === 'state' && status === 'complete') data.type = 'done';
  else if (type === 'state' && (status === 'failed' || status === 'cancelled')) data.type = status;
  else if (type === 'state' && status) data.stage = data.stage ?? status;
  return data;
}

/** The page's event streams, one per job URL. */
export class EventStreams {
  private readonly streams = new Map<string, Stream>();

  /** @param open makes an EventSource for a URL (replaceable in tests) */
  constructor(private readonly open: (url: string) => EventSource = (url) => new EventSource(url)) {}

  /** Open streams (for tests). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Subscribes to the events of the job at `url`. `onEvent` gets every event from now on (first, on a stream
   * already open, its current state and latest layout); `onError` is told when the stream closes without a
   * final event. Returns the function that unsubscribes.
   */
  subscribe(url: string, onEvent: (e: RunEvent) => void, onError?: (message: string) => void): () => void {
    const me: Subscriber = { onEvent, onError };
    let stream = this.streams.get(url);
    if (stream) {
      stream.subscribers.add(me);
      if (stream.state) onEvent(stream.state);
      if (stream.layout && stream.subscribers.has(me)) onEvent(stream.layout);
    } else {
      stream = this.start(url);
      stream.subscribers.add(me);
    }
    const s = stream;
    return () => {
      s.subscribers.delete(me);
      if (s.subscribers.size === 0) this.end(url, s);
    };
  }

  private start(url: string): Stream {
    const source = this.open(url);
    const stream: Stream = { source, subscribers: new Set(), state: null, layout: null };
    this.streams.set(url, stream);
    const handle = (type: string) => (msg: MessageEvent) => {
      const e = runEventOf(type, String(msg.data));
      if (type === 'state') stream.state = e;
      if (e.type === 'layout') stream.layout = e;
      const final = FINAL.has(String(e.type));
      if (final) this.end(url, stream);
      // a copy: a subscriber may leave (or another join) while this event is handed round
      for (const s of [...stream.subscribers]) if (stream.subscribers.has(s)) s.onEvent(e);
    };
    for (const t of EVENT_TYPES) source.addEventListener(t, handle(t) as EventListener);
    source.onerror = () => {
      if (source.readyState !== CLOSED) return; // the browser reconnects by itself
      const subscribers = [...stream.subscribers];
      this.end(url, stream);
      for (const s of subscribers) s.onError?.('the event stream closed');
    };
    return stream;
  }

  private end(url: string, stream: Stream): void {
    stream.source.close();
    if (this.streams.get(url) === stream) this.streams.delete(url);
  }
}
