// A run id, row index or other path parameter of a read that is not one, refused before routing. An outside
// tester's flood of such requests (50 clients, every answer a 400) held /api/health at p99 100 ms: each refusal
// went through the app's routers to its route, was thrown there, and went through them again as an error to the
// error handler. Here it is answered at once, with the body its route would give (the same status, `error`
// and `field`; error-handler.ts errorBody), so a refusal costs about what a health answer costs.
//
// Only GET and HEAD requests of a run's resources and of a job (`/api/jobs/:id`) are looked at, matched as
// Express matches them (case-insensitive, one trailing slash allowed, a parameter any text but '/', decoded
// with decodeURIComponent): those routes check their path parameters first (the run id, then the row index),
// so the answer is theirs. Anything this file does not recognise goes on to the routers as before.
import type { Request, RequestHandler, Response } from 'express';
import { errorBody, writeError } from './error-handler.js';
import { HttpError } from './http-error.js';
import { badRowIndex, badRunId } from './params.js';

/**
 * A run's GET routes: the id, then the row index of items and neighbours (null for the others), then a feature's
 * name (only decoded by its route).
 */
const RUN_READ =
  /^\/api\/runs\/([^/]+)(?:\/(?:history|events|points(?:\/(?:overview|region))?)|\/items\/([^/]+)(?:\/(?:image|reconstruction)\.png)?|\/neighbors\/([^/]+)|\/features\/([^/]+))?\/?$/i;
/** A job's GET route. */
const JOB_READ = /^\/api\/jobs\/([^/]+)\/?$/i;

/** What Express answers a path parameter it cannot decode (its URIError, status 400, through the error handler). */
const UNDECODABLE = new HttpError(400, 'bad request (malformed URL or parameters)');

/** A path parameter as Express gives it to a route, or null when Express could not decode it. */
function decoded(raw: string): string | null {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The 400 a route would answer for the path parameters of `path`, or null when they are fine (or not a route's). */
export function malformedPath(path: string): HttpError | null {
  const run = RUN_READ.exec(path);
  const params = run ? [run[1]!, run[2] ?? run[3], run[4]] : JOB_READ.exec(path)?.slice(1, 2);
  if (!params) return null;
  // Express decodes every parameter of the route it matched before calling it
  const [id, index, name] = params.map((p) => (p === undefined ? undefined : decoded(p)));
  if (id === null || index === null || name === null) return UNDECODABLE;
  return badRunId(id) ?? (index === undefined ? null : badRowIndex(index));
}

/** Middleware placed before the routers (and before the read limit: a refusal costs nothing to count): see the top of this file. */
export const refuseMalformedPaths: RequestHandler = (req: Request, res: Response, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    next();
    return;
  }
  const refused = malformedPath(req.path);
  if (refused === null) next();
  else writeError(req, res, refused.status, errorBody(refused), refused.headers);
};
