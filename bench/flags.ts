// A bench script's flags: node:util parseArgs in strict mode over the flags the script declares, whole numbers
// checked, and a bad command line (an unknown flag, a missing value, a stray argument, a value that is not a
// number) refused with one line on stderr and exit 2, never a stack trace. --help / -h is answered first
// (bench/usage.ts: the script's header comment, which names every flag). parseFlags is pure; readFlags exits.
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
 *   FlagError for a value it does not take.
 * - repeated: a text value that may be given more than once: every value in order ([] when not given), each
 *   through `parse` when there is one.
 */
export type FlagSpec =
  | { type: 'boolean' }
  | { type: 'string'; default: string; choices?: readonly string[] }
  | { type: 'integer'; default: number; min?: number }
  | { type: 'integer-list'; default: readonly number[]; min?: number }
  | { type: 'custom'; default: string; parse: (text: string) => unknown }
  | { type: 'repeated'; parse?: (text: string) => unknown };

/** The value a FlagSpec gives. */
export type FlagValue<F extends FlagSpec> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'integer' }
      ? number
      : F extends { type: 'integer-list' }
        ? number[]
        : F extends { type: 'custom'; parse: (text: string) => infer T }
          ? T
          : F extends { type: 'repeated'; parse: (text: string) => infer T }
            ? T[]
            : string[];

export type FlagValues<S extends Record<string, FlagSpec>> = { [K in keyof S]: FlagValue<S[K]> };

/** `text` as a whole number of at least `min`; FlagError naming --`flag` otherwise. */
export function wholeNumber(text: string, flag: string, min = 0): number {
  const n = numberFromText(text) ?? NaN;
  if (!Number.isInteger(n) || n < min) throw new FlagError(`--${flag} takes a whole number of at least ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** `text` as comma-separated whole numbers (at least one), each at least `min`; FlagError naming --`flag` otherwise. */
export function wholeNumbers(text: string, flag: string, min = 0): number[] {
  const parts = text.split(',').map((t) => t.trim());
  const values = parts.map((t) => numberFromText(t) ?? NaN);
  if (values.some((n) => !Number.isInteger(n) || n < min)) {
    throw new FlagError(`--${flag} takes comma-separated whole numbers of at least ${min}, got ${JSON.stringify(text)}`);
  }
  return values;
}

/**
 * The flags of `spec` read from `argv` (parseArgs, strict: no other flag, no positional argument). Flags not
 * given take their defaults. Throws FlagError, in one line naming the flag, for an unknown flag (with the
 * nearest known name when one is close), a flag without its value, a value given to a boolean flag, a
 * positional argument, or a value its spec does not take.
 */
export function parseFlags<const S extends Record<string, FlagSpec>>(spec: S, argv: readonly string[]): FlagValues<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries(spec)) {
    options[name] = f.type === 'boolean' ? { type: 'boolean' } : f.type === 'repeated' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  const parsed = strictParse(spec, options, argv);
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
        out[name] = f.parse(typeof given === 'string' ? given : f.default);
        break;
      case 'repeated': {
        const texts = Array.isArray(given) ? given.map(String) : [];
        out[name] = f.parse ? texts.map((t) => f.parse!(t)) : texts;
        break;
      }
    }
  }
  return out as FlagValues<S>;
}

/** parseArgs in strict mode (with its tokens); its refusal as a FlagError naming the flag. */
function strictParse(spec: Record<string, FlagSpec>, options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new FlagError(diagnose(spec, argv) ?? String((err as Error).message).split('\n')[0]!);
  }
}

/** Why strict parsing refused argv, in one line naming the flag (null if the tokens do not show it). */
function diagnose(spec: Record<string, FlagSpec>, argv: readonly string[]): string | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, f] of Object.entries(spec)) options[name] = { type: f.type === 'boolean' ? 'boolean' : 'string' };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'positional') return `unexpected argument ${JSON.stringify(t.value)}: this script takes flags only (see --help)`;
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

/**
 * The calling script's flags (parseFlags over process.argv), after answering --help / -h (its header comment,
 * exit 0). A bad command line prints `bench/SCRIPT.ts: REASON` on stderr and exits 2. `moduleUrl`: the
 * script's import.meta.url. Call it first, before any work.
 */
export function readFlags<const S extends Record<string, FlagSpec>>(moduleUrl: string, spec: S, argv: readonly string[] = process.argv.slice(2)): FlagValues<S> {
  helpOrContinue(moduleUrl, argv);
  try {
    return parseFlags(spec, argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`bench/${basename(fileURLToPath(moduleUrl))}: ${err.message}\n`);
    process.exit(2);
  }
}
