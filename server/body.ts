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

/** Parses raw request bytes as JSON: empty, non-UTF-8, too deeply nested and malformed bodies are 400s. */
export function parseJsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new HttpError(400, 'send the run configuration as a JSON object in the request body (it may be {})');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new HttpError(400, `request body nests deeper than ${MAX_JSON_DEPTH} levels; a run configuration is one flat object`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
