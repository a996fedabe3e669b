import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { createRateBuckets } from '../../server/rate-limit.js';
import { isLimitedRead, readLimits } from '../../server/read-limit.js';

const req = (method: string, path: string, query: Record<string, string> = {}): Request => ({ method, path, query, socket: { remoteAddress: '10.0.0.1' } }) as unknown as Request;

/** A response that records what was sent. */
function sink(): Response & { sent: { status: number; headers: Record<string, unknown>; body: string | undefined } | null } {
  const headers: Record<string, unknown> = {};
  const res = {
    statusCode: 200,
    sent: null as null | { status: number; headers: Record<string, unknown>; body: string | undefined },
    setHeader(k: string, v: unknown) {
      headers[k.toLowerCase()] = v;
    },
    end(body?: Buffer) {
      res.sent = { status: res.statusCode, headers, body: body?.toString() };
    },
  };
  return res as never;
}

describe('the read limit before routing', () => {
  it('counts the expensive reads as Express routes them, and nothing else', () => {
    for (const [m, p, q] of [
      ['GET', '/api/runs/r1/items/3', {}],
      ['HEAD', '/api/runs/r1/items/3/image.png', {}],
      ['GET', '/api/runs/r1/Items/3/reconstruction.png/', {}],
      ['GET', '/api/runs/r1/neighbors/-1', {}],
      ['GET', '/api/runs/r1/features/f%2F0', {}],
      ['GET', '/api/runs/r1/points', { format: 'json' }],
      ['POST', '/api/runs/r1/decode', {}],
    ] as const) {
      expect(isLimitedRead(req(m, p, q)), `${m} ${p}`).toBe(true);
    }
    for (const [m, p, q] of [
      ['GET', '/api/health', {}],
      ['GET', '/api/runs/r1', {}],
      ['GET', '/api/runs/r1/points', {}],
      ['GET', '/api/runs/r1/points', { format: 'arrow' }],
      ['GET', '/api/runs/r1/points/overview', {}],
      ['GET', '/api/runs/r1/items', {}],
      ['GET', '/api/runs/r1/items/3/other.png', {}],
      ['POST', '/api/runs/r1/items/3', {}],
      ['GET', '/api/runs/r1/decode', {}],
      ['POST', '/api/runs', {}],
    ] as const) {
      expect(isLimitedRead(req(m, p, q)), `${m} ${p}`).toBe(false);
    }
  });

  it('answers a request past the limit 429 itself (no routing: next is never called), with the error handler\'s body and headers', () => {
    const { early } = readLimits(createRateBuckets({ capacity: 2, refillPerSecond: 0.5, now: () => 1000 }));
    let passed = 0;
    const next = (err?: unknown) => {
      expect(err).toBeUndefined();
      passed++;
    };
    for (let i = 0; i < 2; i++) early(req('GET', '/api/runs/r1/items/3'), sink(), next);
    expect(passed).toBe(2);
    const res = sink();
    early(req('GET', '/api/runs/r1/items/-1'), res, next);
    expect(passed).toBe(2);
    expect(res.sent).toEqual({
      status: 429,
      headers: { 'retry-after': '2', 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8', 'content-length': 47 },
      body: '{"error":"too many requests: try again in 2 s"}',
    });
    // cheap reads pass whatever the budget
    early(req('GET', '/api/health'), sink(), next);
    expect(passed).toBe(3);
    const head = sink();
    early(req('HEAD', '/api/runs/r1/items/3'), head, next);
    expect(head.sent?.status).toBe(429);
    expect(head.sent?.body).toBeUndefined();
  });
});
