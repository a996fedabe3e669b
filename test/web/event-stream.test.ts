import { describe, expect, it } from 'vitest';
import { EventStreams, runEventOf } from '../../web/src/event-stream.js';
import type { RunEvent } from '../../web/src/api.js';

/** Enough of an EventSource: listeners by type, close, and a way for the test to deliver messages. */
class FakeSource {
  readyState = 1;
  onerror: (() => void) | null = null;
  closed = false;
  private listeners = new Map<string, ((m: MessageEvent) => void)[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, f: (m: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  deliver(type: string, data: unknown): void {
    for (const f of this.listeners.get(type) ?? []) f({ data: JSON.stringify(data) } as MessageEvent);
  }
}

function setup() {
  const opened: FakeSource[] = [];
  const streams = new EventStreams((url) => {
    const s = new FakeSource(url);
    opened.push(s);
    return s as unknown as EventSource;
  });
  return { opened, streams };
}

describe('EventStreams: one event stream per job for the page', () => {
  it('opens one stream for two subscribers of a job and hands each event to both', () => {
    const { opened, streams } = setup();
    const a: RunEvent[] = [];
    const b: RunEvent[] = [];
    streams.subscribe('/api/runs/j1/events', (e) => a.push(e));
    streams.subscribe('/api/runs/j1/events', (e) => b.push(e));
    expect(opened).toHaveLength(1);
    opened[0]!.deliver('progress', { id: 'j1', stage: 'tsne', progress: 0.5 });
    expect(a.map((e) => e.progress)).toEqual([0.5]);
    expect(b.map((e) => e.progress)).toEqual([0.5]);
    streams.subscribe('/api/runs/j2/events', () => {});
    expect(opened).toHaveLength(2);
  });

  it('tells a late subscriber the state and the latest layout a new stream would start with', () => {
    const { opened, streams } = setup();
    streams.subscribe('/api/runs/j1/events', () => {});
    const s = opened[0]!;
    s.deliver('state', { id: 'j1', status: 'running' });
    s.deliver('layout', { id: 'j1', iteration: 100 });
    s.deliver('layout', { id: 'j1', iteration: 150 });
    s.deliver('progress', { id: 'j1', stage: 'tsne', progress: 0.3 });
    const late: RunEvent[] = [];
    streams.subscribe('/api/runs/j1/events', (e) => late.push(e));
    expect(late.map((e) => [e.type, e.status ?? e.iteration])).toEqual([
      ['state', 'running'],
      ['layout', 150],
    ]);
    expect(opened).toHaveLength(1);
  });

  it('closes the stream when the job ends, after every subscriber has the final event; a later subscriber opens a new one', () => {
    const { opened, streams } = setup();
    const a: RunEvent[] = [];
    const b: RunEvent[] = [];
    // the first subscriber leaves as soon as it hears the end (as the New-run dialog does)
    const closeA = streams.subscribe('/api/runs/j1/events', (e) => {
      a.push(e);
      if (e.type === 'done') closeA();
    });
    streams.subscribe('/api/runs/j1/events', (e) => b.push(e));
    opened[0]!.deliver('state', { id: 'j1', status: 'complete' });
    expect(a.map((e) => e.type)).toEqual(['done']);
    expect(b.map((e) => e.type)).toEqual(['done']);
    expect(opened[0]!.closed).toBe(true);
    expect(streams.size).toBe(0);
    streams.subscribe('/api/runs/j1/events', () => {});
    expect(opened).toHaveLength(2);
  });

  it('closes the stream when its last subscriber leaves, not before', () => {
    const { opened, streams } = setup();
    const closeA = streams.subscribe('/api/runs/j1/events', () => {});
    const closeB = streams.subscribe('/api/runs/j1/events', () => {});
    closeA();
    expect(opened[0]!.closed).toBe(false);
    closeB();
    expect(opened[0]!.closed).toBe(true);
    expect(streams.size).toBe(0);
  });

  it('tells every subscriber when the stream closes without a final event, and not while it reconnects', () => {
    const { opened, streams } = setup();
    const errors: string[] = [];
    streams.subscribe('/api/runs/j1/events', () => {}, (m) => errors.push(`a: ${m}`));
    streams.subscribe('/api/runs/j1/events', () => {}, (m) => errors.push(`b: ${m}`));
    const s = opened[0]!;
    s.readyState = 0; // reconnecting
    s.onerror!();
    expect(errors).toEqual([]);
    s.readyState = 2;
    s.onerror!();
    expect(errors).toEqual(['a: the event stream closed', 'b: the event stream closed']);
    expect(streams.size).toBe(0);
  });
});

describe('runEventOf', () => {
  it('turns finished states into done, failed and cancelled, and a running state into a stage', () => {
    expect(runEventOf('state', '{"id":"j","status":"complete"}').type).toBe('done');
    expect(runEventOf('state', '{"id":"j","status":"failed","error":"x"}')).toMatchObject({ type: 'failed', error: 'x' });
    expect(runEventOf('state', '{"id":"j","status":"cancelled"}').type).toBe('cancelled');
    expect(runEventOf('state', '{"id":"j","status":"running"}')).toMatchObject({ type: 'state', stage: 'running' });
    expect(runEventOf('progress', '{"stage":"tsne","progress":0.5}')).toMatchObject({ type: 'progress', stage: 'tsne', progress: 0.5 });
    expect(runEventOf('log', 'not json')).toMatchObject({ type: 'log', message: 'not json' });
  });
});
