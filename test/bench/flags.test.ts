import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { envChoices, envWhole, envWholeList, FlagError, parseCommandLine, parseFlags, wholeNumber, wholeNumberOf, wholeNumbers } from '../../bench/flags.js';

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

  describe('a flag whose value may be left out (optional)', () => {
    const withQueue = {
      queue: { type: 'optional' },
      port: { type: 'optional', parse: (t: string) => wholeNumber(t, 'port', 1) },
      sizes: { type: 'integer-list', default: [10], min: 1 },
      'kill-worker': { type: 'boolean' },
      baseline: { type: 'string', default: '' },
    } as const;
    const read = (argv: string[]) => parseFlags(withQueue, argv);
    const refused = (argv: string[]): string => {
      try {
        read(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(FlagError);
        return (err as Error).message;
      }
      throw new Error(`parseFlags accepted ${JSON.stringify(argv)}`);
    };

    it('is not given, given alone, or given with its value (spaced or after =)', () => {
      expect(read([]).queue).toEqual({ given: false, value: null });
      expect(read(['--queue']).queue).toEqual({ given: true, value: null });
      expect(read(['--queue', 'redis://h:1']).queue).toEqual({ given: true, value: 'redis://h:1' });
      expect(read(['--queue=redis://h:1']).queue).toEqual({ given: true, value: 'redis://h:1' });
      expect(read(['--queue=-x']).queue).toEqual({ given: true, value: '-x' });
    });

    it('given alone, does not take the next flag as its value', () => {
      expect(read(['--queue', '--sizes', '20000'])).toEqual({
        queue: { given: true, value: null },
        port: { given: false, value: null },
        sizes: [20000],
        'kill-worker': false,
        baseline: '',
      });
      expect(read(['--queue', '--kill-worker', '--sizes', '5'])).toMatchObject({ queue: { given: true, value: null }, 'kill-worker': true, sizes: [5] });
      expect(read(['--sizes', '5', '--queue'])).toMatchObject({ queue: { given: true, value: null }, sizes: [5] });
    });

    it("sends its value through parse, and the last one given counts", () => {
      expect(read(['--port', '6600']).port).toEqual({ given: true, value: 6600 });
      expect(read(['--port']).port).toEqual({ given: true, value: null });
      expect(read(['--queue', 'a', '--queue']).queue).toEqual({ given: true, value: null });
      expect(read(['--queue', '--queue', 'b']).queue).toEqual({ given: true, value: 'b' });
      expect(refused(['--port', 'x'])).toBe('--port takes a whole number of at least 1, got "x"');
    });

    it('refuses an empty value after =, a second argument after its value, and is not taken from another flag', () => {
      expect(refused(['--queue='])).toBe('--queue= gives an empty value (write --queue alone for none)');
      expect(refused(['--queue', 'a', 'b'])).toMatch(/^unexpected argument "b"/);
      // --queue here is --baseline's value, which reads as a flag: refused as for any value-taking flag
      expect(refused(['--baseline', '--queue'])).toMatch(/^--baseline needs a value, got "--queue"/);
      expect(refused(['--', '--queue'])).toMatch(/^unexpected argument "--queue"/);
      expect(refused(['--queu'])).toBe('unknown flag --queu; did you mean --queue? (see --help)');
    });
  });

  describe('a script with positional arguments (parseCommandLine)', () => {
    const flags = { k: { type: 'integer', default: 90, min: 1 }, 'no-peers': { type: 'boolean' } } as const;
    const three = { usage: 'DATASET ROWS OUT.csv', min: 3, max: 3 };
    const refused = (positionals: { usage: string; min: number; max: number }, argv: string[]): string => {
      try {
        parseCommandLine(flags, positionals, argv);
      } catch (err) {
        expect(err).toBeInstanceOf(FlagError);
        return (err as Error).message;
      }
      throw new Error(`parseCommandLine accepted ${JSON.stringify(argv)}`);
    };

    it('gives the arguments in order, flags anywhere among them, everything after -- an argument', () => {
      const args3 = [0, 1, 2].map((index) => ({ kind: 'arg', index }));
      expect(parseCommandLine(flags, three, ['mnist', '--k', '5', '1000', 'out.csv'])).toEqual({ flags: { k: 5, 'no-peers': false }, args: ['mnist', '1000', 'out.csv'], order: args3 });
      expect(parseCommandLine(flags, three, ['--no-peers', 'a', '--', '-1', '--k'])).toEqual({ flags: { k: 90, 'no-peers': true }, args: ['a', '-1', '--k'], order: args3 });
      expect(parseCommandLine(flags, { usage: 'DIR ...', min: 1, max: Infinity }, ['a', 'b', 'c']).args).toEqual(['a', 'b', 'c']);
    });

    it('refuses too few or too many arguments, naming the usage and what was given', () => {
      expect(refused(three, ['mnist', '1000'])).toBe('takes DATASET ROWS OUT.csv (3 arguments), got 2: "mnist" "1000" (see --help)');
      expect(refused(three, [])).toBe('takes DATASET ROWS OUT.csv (3 arguments), got none (see --help)');
      expect(refused(three, ['a', 'b', 'c', 'd'])).toMatch(/^takes DATASET ROWS OUT.csv \(3 arguments\), got 4: /);
      expect(refused({ usage: 'OUTDIR [ROWS]', min: 1, max: 2 }, [])).toBe('takes OUTDIR [ROWS] (1 to 2 arguments), got none (see --help)');
      expect(refused({ usage: '[N]', min: 0, max: 1 }, ['1', '2'])).toBe('takes [N] (at most 1 argument), got 2: "1" "2" (see --help)');
      expect(refused({ usage: 'RUN_DIR ...', min: 1, max: Infinity }, ['--k', '3'])).toBe('takes RUN_DIR ... (at least 1 argument), got none (see --help)');
    });

    it('gives the order of the arguments and of a repeated flag\'s values, interleaved as given', () => {
      const withSpec = { ...flags, spec: { type: 'repeated' } } as const;
      const r = parseCommandLine(withSpec, { usage: '[SPEC.json ...]', min: 0, max: Infinity }, ['a.json', '--spec', '{"x":1}', '--k', '3', 'b.json', '--spec={"y":2}', '--no-peers', 'c.json']);
      expect(r.args).toEqual(['a.json', 'b.json', 'c.json']);
      expect(r.flags.spec).toEqual(['{"x":1}', '{"y":2}']);
      expect(r.order).toEqual([
        { kind: 'arg', index: 0 },
        { kind: 'flag', name: 'spec', index: 0 },
        { kind: 'arg', index: 1 },
        { kind: 'flag', name: 'spec', index: 1 },
        { kind: 'arg', index: 2 },
      ]);
    });

    it('still refuses unknown flags and bad values among the arguments', () => {
      expect(refused(three, ['a', '--bogus', 'b', 'c'])).toBe('unknown flag --bogus (see --help)');
      expect(refused(three, ['a', 'b', 'c', '--k', '0'])).toBe('--k takes a whole number of at least 1, got "0"');
      expect(() => parseFlags(flags, ['a'])).toThrow(/^unexpected argument "a": this script takes flags only/);
    });

    it('names a bad number argument by its usage name', () => {
      expect(wholeNumberOf('1000', 'ROWS', 1)).toBe(1000);
      expect(() => wholeNumberOf('1k', 'ROWS', 1)).toThrow('ROWS takes a whole number of at least 1, got "1k"');
      expect(() => wholeNumberOf('0', 'ROWS', 1)).toThrow(FlagError);
    });
  });

  it('gives null for a custom flag with default null left out, and sends any value given through parse', () => {
    const nullable = { 'sample-of': { type: 'custom', default: null, parse: (t: string) => wholeNumber(t, 'sample-of', 1) } } as const;
    expect(parseFlags(nullable, [])).toEqual({ 'sample-of': null });
    expect(parseFlags(nullable, ['--sample-of', '7'])).toEqual({ 'sample-of': 7 });
    expect(() => parseFlags(nullable, ['--sample-of', ''])).toThrow('--sample-of takes a whole number of at least 1, got ""');
  });

  it('reads the BENCH_* settings of env-configured scripts: the default when unset or empty, else checked', () => {
    const env = { BENCH_ROWS: '2e4', BENCH_EMPTY: '', BENCH_BAD: '70k', BENCH_BATCHES: '256, 512', BENCH_METHODS: 'tfjs,engine', BENCH_TYPO: 'tfjs,fit' };
    expect(envWhole('BENCH_ROWS', 70000, 1, env)).toBe(20000);
    expect(envWhole('BENCH_UNSET', 70000, 1, env)).toBe(70000);
    expect(envWhole('BENCH_EMPTY', 5, 1, env)).toBe(5);
    expect(() => envWhole('BENCH_BAD', 1, 1, env)).toThrow('BENCH_BAD takes a whole number of at least 1, got "70k"');
    expect(envWholeList('BENCH_BATCHES', [1], 1, env)).toEqual([256, 512]);
    expect(() => envWholeList('BENCH_BAD', [1], 1, env)).toThrow('BENCH_BAD takes comma-separated whole numbers of at least 1, got "70k"');
    expect(envChoices('BENCH_METHODS', ['pytorch'], ['pytorch', 'tfjs', 'engine'], env)).toEqual(['tfjs', 'engine']);
    expect(envChoices('BENCH_UNSET', ['pytorch'], ['pytorch', 'tfjs'], env)).toEqual(['pytorch']);
    expect(() => envChoices('BENCH_TYPO', [], ['tfjs', 'engine'], env)).toThrow('BENCH_TYPO takes a comma-separated list of tfjs, engine, got "tfjs,fit"');
  });

  it('reads whole numbers as the CLI does (decimal notation, exponent allowed)', () => {
    expect(wholeNumber('1e4', 'n')).toBe(10000);
    expect(wholeNumbers(' 42,1 ,2', 'seeds')).toEqual([42, 1, 2]);
    expect(() => wholeNumber('', 'n')).toThrow(FlagError);
    expect(() => wholeNumber('0x10', 'n')).toThrow(FlagError);
  });
});

describe('bench scripts refuse a bad command line (bench/flags.ts readFlags)', () => {
  const scripts = ['knn', 'quality', 'quality-seeds', 'tsne', 'umap', 'reducer-screen', 'scale', 'server', 'viewer', 'viewer-clusters', 'viewer-frames', 'viewer-overview', 'tsne-schedule', 'clusters', 'reduce-memory', 'export-images', 'dump-prepared', 'quality-image-variants', 'autoencoder-experiments', 'load', 'train'];
  // each script imports its pipeline modules before reading its flags: a few CPU seconds, long on a busy machine
  it.each(scripts)('bench/%s.ts: an unknown flag is one line on stderr and exit 2, before any work', (name) => {
    const r = spawnSync('npx', ['tsx', `bench/${name}.ts`, '--bogus-flag'], { encoding: 'utf8', timeout: 110_000 });
    expect(r.stderr).toBe(`bench/${name}.ts: unknown flag --bogus-flag (see --help)\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  }, 120_000);
});

/** bench/SCRIPT.ts run with argv: its stderr, stdout and exit status (it must refuse before any work). */
function runScript(name: string, argv: string[], env: NodeJS.ProcessEnv = {}): { stderr: string; stdout: string; status: number | null } {
  const r = spawnSync('npx', ['tsx', `bench/${name}.ts`, ...argv], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, ...env } });
  return { stderr: r.stderr, stdout: r.stdout, status: r.status };
}

describe('bench/scale.ts command line', () => {
  it('--queue alone does not take the next flag as its URL, and runs one size', () => {
    // were --sizes eaten as the URL, the refusal would be about the URL; this one shows --queue given alone, --sizes read
    expect(runScript('scale', ['--queue', '--sizes', '20k,30k'])).toEqual({
      stderr: 'bench/scale.ts: --queue runs one size, got --sizes 20000,30000\n',
      stdout: '',
      status: 2,
    });
  }, 120_000);

  it('refuses a --queue URL the workers could not use, and flags that do not go together, in one line', () => {
    expect(runScript('scale', ['--queue', 'http://h:6379'])).toEqual({
      stderr: 'bench/scale.ts: --queue: queue must be a redis:// URL (BullMQ on Redis), got "http://h:6379"\n',
      stdout: '',
      status: 2,
    });
    expect(runScript('scale', ['--queue', 'redis://127.0.0.1:6600', '--sample-of', '1m']).stderr).toBe('bench/scale.ts: --sample-of is for the single-machine table, not --queue\n');
    expect(runScript('scale', ['--sizes', '250k,2m', '--sample-of', '1m']).stderr).toBe('bench/scale.ts: --sample-of 1000000: every size must be at most that (--sizes 250000,2000000)\n');
    expect(runScript('scale', ['--sizes', '10k,lots']).stderr).toBe('bench/scale.ts: --sizes takes row counts like 10k, 250000 or 1m, got "lots"\n');
  }, 240_000);
});

describe('bench/server.ts command line', () => {
  it('server.ts takes no argument, and refuses a BENCH_* setting that is not a whole number or a regular expression', () => {
    expect(runScript('server', ['70000'])).toEqual({ stderr: 'bench/server.ts: unexpected argument "70000": this script takes flags only (see --help)\n', stdout: '', status: 2 });
    expect(runScript('server', [], { BENCH_ROWS: '70k' })).toEqual({ stderr: 'bench/server.ts: BENCH_ROWS takes a whole number of at least 1, got "70k"\n', stdout: '', status: 2 });
    expect(runScript('server', [], { BENCH_ONLY: '(' }).stderr).toMatch(/^bench\/server.ts: BENCH_ONLY is not a regular expression: [^\n]*\n$/);
    // --child DIR is the script forking its server; --child alone is not that, and not a flag of the bench
    expect(runScript('server', ['--child']).stderr).toBe('bench/server.ts: unknown flag --child (see --help)\n');
  }, 240_000);
});

describe('bench/train.ts command line', () => {
  it('takes no argument, and refuses a BENCH_* setting that is not a whole number or a known name', () => {
    expect(runScript('train', ['3'])).toEqual({ stderr: 'bench/train.ts: unexpected argument "3": this script takes flags only (see --help)\n', stdout: '', status: 2 });
    expect(runScript('train', [], { BENCH_METHODS: 'pytorch,fit' }).stderr).toBe('bench/train.ts: BENCH_METHODS takes a comma-separated list of pytorch, model.fit, tfjs, engine, got "pytorch,fit"\n');
    expect(runScript('train', [], { BENCH_BATCHES: '256,' }).stderr).toBe('bench/train.ts: BENCH_BATCHES takes comma-separated whole numbers of at least 1, got "256,"\n');
  }, 240_000);
});

describe('the viewer benches: command lines', () => {
  it('viewer.ts refuses a size that is not a whole number, and an empty entry in --webgl ("" alone: no peer)', () => {
    expect(runScript('viewer', ['--sizes', '100000,1e6x'])).toEqual({
      stderr: 'bench/viewer.ts: --sizes takes comma-separated whole numbers of at least 1, got "100000,1e6x"\n',
      stdout: '',
      status: 2,
    });
    expect(runScript('viewer', ['--webgl', '100000,', '--cpu']).stderr).toBe('bench/viewer.ts: --webgl takes comma-separated whole numbers of at least 1, got "100000,"\n');
  }, 240_000);

  it('viewer-clusters.ts refuses --web without its directory and a --repeats of 0', () => {
    expect(runScript('viewer-clusters', ['--web', '--sizes', '200000']).stderr).toMatch(/^bench\/viewer-clusters.ts: --web needs a value, got "--sizes"/);
    expect(runScript('viewer-clusters', ['--repeats', '0']).stderr).toBe('bench/viewer-clusters.ts: --repeats takes a whole number of at least 1, got "0"\n');
  }, 240_000);

  it('viewer-frames.ts takes at most one argument N, a whole number', () => {
    expect(runScript('viewer-frames', ['100', '200'])).toEqual({ stderr: 'bench/viewer-frames.ts: takes [N] (at most 1 argument), got 2: "100" "200" (see --help)\n', stdout: '', status: 2 });
    expect(runScript('viewer-frames', ['1m']).stderr).toBe('bench/viewer-frames.ts: N takes a whole number of at least 1, got "1m"\n');
  }, 240_000);

  it('viewer-overview.ts refuses a --threshold that is not a whole number, and a value given to --skip-all', () => {
    expect(runScript('viewer-overview', ['--rows', '200000', '--threshold', '1e5.5']).stderr).toBe('bench/viewer-overview.ts: --threshold takes a whole number of at least 1, got "1e5.5"\n');
    expect(runScript('viewer-overview', ['--skip-all=yes']).stderr).toBe('bench/viewer-overview.ts: --skip-all takes no value, got "yes"\n');
  }, 240_000);
});

describe('tsne-schedule, clusters and reduce-memory: command lines', () => {
  it('tsne-schedule.ts needs --run, a run directory, and knows its variants', () => {
    expect(runScript('tsne-schedule', ['--variants', 'standard'])).toEqual({ stderr: 'bench/tsne-schedule.ts: --run DIR is needed: a finished latentmap run directory\n', stdout: '', status: 2 });
    expect(runScript('tsne-schedule', ['--run', 'bench']).stderr).toBe('bench/tsne-schedule.ts: --run bench: no manifest.json there, so not a finished latentmap run directory\n');
    expect(runScript('tsne-schedule', ['--run', 'bench', '--variants', 'standard,exag3']).stderr).toMatch(/^bench\/tsne-schedule.ts: --variants takes a comma-separated list of standard, [^\n]*, got "standard,exag3"\n$/);
  }, 240_000);

  it('clusters.ts takes at least one map, each a run directory or islands:N[:GAP]', () => {
    expect(runScript('clusters', [])).toEqual({ stderr: 'bench/clusters.ts: takes RUN_DIR|islands:N[:GAP] ... (at least 1 argument), got none (see --help)\n', stdout: '', status: 2 });
    expect(runScript('clusters', ['islands:2000', 'islands:20k']).stderr).toBe('bench/clusters.ts: islands:20k: N takes a whole number of at least 1, got "20k"\n');
    expect(runScript('clusters', ['islands:2000:-1']).stderr).toMatch(/^bench\/clusters.ts: islands:2000:-1: a synthetic map is islands:N or islands:N:GAP/);
    expect(runScript('clusters', ['bench']).stderr).toBe('bench/clusters.ts: bench: no points.arrow there, so not a finished run directory (or islands:N[:GAP])\n');
  }, 240_000);

  it('reduce-memory.ts refuses a variant it does not know, and node without --expose-gc, in one line', () => {
    expect(runScript('reduce-memory', ['--variant', 'vae2']).stderr).toBe('bench/reduce-memory.ts: --variant takes plain or sparse or denoising or vae or residual, got "vae2"\n');
    expect(runScript('reduce-memory', ['--rows', '10k'])).toEqual({ stderr: 'bench/reduce-memory.ts: run with node --expose-gc (npm run bench:reduce-memory does)\n', stdout: '', status: 2 });
  }, 240_000);
});

describe('the positional scripts (export-images, dump-prepared, quality-image-variants): command lines', () => {
  it('export-images.ts takes exactly DATASET ROWS OUT.csv, a built-in dataset and a whole number of rows', () => {
    expect(runScript('export-images', ['mnist', '1000'])).toEqual({ stderr: 'bench/export-images.ts: takes DATASET ROWS OUT.csv (3 arguments), got 2: "mnist" "1000" (see --help)\n', stdout: '', status: 2 });
    expect(runScript('export-images', ['mnist', '1k', '/tmp/never.csv']).stderr).toBe('bench/export-images.ts: ROWS takes a whole number of at least 1, got "1k"\n');
    expect(runScript('export-images', ['mnits', '1000', '/tmp/never.csv']).stderr).toMatch(/^bench\/export-images.ts: DATASET "mnits" is not a built-in dataset \([^\n]*mnist[^\n]*\)\n$/);
  }, 240_000);

  it('dump-prepared.ts takes exactly DATASET OUT.f32', () => {
    expect(runScript('dump-prepared', ['mnist', 'a.f32', 'b.f32']).stderr).toBe('bench/dump-prepared.ts: takes DATASET OUT.f32 (2 arguments), got 3: "mnist" "a.f32" "b.f32" (see --help)\n');
  }, 120_000);

  it('quality-image-variants.ts takes OUTDIR and at most a whole number of ROWS', () => {
    expect(runScript('quality-image-variants', ['/tmp/never', '5k']).stderr).toBe('bench/quality-image-variants.ts: ROWS takes a whole number of at least 1, got "5k"\n');
    expect(runScript('quality-image-variants', []).stderr).toBe('bench/quality-image-variants.ts: takes OUTDIR [ROWS] (1 to 2 arguments), got none (see --help)\n');
  }, 240_000);
});

describe('autoencoder-experiments and load: command lines', () => {
  it('autoencoder-experiments.ts needs a spec, each JSON with a name, and reads SPEC.json files before any work', () => {
    expect(runScript('autoencoder-experiments', ['--dataset', 'mnist'])).toEqual({
      stderr: 'bench/autoencoder-experiments.ts: no experiment: give SPEC.json files or --spec \'{"name": ...}\'\n',
      stdout: '',
      status: 2,
    });
    expect(runScript('autoencoder-experiments', ['--spec', '{"name": "a"', '--limit', '100']).stderr).toMatch(/^bench\/autoencoder-experiments.ts: --spec: not JSON \([^\n]*\)\n$/);
    expect(runScript('autoencoder-experiments', ['--spec', '{"name": "a"}', '/nonexistent/spec.json']).stderr).toBe('bench/autoencoder-experiments.ts: /nonexistent/spec.json: cannot read it (ENOENT)\n');
  }, 240_000);

  it('load.ts refuses a row count that is not a whole number, and its internal --child form from a user', () => {
    expect(runScript('load', ['--rows', '1e6x'])).toEqual({ stderr: 'bench/load.ts: --rows takes a whole number of at least 1, got "1e6x"\n', stdout: '', status: 2 });
    expect(runScript('load', ['--child', 'load']).stderr).toBe('bench/load.ts: unknown flag --child (see --help)\n');
  }, 240_000);
});
