import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags, wholeNumber, wholeNumbers } from '../../bench/flags.js';

const spec = {
  sizes: { type: 'integer-list', default: [10000, 70000], min: 1 },
  k: { type: 'integer', default: 90, min: 1 },
  baseline: { type: 'string', default: '' },
  reference: { type: 'string', default: 'standardized', choices: ['standardized', 'raw'] },
  'no-peers': { type: 'boolean' },
  row: { type: 'repeated' },
  seeds: { type: 'custom', default: '3', parse: (t: string) => Array.from({ length: wholeNumber(t, 'seeds', 1) }, (_, i) => i) },
} as const;

/** The FlagError message parseFlags gives for argv (fails the test when it gives flags instead). */
function refusal(argv: string[]): string {
  try {
    parseFlags(spec, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(FlagError);
    return (err as Error).message;
  }
  throw new Error(`parseFlags accepted ${JSON.stringify(argv)}`);
}

describe('bench flags (parseFlags)', () => {
  it('gives every default when no flag is given', () => {
    expect(parseFlags(spec, [])).toEqual({
      sizes: [10000, 70000],
      k: 90,
      baseline: '',
      reference: 'standardized',
      'no-peers': false,
      row: [],
      seeds: [0, 1, 2],
    });
  });

  it('reads every kind of flag, a repeated one in order, values with spaces and dashes inside', () => {
    const f = parseFlags(spec, ['--sizes', '1000, 2000', '--k=15', '--baseline', 'scratch/knn.ts', '--reference', 'raw', '--no-peers', '--row', 'a=--x 1', '--row', 'b=', '--seeds', '2']);
    expect(f).toEqual({ sizes: [1000, 2000], k: 15, baseline: 'scratch/knn.ts', reference: 'raw', 'no-peers': true, row: ['a=--x 1', 'b='], seeds: [0, 1] });
  });

  it('refuses an unknown flag, naming it (and the nearest known one when close)', () => {
    expect(refusal(['--bogus'])).toBe('unknown flag --bogus (see --help)');
    expect(refusal(['--k', '5', '--size', '100'])).toBe('unknown flag --size; did you mean --sizes? (see --help)');
    expect(refusal(['-k', '5'])).toMatch(/^unknown flag -k /);
  });

  it('refuses a flag without its value, or with a value that reads as a flag', () => {
    expect(refusal(['--k'])).toBe('--k needs a value');
    expect(refusal(['--baseline', '--no-peers'])).toMatch(/^--baseline needs a value, got "--no-peers"/);
  });

  it('refuses a value for a boolean flag and a positional argument', () => {
    expect(refusal(['--no-peers=yes'])).toBe('--no-peers takes no value, got "yes"');
    expect(refusal(['--k', '5', 'extra'])).toMatch(/^unexpected argument "extra"/);
    expect(refusal(['--', '--k'])).toMatch(/^unexpected argument "--k"/);
  });

  it('refuses numbers that are not whole numbers in range, and values outside the choices', () => {
    expect(refusal(['--k', 'ten'])).toBe('--k takes a whole number of at least 1, got "ten"');
    expect(refusal(['--k=0'])).toBe('--k takes a whole number of at least 1, got "0"');
    expect(refusal(['--k', '2.5'])).toMatch(/^--k takes a whole number/);
    expect(refusal(['--sizes', '1000,'])).toMatch(/^--sizes takes comma-separated whole numbers of at least 1, got "1000,"/);
    expect(refusal(['--sizes', '1000,abc'])).toMatch(/^--sizes takes/);
    expect(refusal(['--seeds', 'x'])).toBe('--seeds takes a whole number of at least 1, got "x"');
    expect(refusal(['--reference', 'Raw'])).toBe('--reference takes standardized or raw, got "Raw"');
  });

  it('reads whole numbers as the CLI does (decimal notation, exponent allowed)', () => {
    expect(wholeNumber('1e4', 'n')).toBe(10000);
    expect(wholeNumbers(' 42,1 ,2', 'seeds')).toEqual([42, 1, 2]);
    expect(() => wholeNumber('', 'n')).toThrow(FlagError);
    expect(() => wholeNumber('0x10', 'n')).toThrow(FlagError);
  });
});

describe('bench scripts refuse a bad command line (bench/flags.ts readFlags)', () => {
  const scripts = ['knn', 'quality', 'quality-seeds', 'tsne', 'umap', 'reducer-screen'];
  // each script imports its pipeline modules before reading its flags: a few CPU seconds, long on a busy machine
  it.each(scripts)('bench/%s.ts: an unknown flag is one line on stderr and exit 2, before any work', (name) => {
    const r = spawnSync('npx', ['tsx', `bench/${name}.ts`, '--bogus-flag'], { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).toBe(`bench/${name}.ts: unknown flag --bogus-flag (see --help)\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 120_000);
});
