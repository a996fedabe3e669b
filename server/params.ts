// Strict validation of route parameters: nothing that fails here reaches the file system.
import type { RequestHandler } from 'express';
import { runIdProblem } from '../pipeline/runs/run-id.js';
import { HttpError } from './http-error.js';

export function runIdParam(raw: unknown): string {
  const problem = runIdProblem(raw);
  if (problem !== null) throw new HttpError(400, problem);
  return raw as string;
}

/** A row index: a non-negative whole number written in plain decimal digits, at most 2^31 - 1. */
export function rowIndexParam(raw: unknown): number {
  if (typeof raw !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(raw) || Number(raw) > 2147483647) {
    throw new HttpError(400, `invalid row index ${JSON.stringify(String(raw).slice(0, 40))}: use a non-negative whole number`);
  }
  return Number(raw);
}

/** An optional whole-number query parameter within [min, max]. */
export function intQuery(raw: unknown, name: string, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError(400, `query parameter ${name} must be a whole number from ${min} to ${max}`);
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
  next(key === undefined ? undefined : new HttpError(400, `query parameter ${JSON.stringify(key.slice(0, 60))}: give each parameter once as name=value (no [] arrays)`));
};
