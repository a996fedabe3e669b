// The jobs this server knows (runs started over HTTP): GET /api/jobs (newest first) and GET /api/jobs/:id.
import { Router } from 'express';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { JSON_TYPE } from '../run-cache.js';
import { HttpError } from '../http-error.js';
import { onlyQuery, runIdParam } from '../params.js';

export function jobsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/jobs', async (req, res) => {
    onlyQuery(req.query, []);
    await ctx.jobs.init();
    // One entry per job this runs directory has seen: compressed when long (cached-body.ts FRESH_MIN_COMPRESS).
    await sendFresh(req, res, Buffer.from(JSON.stringify(ctx.jobs.list().map((j) => ctx.jobs.publicView(j)))), JSON_TYPE, 'no-store');
  });

  router.get('/api/jobs/:id', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, []);
    await ctx.jobs.init();
    const job = ctx.jobs.get(id);
    if (!job) throw new HttpError(404, `no job ${id}`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(ctx.jobs.publicView(job));
  });

  return router;
}
