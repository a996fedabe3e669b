// Request bodies: refused by their declared size before a byte is read, and JSON refused when it nests
// deeper than any run configuration could (a 10,000-level body is a 400, not a stack overflow).
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** Nesting a run configuration never needs (it is one object of scalars and short lists). */
export const MAX_JSON_DEPTH = 32;

/** 413 at once when Content-Length passes `limit` (the connection is closed: the body is never read). */
export function declaredLengthWithin(limit: number, what = 'request body'): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      next(new HttpError(413, `${what} too large: ${declared} bytes declared, the limit is ${limit}`, { Connection: 'close' }));
      return;
    }
    next();
  };
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** What a route's JSON body is, for its 400s: the run configuration of POST /api/runs by default. */
export interface BodyShape {
  /** What to send, for an empty body: "send ... in the request body". */
  expected: string;
  /** What the body looks like, for one nested too deep. */
  shape: string;
}

const RUN_CONFIGURATION: BodyShape = { expected: 'the run configuration as a JSON object', shape: 'a run configuration is one flat object (it may be {})' };

/**
 * Parses raw request bytes as JSON: empty, non-UTF-8, too deeply nested and malformed bodies are 400s, which
 * say what the route takes (`body`).
 */
export function parseJsonBody(raw: unknown, body: BodyShape = RUN_CONFIGURATION): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new HttpError(400, `send ${body.expected} in the request body; ${body.shape}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new HttpError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels; ${body.shape}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
