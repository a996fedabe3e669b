// Security headers, Host and Origin checks.
import type { RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/**
 * The viewer's content security policy: everything from this origin only; images may also be data:/blob:
 * (canvas exports, generated thumbnails); inline style attributes are allowed (D3 sets styles).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};

/** The host name of a Host header value ("127.0.0.1:3000" → "127.0.0.1", "[::1]:80" → "::1"). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

/**
 * Refuses requests whose Host header names another host (DNS rebinding: a web page on evil.example
 * resolving to 127.0.0.1 must not read the API). Used when the server listens on loopback only.
 */
export function hostCheck(allowed: string[]): RequestHandler {
  const set = new Set(allowed.map((h) => h.toLowerCase()));
  // named once each in the 421 message (serving on 127.0.0.1 adds it a second time)
  const names = [...set];
  return (req, _res, next) => {
    const host = req.headers.host;
    if (!host || !set.has(hostName(host))) {
      next(
        new HttpError(
          421,
          `this server listens on loopback and answers only requests for ${names.join(', ')} (a guard against DNS rebinding); to reach it under another name, serve with --host 0.0.0.0 and a --token`,
        ),
      );
      return;
    }
    next();
  };
}

/**
 * Writes from a browser must come from the viewer's own origin: a cross-site page must not start or
 * cancel runs (CSRF). A browser says where a request comes from in Origin and, in browsers since 2020,
 * Sec-Fetch-Site: a foreign Origin, or Sec-Fetch-Site cross-site or same-site (another port or subdomain is
 * another site's page), is refused. Requests with neither (curl, scripts) pass; the token guards those.
 */
export const sameOriginWrites: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') {
    next();
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    next(new HttpError(403, 'cross-origin writes are refused'));
    return;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let ok = false;
    try {
      ok = new URL(origin).host.toLowerCase() === String(req.headers.host ?? '').toLowerCase();
    } catch {
      ok = false;
    }
    if (!ok) {
      next(new HttpError(403, 'cross-origin writes are refused'));
      return;
    }
  }
  next();
};
