// The CLI's side of a job: `latentmap run --log-format json` writes one JSON object per line on stderr
// (pipeline/cli-log.ts). This file splits a child's stderr into lines and tells the kinds apart; it knows
// nothing of queues or processes.
import { isLayoutFrame, type LayoutFrame } from '../../pipeline/layout-frame.js';
import type { ProgressEvent } from '../../pipeline/types.js';

/** What one stderr line of the CLI says. */
export type CliLine =
  | { kind: 'progress'; event: ProgressEvent }
  /** `operator`: what the operator's log is told and the client is not (pipeline/errors.ts operatorNote). */
  | { kind: 'error'; message: string; operator?: string }
  | { kind: 'log'; level: string; message: string }
  /** The map so far (pipeline/layout-frame.ts), while t-SNE runs. */
  | { kind: 'layout'; frame: LayoutFrame }
  /** A line that is not one of the CLI's JSON objects (a crash message, a warning of Node itself). */
  | { kind: 'text'; line: string };

/** Longest line kept, characters: a runaway line without newlines must not grow without bound. */
export const MAX_LINE = 1 << 20;

/**
 * Returns a function to feed stderr chunks to; `onLine` gets every complete, trimmed, non-empty line.
 * A line longer than MAX_LINE is cut to its last 4,096 characters.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) onLine(line);
    }
    if (buffered.length > MAX_LINE) buffered = buffered.slice(-4096);
  };
}

/** Parses one line of the CLI's JSON log. Stack frames and caret lines of a crash are dropped (null). */
export function parseCliLine(line: string): CliLine | null {
  let obj: Record<string, unknown> | null = null;
  if (line.startsWith('{')) {
    try {
      const parsed = JSON.parse(line) as unknown;
      obj = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      obj = null;
    }
  }
  if (!obj) {
    if (/^\s*at\s/.test(line) || /^\s*\^+\s*$/.test(line)) return null;
    return { kind: 'text', line: line.slice(0, 500) };
  }
  if (obj.type === 'progress' && typeof obj.stage === 'string' && typeof obj.progress === 'number') {
    const { time: _time, ...rest } = obj;
    return { kind: 'progress', event: rest as unknown as ProgressEvent };
  }
  if (obj.type === 'layout') {
    const { time: _time, elapsed: _elapsed, ...frame } = obj;
    return isLayoutFrame(frame) ? { kind: 'layout', frame } : null;
  }
  if (obj.type === 'error' && typeof obj.message === 'string') {
    return { kind: 'error', message: obj.message, ...(typeof obj.operator === 'string' ? { operator: obj.operator.slice(0, 2000) } : {}) };
  }
  if (obj.type === 'log' && typeof obj.message === 'string') {
    return { kind: 'log', level: typeof obj.level === 'string' ? obj.level : 'info', message: obj.message };
  }
  return null;
}
