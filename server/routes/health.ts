// GET /api/health: the server is up; how many jobs are queued and running.
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import type { ServerContext } from '../context.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function healthRoutes(ctx: ServerContext): Router {
  const router = Router();
  const started = Date.now();
  router.get('/api/health', (_req, res) => {
    const jobs = ctx.jobs.list();
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      status: 'ok',
      version: VERSION,
      uptime: Math.round((Date.now() - started) / 1000),
      jobs: { queued: jobs.filter((j) => j.status === 'queued').length, running: jobs.filter((j) => j.status === 'running').length },
    });
  });
  return router;
}
