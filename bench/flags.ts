// A bench script's flags: node:util parseArgs in strict mode over the flags the script declares, whole numbers
// checked, and a bad command line (an unknown flag, a missing value, a stray argument, a value that is not a
// number) refused with one line on stderr and exit 2, never a stack trace. --help / -h is answered first
// (bench/usage.ts: the script's header comment, which names every flag). A script whose interface is positional
// (`export-images.ts DATASET ROWS OUT.csv`) says how many arguments it takes (readCommandLine) and gets the
// same one-line refusal for a wrong count. parseFlags and parseCommandLine are pure; readFlags and
// readCommandLine exit.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closestName, numberFromText } from '../pipeline/config.js';
import { helpOrContinue } from './usage.js';

/** A bad command line, said in one line (without the script's name). */
export class FlagError extends Error {
  override name = 'FlagError';
}

/**
 * One flag, `--NAME`:
 * - boolean: no value; true when given.
 * - string: a text value; `choices`, when given, are the only values taken.
 * - integer: a whole number, at least `min` (default 0).
 * - integer-list: comma-separated whole numbers, each at least `min` (default 0), at least one.
 * - custom: a text value (or `default` when not given) turned into the flag's value by `parse`, which throws
 *   FlagError for a value it does not take. `default: null`: null when not given (parse is not called), so a
 *   script can tell a flag left out from any value, the empty text included.
 * - repeated: a text value that may be given more than once: every value in order ([] when not given), each
 *   through `parse` when there is one.
 * - optional: a flag whose value may be left out: `--NAME VALUE` or `--NAME=VALUE` gives the value (through
 *   `parse` when there is one), `--NAME` alone (last, or followed by another flag) gives none. Its reading is
 *   an Optional: whether the flag was given, and its value or null. A value starting with `-` must be written
 *   `--NAME=VALUE`; `--NAME=` with nothing after `=` is refused. Given more than once, the last one counts.
 *   (In a script with positional arguments, `--NAME ARG` would take ARG as the value: there, write it last.)
 */
export type FlagSpec =
  | { type: 'boolean' }
  | { type: 'string'; default: string; choices?: readonly string[] }
  | { type: 'integer'; default: number; min?: number }
  | { type: 'integer-list'; default: readonly number[]; min?: number }
  | { type: 'custom'; default: string | null; parse: (text: string) => unknown }
  | { type: 'repeated'; parse?: (text: string) => unknown }
  | { type: 'optional'; parse?: (text: string) => unknown };

/** An optional-value flag's reading: not given; or given, with its value, or null when given alone. */
export type Optional<T> = { given: false; value: null } | { given: true; value: T | null };

/** The value a FlagSpec gives. */
export type FlagValue<F extends FlagSpec> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'integer' }
      ? number
      : F extends { type: 'integer-list' }
        ? number[]
        : F extends { type: 'custom'; default: null; parse: (text: string) => infer T }
          ? T | null
          : F extends { type: 'custom'; parse: (text: string) => infer T }
            ? T
            : F extends { type: 'repeated'; parse: (text: string) => infer T }
              ? T[]
              : F extends { type: 'repeated' }
                ? string[]
                : F extends { type: 'optional'; parse: (text: string) => infer T }
                  ? Optional<T>
                  : Optional<string>;

export type FlagValues<S extends Record<string, FlagSpec>> = { [K in keyof S]: FlagValue<S[K]> };

/** `text` as a whole number of at least `min`; FlagError naming --`flag` otherwise. */
export function wholeNumber(text: string, flag: string, min = 0): number {
  return wholeNumberOf(text, `--${flag}`, min);
}

/**
 * `text` as a whole number of at least `min`; FlagError naming `what` otherwise (a positional argument's name
 * as the script's usage writes it, say ROWS, or a flag with its dashes).
 */
export function wholeNumberOf(text: string, what: string, min = 0): number {
  const n = numberFromText(text) ?? NaN;
  if (!Number.isInteger(n) || n < min) throw new FlagError(`${what} takes a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * A whole-number setting of a script configured by environment variables (bench:server's BENCH_ROWS): `def`
 * when `name` is unset or empty, else its value, at least `min`; FlagError naming the variable otherwise.
 */
export function envWhole(name: string, def: number, min: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name];
  return text === undefined || text === '' ? def : wholeNumberOf(text, name, min);
}

/** envWhole for comma-separated whole numbers (bench:train's BENCH_BATCHES), each at least `min`. */
export function envWholeList(name: string, def: readonly number[], min: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const text = env[name];
  return text === undefined || text === '' ? [...def] : wholeNumbersOf(text, name, min);
}

/**
 * A comma-separated setting of names (bench:train's BENCH_METHODS): `def` when `name` is unset or empty, else
 * its entries, each one of `choices`; FlagError naming the variable and the choices otherwise.
 */
export function envChoices(name: string, def: readonly string[], choices: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const text = env[name];
  if (text === undefined || text === '') return [...def];
  const names = text.split(',');
  if (names.some((n) => !choices.includes(n))) throw new FlagError(`${name} takes a comma-separated list of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  return names;
}

/** DATASET, a positional argument naming one of `names` (the built-in datasets); FlagError listing them otherwise. */
export function datasetArg(text: string, names: readonly string[]): string {
  if (!names.includes(text)) throw new FlagError(`DATASET ${JSON.stringify(text)} is not a built-in dataset (${names.join(', ')})`);
  return text;
}

/** `text` as comma-separated whole numbers (at least one), each at least `min`; FlagError naming --`flag` otherwise. */
export function wholeNumbers(text: string, flag: string, min = 0): number[] {
  return wholeNumbersOf(text, `--${flag}`, min);
}

/** wholeNumbers, the FlagError naming `what` (a flag with its dashes, an argument or a variable). */
function wholeNumbersOf(text: string, what: string, min: number): number[] {
  const parts = text.split(',').map((t) => t.trim());
  const values = parts.map((t) => numberFromText(t) ?? NaN);
  if (values.some((n) => !Number.isInteger(n) || n < min)) {
    throw new FlagError(`${what} takes comma-separated whole numbers of at least ${min}, got ${JSON.stringify(text)}`);
  }
  return values;
}

/**
 * The arguments a script takes besides its flags: `usage` names them as its header comment does
 * (`DATASET ROWS OUT.csv`, `RUN_DIR ...`); at least `min` and at most `max` (Infinity: no limit) of them.
 */
export interface PositionalSpec {
  usage: string;
  min: number;
  max: number;
}

/**
 * The flags of `spec` read from `argv` (parseArgs, strict: no other flag, no positional argument). Flags not
 * given take their defaults. Throws FlagError, in one line naming the flag, for an unknown flag (with the
 * nearest known name when one is close), a flag without its value, a value given to a boolean flag, a
 * positional argument, or a value its spec does not take.
 */
export function parseFlags<const S extends Record<string, FlagSpec>>(spec: S, argv: readonly string[]): FlagValues<S> {
  return parseCommandLine(spec, null, argv).flags;
}

/** A command line read: its flags, its positional arguments, and the order of those and of repeated flags' values. */
export interface CommandLine<S extends Record<string, FlagSpec>> {
  flags: FlagValues<S>;
  args: string[];
  /**
   * The positional arguments (args[index]) and the values of repeated flags (flags[name][index]) in the order the
   * command line gives them: for a script running both in turn (autoencoder-experiments: SPEC.json files and
   * --spec), whose later items may name earlier ones.
   */
  order: ({ kind: 'arg'; index: number } | { kind: 'flag'; name: string; index: number })[];
}

/**
 * parseFlags for a script that also takes positional arguments (`positionals`; null: none, as parseFlags):
 * the flags and the arguments in order. Flags may come before, between or after them; after `--` everything
 * is an argument. Throws FlagError as parseFlags does, and for fewer or more arguments than `positionals`
 * allows (the line names its usage and what was given).
 */
export function parseCommandLine<const S extends Record<string, FlagSpec>>(
  spec: S,
  positionals: PositionalSpec | null,
  argv: readonly string[],
): CommandLine<S> {
  const { rest, optionals } = takeOptionals(spec, argv);
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries(spec)) {
    if (f.type === 'optional') continue;
    options[name] = f.type === 'boolean' ? { type: 'boolean' } : f.type === 'repeated' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  const parsed = strictParse(spec, options, rest, positionals !== null);
  // strict parseArgs takes -k for a one-letter flag --k; the benches' flags are long only
  const short = parsed.tokens.find((t) => t.kind === 'option' && !t.rawName.startsWith('--'));
  if (short?.kind === 'option') throw new FlagError(`unknown flag ${short.rawName} (flags are long, like --help)`);
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const given = values[name];
    switch (f.type) {
      case 'boolean':
        out[name] = given === true;
        break;
      case 'string': {
        const text = typeof given === 'string' ? given : f.default;
        if (f.choices && typeof given === 'string' && !f.choices.includes(text)) {
          throw new FlagError(`--${name} takes ${f.choices.join(' or ')}, got ${JSON.stringify(text)}`);
        }
        out[name] = text;
        break;
      }
      case 'integer':
        out[name] = typeof given === 'string' ? wholeNumber(given, name, f.min ?? 0) : f.default;
        break;
      case 'integer-list':
        out[name] = typeof given === 'string' ? wholeNumbers(given, name, f.min ?? 0) : [...f.default];
        break;
      case 'custom':
        out[name] = typeof given === 'string' ? f.parse(given) : f.default === null ? null : f.parse(f.default);
        break;
      case 'repeated': {
        const texts = Array.isArray(given) ? given.map(String) : [];
        out[name] = f.parse ? texts.map((t) => f.parse!(t)) : texts;
        break;
      }
      case 'optional': {
        if (!optionals.has(name)) out[name] = { given: false, value: null };
        else {
          const text = optionals.get(name)!;
          out[name] = { given: true, value: text === null ? null : f.parse ? f.parse(text) : text };
        }
        break;
      }
    }
  }
  const args = parsed.positionals;
  if (positionals && (args.length < positionals.min || args.length > positionals.max)) {
    const given = args.length === 0 ? 'none' : `${args.length}: ${args.map((a) => JSON.stringify(a)).join(' ')}`;
    throw new FlagError(`takes ${positionals.usage} (${countOf(positionals)}), got ${given} (see --help)`);
  }
  const order: CommandLine<S>['order'] = [];
  const seen = new Map<string, number>();
  let positional = 0;
  for (const t of parsed.tokens) {
    if (t.kind === 'positional') order.push({ kind: 'arg', index: positional++ });
    else if (t.kind === 'option' && spec[t.name]?.type === 'repeated') {
      const index = seen.get(t.name) ?? 0;
      seen.set(t.name, index + 1);
      order.push({ kind: 'flag', name: t.name, index });
    }
  }
  return { flags: out as FlagValues<S>, args, order };
}

/** How many arguments a PositionalSpec takes, in words. */
function countOf(p: PositionalSpec): string {
  const word = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (p.min === p.max) return word(p.min);
  if (p.max === Infinity) return `at least ${word(p.min)}`;
  if (p.min === 0) return `at most ${word(p.max)}`;
  return `${p.min} to ${p.max} arguments`;
}

/**
 * The optional-value flags of `spec` taken out of argv (parseArgs has no such kind): each one's last text, null
 * when given alone, and the other arguments, in order, for parseArgs. `--NAME` takes the next argument as its
 * value unless there is none or it starts with `-`. The value of another flag (`--baseline --queue`) and
 * everything after `--` are left where they are, for parseArgs to take or refuse. FlagError for `--NAME=`.
 */
function takeOptionals(spec: Record<string, FlagSpec>, argv: readonly string[]): { rest: string[]; optionals: Map<string, string | null> } {
  const rest: string[] = [];
  const optionals = new Map<string, string | null>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const f = spec[name];
    if (f?.type === 'optional') {
      if (eq >= 0) {
        if (eq === arg.length - 1) throw new FlagError(`${arg} gives an empty value (write --${name} alone for none)`);
        optionals.set(name, arg.slice(eq + 1));
      } else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('-')) optionals.set(name, null);
        else {
          optionals.set(name, next);
          i++;
        }
      }
      continue;
    }
    rest.push(arg);
    // a value-taking flag written `--NAME VALUE`: its value goes with it, whatever it looks like
    if (eq < 0 && f && f.type !== 'boolean' && i + 1 < argv.length) rest.push(argv[++i]!);
  }
  return { rest, optionals };
}

/** parseArgs in strict mode (with its tokens); its refusal as a FlagError naming the flag. */
function strictParse(
  spec: Record<string, FlagSpec>,
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
  argv: readonly string[],
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals, tokens: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new FlagError(diagnose(spec, argv, allowPositionals) ?? String((err as Error).message).split('\n')[0]!);
  }
}

/** Why strict parsing refused argv, in one line naming the flag (null if the tokens do not show it). */
function diagnose(spec: Record<string, FlagSpec>, argv: readonly string[], allowPositionals: boolean): string | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, f] of Object.entries(spec)) options[name] = { type: f.type === 'boolean' ? 'boolean' : 'string' };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional' && !allowPositionals) return `unexpected argument ${JSON.stringify(t.value)}: this script takes flags only (see --help)`;
    if (t.kind !== 'option') continue;
    const f = spec[t.name];
    if (!t.rawName.startsWith('--')) return `unknown flag ${t.rawName} (flags are long, like --help)`;
    if (!f) {
      const near = closestName(t.name, Object.keys(spec));
      return `unknown flag ${t.rawName}${near ? `; did you mean --${near}?` : ''} (see --help)`;
    }
    if (f.type === 'boolean') {
      if (t.value !== undefined) return `${t.rawName} takes no value, got ${JSON.stringify(t.value)}`;
      continue;
    }
    if (t.value === undefined) return `${t.rawName} needs a value`;
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
      return `${t.rawName} needs a value, got ${JSON.stringify(t.value)}, which reads as a flag (write ${t.rawName}=${t.value} if it is the value)`;
    }
  }
  return null;
}

/** What readFlags and readCommandLine take besides the spec. */
export interface ReadOptions<V> {
  /**
   * Checks between flags (and arguments) that no one flag's spec can say (`--sample-of` is not for `--queue`);
   * throws FlagError to refuse the command line like any other bad flag.
   */
  check?: (values: V) => void;
  /** The arguments (default process.argv.slice(2)). */
  argv?: readonly string[];
}

/**
 * The calling script's flags (parseFlags over process.argv), after answering --help / -h (its header comment,
 * exit 0), then `check`ed. A bad command line prints `bench/SCRIPT.ts: REASON` on stderr and exits 2.
 * `moduleUrl`: the script's import.meta.url. Call it first, before any work.
 */
export function readFlags<const S extends Record<string, FlagSpec>>(moduleUrl: string, spec: S, options: ReadOptions<FlagValues<S>> = {}): FlagValues<S> {
  const { check, argv } = options;
  return readCommandLine(moduleUrl, spec, null, { argv, check: check && (({ flags }) => check(flags)) }).flags;
}

/**
 * readFlags for a script that also takes positional arguments (parseCommandLine): its flags and arguments, or
 * one line on stderr and exit 2.
 */
export function readCommandLine<const S extends Record<string, FlagSpec>>(
  moduleUrl: string,
  spec: S,
  positionals: PositionalSpec | null,
  options: ReadOptions<CommandLine<S>> = {},
): CommandLine<S> {
  const argv = options.argv ?? process.argv.slice(2);
  helpOrContinue(moduleUrl, argv);
  try {
    const read = parseCommandLine(spec, positionals, argv);
    options.check?.(read);
    return read;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    refuse(moduleUrl, err);
  }
}

/**
 * A bad command line, refused: `bench/SCRIPT.ts: REASON` on stderr, exit 2. For a FlagError found after the flags
 * were read (a --row that cannot fit a table); readFlags and readCommandLine refuse through it too.
 */
export function refuse(moduleUrl: string, err: FlagError): never {
  process.stderr.write(`bench/${basename(fileURLToPath(moduleUrl))}: ${err.message}\n`);
  process.exit(2);
}
