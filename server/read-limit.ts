// The per-client limit on expensive reads (a row, its pictures, neighbours, a feature column, decodes, the
// points as JSON), applied before routing: a client past it is answered 429 at once, with a body made once per
// Retry-After value. At 50 connections most answers of such an endpoint are these refusals (2,500 a second in an
// outside tester's flood of bad row indexes); made the usual way, each passed through every router of the app
// twice (to its route, then as an error to the error handler) with an error object, and the event loop spent
// that time while /api/health waited.
import type { Request, RequestHandler, Response } from 'express';
import { clientOf, createRateLimiter, tooManyMessage, type RateLimiter } from './rate-limit.js';

/** GET (and HEAD) routes the limit applies to, as Express matches them (case-insensitive, a trailing / allowed). */
const LIMITED_GET = /^\/api\/runs\/[^/]+\/(?:items\/[^/]+(?:\/(?:image|reconstruction)\.png)?|neighbors\/[^/]+|features\/[^/]+)\/?$/i;
/** The points route: limited as JSON (`?format=json`), which is built per run and large; the Arrow stream is not. */
const POINTS = /^\/api\/runs\/[^/]+\/points\/?$/i;
const LIMITED_POST = /^\/api\/runs\/[^/]+\/decode\/?$/i;

/** Whether `req` is one of the expensive reads the limit counts. */
export function isLimitedRead(req: Request): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return LIMITED_GET.test(req.path) || (POINTS.test(req.path) && req.query.format === 'json');
  return req.method === 'POST' && LIMITED_POST.test(req.path);
}

/** The 429 bodies by Retry-After value (a few values recur: the limit's refill time). */
const bodies = new Map<number, Buffer>();

function refuse(req: Request, res: Response, wait: number): void {
  let body = bodies.get(wait);
  if (!body) {
    body = Buffer.from(JSON.stringify({ error: tooManyMessage(wait) }));
    if (bodies.size < 64) bodies.set(wait, body);
  }
  // as the error handler answers a 429 (headers, body), without the trip through the routers
  res.statusCode = 429;
  res.setHeader('Retry-After', String(wait));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Middleware placed before the routers: counts every expensive read against `buckets` and answers one without a
 * token 429 (Retry-After) there. `late` is the same limit for a route to apply after its own checks (the region
 * route: a cached answer costs nothing).
 */
export function readLimits(buckets: RateLimiter): { early: RequestHandler; late: RequestHandler } {
  const early: RequestHandler = (req, res, next) => {
    if (!isLimitedRead(req)) {
      next();
      return;
    }
    const wait = buckets.take(clientOf(req));
    if (wait === 0) next();
    else refuse(req, res, wait);
  };
  return { early, late: createRateLimiter(buckets) };
}
