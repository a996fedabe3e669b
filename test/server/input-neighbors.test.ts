// Input-space neighbour queries answered by passes over data.arrow (server/input-neighbors.ts): concurrent
// queries of one run share one pass, the answers equal a search over the whole matrix in memory, and the
// work they may queue is bounded (503 with Retry-After).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeData } from '../../pipeline/runs/artifacts.js';
import { readDataLayout } from '../../pipeline/runs/data-rows.js';
import { HttpError } from '../../server/http-error.js';
import { InputNeighbours } from '../../server/input-neighbors.js';
import { nearestRows } from '../../server/nearest.js';
import { runTaskSafely, type WorkerReply, type WorkerTask } from '../../server/read-tasks.js';
import { seeded, tempRunsDir } from './fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => (tmp = await tempRunsDir()));
afterEach(async () => tmp.cleanup());

/** A task runner that records the tasks and runs each when release() is called (a busy worker thread). */
function heldRunner() {
  const tasks: WorkerTask[] = [];
  const held: (() => void)[] = [];
  const running: Promise<WorkerReply>[] = [];
  const run = (task: WorkerTask): Promise<WorkerReply> => {
    tasks.push(task);
    const p = new Promise<void>((r) => held.push(r)).then(() => runTaskSafely(task));
    running.push(p);
    return p;
  };
  /** Lets the held tasks run, and waits until they are done and their callers have moved on. */
  const release = async (): Promise<void> => {
    while (held.length) held.shift()!();
    await Promise.all(running.splice(0));
    await new Promise((r) => setImmediate(r));
  };
  return { tasks, run, release };
}

describe('input-space neighbours by passes over data.arrow', () => {
  const rows = 300;
  const cols = 7;
  const values = seeded(rows * cols, 5);
  values[10 * cols + 3] = NaN; // a missing value takes the fill
  const scaling = { scale: Float64Array.from({ length: cols }, (_, c) => 0.5 + c), fill: Float64Array.from({ length: cols }, () => 2) };

  async function layout() {
    await writeData(tmp.dir, { rows, cols, values }, Int32Array.from({ length: rows }, (_, i) => i));
    return (await readDataLayout(path.join(tmp.dir, 'data.arrow'))).layout;
  }

  it('answer queries that arrive during a pass together in the next pass, each as a search of the whole matrix would', async () => {
    const data = await layout();
    const runner = heldRunner();
    const search = new InputNeighbours(runner.run);
    const first = search.find('run@1', data, scaling, 10, 5);
    // three more arrive while the first pass is running: they wait, together, for the next
    const later = [search.find('run@1', data, scaling, 0, 3), search.find('run@1', data, scaling, 299, 12), search.find('run@1', data, scaling, 10, 299)];
    expect(runner.tasks.length).toBe(1);
    await runner.release();
    expect(runner.tasks.length).toBe(2);
    expect(runner.tasks[1]).toMatchObject({ op: 'nearest-input', rows: Int32Array.from([0, 299, 10]), k: Int32Array.from([3, 12, 299]) });
    await runner.release();
    const answers = await Promise.all([first, ...later]);
    const want = [
      [10, 5],
      [0, 3],
      [299, 12],
      [10, 299],
    ].map(([row, k]) => nearestRows({ rows, cols, values }, row!, k!, scaling));
    // the pass sums distances in float32 (the SIMD kernel), the in-memory search in float64
    answers.forEach((a, i) => {
      expect(Array.from(a.rows)).toEqual(Array.from(want[i]!.rows));
      a.distances.forEach((d, j) => expect(d).toBeCloseTo(want[i]!.distances[j]!, 3));
    });
    expect(answers[3]!.rows.length).toBe(299);
    expect(search.active).toBe(0);
  });

  it('refuse with 503 and Retry-After past the runs and queries they may hold, and drop queries whose client left', async () => {
    const data = await layout();
    const runner = heldRunner();
    const search = new InputNeighbours(runner.run, 2, 2);
    const a = search.find('a', data, scaling, 1, 2);
    const b = search.find('b', data, scaling, 2, 2);
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(503);
        expect((err as HttpError).headers['Retry-After']).toBe('1');
        return;
      }
      throw new Error('not refused');
    };
    refused(() => search.find('c', data, scaling, 3, 2));
    const gone = new AbortController();
    const waiting = [search.find('a', data, scaling, 4, 2, gone.signal), search.find('a', data, scaling, 5, 2)];
    refused(() => search.find('a', data, scaling, 6, 2));
    gone.abort();
    await expect(waiting[0]).rejects.toSatisfy((e) => e instanceof HttpError && e.status === 499);
    await runner.release();
    await runner.release();
    expect((await waiting[1]!).rows.length).toBe(2);
    // the second pass of run a asked only for the query whose client stayed
    expect(runner.tasks.filter((t) => t.op === 'nearest-input').map((t) => Array.from((t as { rows: Int32Array }).rows))).toEqual([[1], [2], [5]]);
    await Promise.all([a, b]);
    expect(search.active).toBe(0);
    // a run whose pass ended can be searched again
    const again = search.find('c', data, scaling, 3, 2);
    await runner.release();
    expect((await again).rows.length).toBe(2);
  });
});
