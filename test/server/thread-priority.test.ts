// The server's worker thread lowers its own priority, not the process's: the event loop keeps its nice value.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startThread } from '../../pipeline/threads.js';
import { WORKER_NICENESS } from '../../server/thread-priority.js';

/** Nice value of each thread of this process (/proc: field 19 of its stat), by thread id. */
function niceOfThreads(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

describe.runIf(process.platform === 'linux')('the server worker thread priority', () => {
  it('is WORKER_NICENESS below the process, the main thread unchanged', async () => {
    const base = getPriority(process.pid);
    const want = Math.min(19, base + WORKER_NICENESS);
    expect([...niceOfThreads().values()].filter((n) => n === want)).toHaveLength(0);
    const worker = startThread(new URL('../../server/read-worker.ts', import.meta.url));
    try {
      let lowered: number[] = [];
      for (let i = 0; i < 200 && lowered.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        lowered = [...niceOfThreads()].filter(([, n]) => n === want).map(([tid]) => tid);
      }
      expect(lowered, 'no thread was lowered').toHaveLength(1);
      expect(lowered[0]).not.toBe(process.pid);
      expect(niceOfThreads().get(process.pid)).toBe(base);
      expect(getPriority(process.pid)).toBe(base);
    } finally {
      await worker.terminate();
    }
  });
});
