// --help for the bench scripts: each script's usage is its header comment (the leading `//` lines), so
// `npm run bench:X -- --help` prints that and exits before any work starts. Pure but for helpOrContinue.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The leading `//` comment block of a source text, without the slashes (shebang skipped). */
export function headerComment(source: string): string {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    if (out.length === 0 && line.startsWith('#!')) continue;
    if (!line.startsWith('//')) break;
    out.push(line.replace(/^\/\/ ?/, ''));
  }
  return out.join('\n');
}

/** True when argv asks for help (`--help` or `-h`). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/**
 * Prints the calling script's header comment and exits 0 when argv holds --help or -h; else returns.
 * `moduleUrl`: the script's import.meta.url. Call it first, before any work.
 */
export function helpOrContinue(moduleUrl: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!wantsHelp(argv)) return;
  process.stdout.write(`${headerComment(readFileSync(fileURLToPath(moduleUrl), 'utf8'))}\n`);
  process.exit(0);
}
