// The run id rule and the run-naming rule, in one place: what an id may contain, the one message that
// refuses a bad one (the CLI prints it, the server answers it with 400), and how fresh ids are made.
import { randomBytes } from 'node:crypto';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/;

/** Run ids are letters, digits, '-' and '_' only (so never '.', '/', '%' or '..'), at most 120 characters. */
export function isValidRunId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Why `id` is not a run id, or null when it is one. The one wording every caller uses. */
export function runIdProblem(id: unknown): string | null {
  if (isValidRunId(id)) return null;
  return `invalid run id ${JSON.stringify(String(id).slice(0, 130))}: ids are letters, digits, '-' and '_' (at most 120 characters)`;
}

/**
 * A fresh id for a run named `name`: UTC timestamp (yyyymmdd-hhmmss), a slug of the name (at most 40
 * characters of a-z, 0-9 and '-', "run" when nothing is left) and 6 random hex digits, so concurrent jobs
 * with the same name at the same second still get distinct ids.
 */
export function newRunId(name: string, now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  return `${ts}-${slug}-${randomBytes(3).toString('hex')}`;
}
