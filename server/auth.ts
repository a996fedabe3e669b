// Bearer-token check for writes, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** True when header is exactly `Bearer <token>`. Both sides are hashed first, so lengths never leak. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  const given = m ? m[1]! : '';
  const ok = timingSafeEqual(digest(given), digest(token));
  return ok && m !== null;
}

/** With a token, every request through this middleware needs `Authorization: Bearer <token>`; without one it is open. */
export function requireToken(token: string | null | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!token) {
      next();
      return;
    }
    const header = req.headers.authorization;
    if (!bearerMatches(header, token)) {
      next(
        new HttpError(401, header ? 'invalid token' : 'this server needs a token for writes: send Authorization: Bearer <token>', {
          'WWW-Authenticate': header ? 'Bearer error="invalid_token"' : 'Bearer',
        }),
      );
      return;
    }
    next();
  };
}
