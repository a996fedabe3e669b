// The final error handler: every failure becomes { "error": "..." } JSON with a 4xx/5xx status.
// No stack trace and no file path ever reaches a client; 5xx details go to the server log only.
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isInputError } from '../pipeline/errors.js';
import { HttpError, isCorruptRun } from './http-error.js';
import { isReadOnlyRefusal } from './read-only.js';
import { scrubPaths, type ScrubRoot } from './scrub.js';

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
 * `dataRoots`: the directories runs started over HTTP may read (named `data-root:` in answers); `hidden`: the
 * server's own directories (runs directory, installation), which become `<path>` like any other path.
 */
export function createErrorHandler(options: { dataRoots: string[]; hidden: string[]; bodyLimit: number; log: (line: string) => void }): ErrorRequestHandler {
  // A file under a data root is named as the client may name it (`data-root:a/b.csv`); any other path, the
  // server's own directories included, is `<path>` alike, so an answer never tells whether a guessed
  // directory is one of the server's.
  const roots: ScrubRoot[] = [
    ...options.dataRoots.map((r) => ({ dir: path.resolve(r), as: 'data-root:' })),
    ...[...options.hidden.map((r) => path.resolve(r)), tmpdir(), process.cwd()].map((dir) => ({ dir, as: '<path>' })),
  ];
  return (err: unknown, req, res, _next) => {
    let status = 500;
    let message = 'internal error';
    let headers: Record<string, string> = {};
    let extra: Record<string, unknown> = {};
    // Messages this server composed name only URL paths and ids; anything else may carry a file path.
    let anyPath = true;
    if (err instanceof HttpError) {
      anyPath = false;
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
    if (res.headersSent) {
      // Too late for a JSON answer: cut the connection so the client sees a failure, not a truncated body.
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.removeHeader('ETag');
    res.removeHeader('Content-Encoding');
    res.setHeader('Cache-Control', 'no-store');
    // Written directly, not through Express's res.json()/send() (an ETag hashed, the content type parsed and
    // set again, per answer): at 50 clients most answers of a saturated endpoint are 429/503 refusals, and
    // that path took a fifth of the event loop's time in the feature-columns phase of bench:server.
    const body = JSON.stringify({ ...extra, error: scrubPaths(message, roots, anyPath) });
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** 404 for any /api route nothing answered. */
export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, `no such API endpoint: ${req.method} ${req.path.slice(0, 200)}`));
};
