import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobPipe } from '../../bench/quality/job-pipe.js';
import { PYTHON } from '../../bench/quality/judge.js';

const dir = mkdtempSync(join(tmpdir(), 'latentmap-job-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A job script in the shape of quality_metrics.py's `--jobs -`: one tab-separated job a line on stdin, one JSON
// answer a line on stdout, flushed; job "exit" ends it with a message on stderr.
const script = join(dir, 'echo.py');
writeFileSync(
  script,
  [
    'import json, sys',
    'for line in iter(sys.stdin.readline, ""):',
    '    a, b = line.rstrip("\\n").split("\\t")',
    '    if a == "exit":',
    '        sys.stderr.write("stopped on purpose\\n"); sys.exit(3)',
    '    print(json.dumps({"sum": int(a) + int(b)}), flush=True)',
  ].join('\n'),
);

describe('JobPipe', () => {
  it('answers each job while the script is still running, so a caller can write each result before sending the next', async () => {
    const pipe = new JobPipe(PYTHON, [script]);
    // the second job is sent only after the first answer came back: with stdin still open, that answer can
    // only arrive if the script answers line by line (a script reading all of stdin first would hang here)
    const first = await pipe.ask<{ sum: number }>([1, 2]);
    expect(first).toEqual({ sum: 3 });
    const [second, third] = await Promise.all([pipe.ask<{ sum: number }>([10, 20]), pipe.ask<{ sum: number }>([-5, 2])]);
    expect(second).toEqual({ sum: 30 });
    expect(third).toEqual({ sum: -3 });
    await pipe.close();
  });

  it('rejects a job the script exits without answering, quoting its stderr, and every later job', async () => {
    const pipe = new JobPipe(PYTHON, [script]);
    await expect(pipe.ask([2, 2])).resolves.toEqual({ sum: 4 });
    await expect(pipe.ask(['exit', 0])).rejects.toThrow(/code 3.*stopped on purpose/s);
    await expect(pipe.ask([1, 1])).rejects.toThrow(/stopped on purpose/);
  });

  it("drives quality_metrics.py --jobs - (the judge): a map that is the reference itself scores trustworthiness 1", async () => {
    const n = 40;
    const ref = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      ref[2 * i] = i % 2 === 0 ? i : i + 100;
      ref[2 * i + 1] = (i * 7) % 13;
    }
    const matrix = join(dir, 'ref.f32');
    const labels = join(dir, 'labels.txt');
    writeFileSync(matrix, Buffer.from(ref.buffer));
    writeFileSync(labels, Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'a' : 'b')).join('\n') + '\n');
    const judge = new JobPipe(PYTHON, [join(import.meta.dirname, '..', '..', 'bench', 'quality_metrics.py'), '--jobs', '-']);
    const score = await judge.ask<{ trustworthiness: number; labelAccuracy: number }>([matrix, n, 2, matrix, labels]);
    expect(score.trustworthiness).toBeCloseTo(1, 10);
    // the two classes lie 100 apart on the first axis: every held-out point's 10 neighbours share its class
    expect(score.labelAccuracy).toBe(1);
    await judge.close();
  });
});
