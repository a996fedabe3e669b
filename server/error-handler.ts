// The final error handler: every failure becomes { "error": "..." } JSON with a 4xx/5xx status.
// No stack trace and no file path ever reaches a client; 5xx details go to the server log only.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { isInputError } from '../pipeline/errors.js';
import { operatorNote } from './data-roots.js';
import { HttpError, isCorruptRun } from './http-error.js';
import { isReadOnlyRefusal } from './read-only.js';
import { scrubPaths } from './scrub.js';

/** Messages for body-parser's and the router's own errors (their messages are not meant for clients). */
const TYPE_MESSAGES: Record<string, [number, string]> = {
  'entity.too.large': [413, 'request body too large'],
  'entity.parse.failed': [400, 'request body is not valid JSON'],
  'entity.verify.failed': [400, 'request body was rejected'],
  'encoding.unsupported': [415, 'unsupported content encoding'],
  'charset.unsupported': [415, 'unsupported charset: send UTF-8 JSON'],
  'request.aborted': [400, 'request aborted'],
  'request.size.invalid': [400, 'request size did not match Content-Length'],
  'stream.encoding.set': [500, 'internal error'],
};

/**
 * Every message answered has each absolute file path in it as `<path>`, whichever directory it names (a data
 * root, the runs directory, the installation, anywhere else): text a client sent comes back the same whether or
 * not it names one of the server's directories, so no answer confirms a guessed location. URL paths
 * (`/api/...`, a request line) stay as written (scrub.ts).
 */
export function createErrorHandler(options: { bodyLimit: number; log: (line: string) => void }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let message = 'internal error';
    let headers: Record<string, string> = {};
    let extra: Record<string, unknown> = {};
    if (err instanceof HttpError) {
      status = err.status;
      message = err.message;
      headers = err.headers;
      extra = err.extra;
    } else if (isInputError(err)) {
      status = 400;
      message = (err as Error).message;
      // the setting at fault, for a form to show the message beside its field
      const field = (err as { location?: { field?: unknown } }).location?.field;
      if (typeof field === 'string') extra = { field };
    } else if (err && typeof err === 'object') {
      const e = err as { type?: unknown; status?: unknown; statusCode?: unknown };
      const known = typeof e.type === 'string' ? TYPE_MESSAGES[e.type] : undefined;
      const s = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
      if (known) {
        [status, message] = known;
        if (status === 413) message = `request body too large (limit ${Math.round(options.bodyLimit / 1024)} kB)`;
      } else if (s >= 400 && s < 500) {
        status = s;
        message = s === 400 ? 'bad request (malformed URL or parameters)' : 'request refused';
      }
    }
    // A deliberate refusal (503 busy, with Retry-After; a write to a server serving its runs read-only, which the
    // start-up log said once) is no failure: logging each one would flood the log,
    // and format a stack trace per refused request, exactly when the server is saturated. A 5xx the server
    // chose is logged by its message, and so is a corrupt run's 409 (the operator has a run to remove or write
    // again); anything else with its stack.
    if ((status >= 500 && !(err instanceof HttpError && err.headers['Retry-After'] !== undefined) && !isReadOnlyRefusal(err)) || isCorruptRun(err)) {
      const detail = err instanceof HttpError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      options.log(`error ${req.method} ${req.originalUrl}: ${detail}`);
    }
    // a refusal answered without detail (a path refused the same whether it exists or not): the operator's log says why
    const note = operatorNote(err);
    if (note !== null) options.log(`refused ${req.method} ${req.originalUrl.slice(0, 200)}: ${note}`);
    if (res.headersSent) {
      // Too late for a JSON answer: cut the connection so the client sees a failure, not a truncated body.
      res.destroy();
      return;
    }
    const body = err instanceof HttpError ? errorBody(err) : JSON.stringify({ ...extra, error: scrubPaths(message) });
    writeError(req, res, status, body, headers);
  };
}

/**
 * The body of the answer for an HttpError: its extra fields and its message (composed by this server from ids,
 * URL paths and what the client sent: a run id, a row index, a feature's name), absolute paths as `<path>`.
 */
export function errorBody(err: HttpError): string {
  return JSON.stringify({ ...err.extra, error: scrubPaths(err.message) });
}

/**
 * Writes an error answer: `headers`, `Cache-Control: no-store`, the JSON `body` (none for HEAD). Written
 * directly, not through Express's res.json()/send() (an ETag hashed, the content type parsed and set again, per
 * answer): at 50 clients most answers of a saturated endpoint are refusals, and that path took a fifth of the
 * event loop's time in the feature-columns phase of bench:server.
 */
export function writeError(req: Request, res: Response, status: number, body: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.removeHeader('ETag');
  res.removeHeader('Content-Encoding');
  res.setHeader('Cache-Control', 'no-store');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** 404 for any /api route nothing answered. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no such API endpoint: ${req.method} ${(req.baseUrl + req.path).slice(0, 200)}`));
};
