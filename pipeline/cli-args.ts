// Command-line arguments: the parsed form every command receives, the parser (long options only, with a
// did-you-mean for unknown ones), help text, and the checks of required and whole-number options.
import { closestName, numberFromText } from './config.js';
import { InputError } from './errors.js';

/** Flags every command may take besides its own. */
export interface Parsed {
  values: Map<string, string>;
  /** Every value of a repeatable flag, in order. */
  lists: Map<string, string[]>;
  bools: Set<string>;
  positionals: string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Flags that take a value: name → help text. */
  flags: Record<string, string>;
  /** Flags that take no value. */
  bools: Record<string, string>;
  /** Flags (of `flags`) that may be given more than once; all values are in Parsed.lists. */
  repeatable?: string[];
  run(args: Parsed, io: Io): Promise<number>;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars). */
  tty: boolean;
  env: NodeJS.ProcessEnv;
}


export function parseArgs(argv: string[], spec: CommandSpec): Parsed {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const bools = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a !== '-' && a !== '-h') throw new InputError(`unknown option ${a} (options are long, like --help)`);
      if (a === '-h') bools.add('help');
      else positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (name in spec.bools) {
      if (eq >= 0) throw new InputError(`option --${name} takes no value`);
      bools.add(name);
    } else if (name in spec.flags) {
      let v: string | undefined;
      if (eq >= 0) v = a.slice(eq + 1);
      else {
        v = argv[i + 1];
        if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new InputError(`option --${name} needs a value`);
        i++;
      }
      values.set(name, v);
      if (spec.repeatable?.includes(name)) lists.set(name, [...(lists.get(name) ?? []), v]);
    } else {
      const known = [...Object.keys(spec.flags), ...Object.keys(spec.bools)];
      const near = closestName(name, known);
      throw new InputError(`unknown option --${name} for \`latentmap ${spec.name}\`${near ? `; did you mean --${near}?` : ''} (see latentmap ${spec.name} --help)`);
    }
  }
  return { values, lists, bools, positionals };
}

export function helpText(spec: CommandSpec, extra = ''): string {
  const lines = [`latentmap ${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`, ''];
  const entries = [...Object.entries(spec.flags).map(([k, d]) => [`--${k} VALUE`, d]), ...Object.entries(spec.bools).map(([k, d]) => [`--${k}`, d])];
  const width = Math.min(34, Math.max(...entries.map(([k]) => k!.length)) + 2);
  for (const [k, d] of entries) lines.push(`  ${k!.padEnd(width)}${d}`);
  if (extra) lines.push('', extra);
  return `${lines.join('\n')}\n`;
}

export function required(args: Parsed, flag: string): string {
  const v = args.values.get(flag);
  if (v === undefined || v === '') throw new InputError(`--${flag} is required`, { field: flag });
  return v;
}

export function optionalInt(args: Parsed, flag: string, min: number, max: number): number | null {
  const raw = args.values.get(flag);
  return raw === undefined ? null : intFromText(raw, flag, min, max);
}

/**
 * The whole number a flag's text (or an environment variable standing in for it) writes, from min to max.
 * Numbers as text follow one rule everywhere (config.ts numberFromText: decimal notation only; 0x10, 0123,
 * 1_000 are no numbers). InputError naming `--flag` otherwise.
 */
export function intFromText(raw: string, flag: string, min: number, max: number): number {
  const n = numberFromText(raw) ?? NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`, { field: flag });
  return n;
}

/** --header / --no-header: 'yes', 'no', or null when neither is given. InputError when both are. */
export function headerFlag(args: Parsed): 'yes' | 'no' | null {
  if (args.bools.has('header') && args.bools.has('no-header')) throw new InputError('give --header or --no-header, not both', { field: 'header' });
  return args.bools.has('header') ? 'yes' : args.bools.has('no-header') ? 'no' : null;
}
