import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { headerComment, wantsHelp } from '../../bench/usage.js';

describe('bench --help', () => {
  it('takes the leading // block as the usage, stopping at the first code line', () => {
    expect(headerComment('#!/usr/bin/env node\n// npm run bench:x -- --n 3\n//\n//   --n rows\nimport x from "y";\n// not usage')).toBe(
      'npm run bench:x -- --n 3\n\n  --n rows',
    );
  });

  it('recognises --help and -h only', () => {
    expect(wantsHelp(['--sizes', '100', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--sizes', '100'])).toBe(false);
  });

  it('bench:viewer -- --help prints its usage and exits at once instead of benchmarking', () => {
    const out = execFileSync('npx', ['tsx', 'bench/viewer.ts', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(out).toMatch(/^npm run bench:viewer/);
    expect(out).toContain('--sizes');
  }, 70_000);
});
