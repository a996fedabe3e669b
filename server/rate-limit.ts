// A small token bucket per client (its host: clientOf): bursts of `capacity` requests, refilled at `refillPerSecond`.
import type { RequestHandler } from 'express';
import ipaddr from 'ipaddr.js';
import { HttpError } from './http-error.js';

export interface RateLimitOptions {
  /** Requests allowed in a burst. Default 10. */
  capacity?: number;
  /** Tokens added back per second. Default 0.2 (one request every 5 s, sustained). */
  refillPerSecond?: number;
  /** Clock in milliseconds (tests). Default Date.now. */
  now?: () => number;
  /** Most addresses tracked at once; full buckets are forgotten first. Default 10,000. */
  maxClients?: number;
}

/** Token buckets per client address (a client is its socket's remote address). */
export interface RateLimiter {
  /** Takes a token for `key`: 0 when there was one, else the whole seconds until there will be (Retry-After). */
  take(key: string): number;
}

export function createRateBuckets(options: RateLimitOptions = {}): RateLimiter {
  const capacity = options.capacity ?? 10;
  const rate = options.refillPerSecond ?? 0.2;
  const now = options.now ?? Date.now;
  const maxClients = options.maxClients ?? 10_000;
  if (!(capacity >= 1) || !(rate > 0)) throw new Error('rate limit: capacity must be >= 1 and refillPerSecond > 0');
  const buckets = new Map<string, { tokens: number; at: number }>();

  const refill = (b: { tokens: number; at: number }, t: number): void => {
    b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
  };

  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxClients) {
          for (const [k, other] of buckets) {
            refill(other, t);
            if (other.tokens >= capacity) buckets.delete(k);
          }
          if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value!);
        }
        b = { tokens: capacity, at: t };
        buckets.set(key, b);
      }
      refill(b, t);
      if (b.tokens < 1) return Math.ceil((1 - b.tokens) / rate);
      b.tokens -= 1;
      return 0;
    },
  };
}

/**
 * The client a request is counted for: the host its address names, not the address itself. Every loopback
 * address (all of 127.0.0.0/8, ::1, and IPv4-mapped ones) is one client, "loopback": a local process can pick any
 * of 16 million 127.x.y.z sources, and each would otherwise get a fresh bucket. An IPv6 address counts by its
 * /56 (IPV6_PREFIX), as express-rate-limit does by default: a host picks any interface id in its /64 (privacy
 * addresses, RFC 8981) and is often delegated a /56 or more (RFC 6177), so per-address or per-/64 buckets are
 * fresh bursts for the asking; the price is that hosts sharing a /56 share a bucket. IPv4-mapped IPv6
 * (::ffff:a.b.c.d) counts as the IPv4 address. Parsed with ipaddr.js.
 */
export function clientOf(req: { socket: { remoteAddress?: string | undefined } }): string {
  return clientKey(req.socket.remoteAddress);
}

/** The IPv6 prefix length a client is counted by (clientOf). */
export const IPV6_PREFIX = 56;
/** The mask of the first four 16-bit parts of an IPv6 address for IPV6_PREFIX (at most 64). */
const IPV6_MASK = [0, 1, 2, 3].map((i) => (0xffff << (16 - Math.max(0, Math.min(16, IPV6_PREFIX - 16 * i)))) & 0xffff);

/** clientOf's key of one remote address (`undefined` and unparsable ones keep their own text). */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  // a zone index (fe80::1%eth0) is not part of the address
  const bare = address.replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return address;
  const parsed = ipaddr.process(bare);
  if (parsed.range() === 'loopback') return 'loopback';
  if (parsed.kind() === 'ipv4') return parsed.toString();
  // the first IPV6_PREFIX bits (within the first four 16-bit parts: a prefix of at most /64)
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p, i) => p & IPV6_MASK[i]!);
  return `${parts.map((p) => p.toString(16)).join(':')}::/${IPV6_PREFIX}`;
}

/** The message of a 429. */
export function tooManyMessage(wait: number): string {
  return `too many requests: try again in ${wait} s`;
}

/** Middleware over `buckets` (or new ones of `options`): a request without a token is a 429 HttpError with Retry-After. */
export function createRateLimiter(options: RateLimitOptions | RateLimiter = {}): RequestHandler {
  const buckets = 'take' in options ? options : createRateBuckets(options);
  return (req, _res, next) => {
    const wait = buckets.take(clientOf(req));
    next(wait === 0 ? undefined : new HttpError(429, tooManyMessage(wait), { 'Retry-After': String(wait) }));
  };
}
