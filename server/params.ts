// Strict validation of route parameters: nothing that fails here reaches the file system.
import type { RequestHandler } from 'express';
import { runIdProblem } from '../pipeline/runs/run-id.js';
import { HttpError } from './http-error.js';

/** The 400 for a path's run id that is not one (run-id.ts), or null when it is one. */
export function badRunId(raw: unknown): HttpError | null {
  const problem = runIdProblem(raw);
  return problem === null ? null : new HttpError(400, problem);
}

export function runIdParam(raw: unknown): string {
  const refused = badRunId(raw);
  if (refused) throw refused;
  return raw as string;
}

/**
 * The 400 for a row index (the path's `:index`) that is not a non-negative whole number written in plain decimal
 * digits, at most 2^31 - 1, naming `index` as its field, as every 400 about a parameter names it; null for one.
 */
export function badRowIndex(raw: unknown): HttpError | null {
  if (typeof raw === 'string' && /^(0|[1-9][0-9]{0,9})$/.test(raw) && Number(raw) <= 2147483647) return null;
  return queryError('index', `invalid row index ${JSON.stringify(String(raw).slice(0, 40))}: use a non-negative whole number`);
}

/** A row index (the path's `:index`) as a number; badRowIndex's 400 otherwise. */
export function rowIndexParam(raw: unknown): number {
  const refused = badRowIndex(raw);
  if (refused) throw refused;
  return Number(raw);
}

/**
 * A 400 about request parameter `name` (a query parameter, or a path parameter such as a row's `index`): the
 * answer names it as `"field"`, as a refused run setting is named (error-handler.ts), so every 400 about a
 * parameter says which one.
 */
export function queryError(name: string, message: string): HttpError {
  return new HttpError(400, message, {}, { field: name });
}

/**
 * Refuses a query parameter the route does not take (`?kk=5` for `?k=5` would otherwise be answered with the
 * default, as if it had been read): 400 naming it as `field`, with the parameters the route takes.
 */
export function onlyQuery(query: object, allowed: readonly string[]): void {
  for (const key of Object.keys(query)) {
    if (!allowed.includes(key)) {
      const takes = allowed.length ? `this endpoint takes ${allowed.join(', ')}` : 'this endpoint takes none';
      throw queryError(key.slice(0, 60), `unknown query parameter ${JSON.stringify(key.slice(0, 60))} (${takes})`);
    }
  }
}

/** An optional whole-number query parameter within [min, max]. */
export function intQuery(raw: unknown, name: string, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw queryError(name, `query parameter ${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/**
 * Refuses a query that writes a parameter in bracket syntax (`?k[]=1`, `?scale[x]=2`): the server's query
 * parser reads such a key as a parameter of another name, so the route would answer with its default instead of
 * what was asked. 400 naming the key.
 */
export const noBracketQueries: RequestHandler = (req, _res, next) => {
  const key = Object.keys(req.query as Record<string, unknown>).find((k) => k.includes('[') || k.includes(']'));
  next(key === undefined ? undefined : queryError(key.slice(0, 60), `query parameter ${JSON.stringify(key.slice(0, 60))}: give each parameter once as name=value (no [] arrays)`));
};
