// The jobs this server knows (runs started over HTTP): GET /api/jobs (newest first) and GET /api/jobs/:id.
import { Router } from 'express';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { runIdParam } from '../params.js';

export function jobsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/jobs', async (_req, res) => {
    await ctx.jobs.init();
    res.setHeader('Cache-Control', 'no-store');
    res.json(ctx.jobs.list().map((j) => ctx.jobs.publicView(j)));
  });

  router.get('/api/jobs/:id', async (req, res) => {
    const id = runIdParam(req.params.id);
    await ctx.jobs.init();
    const job = ctx.jobs.get(id);
    if (!job) throw new HttpError(404, `no job ${id}`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(ctx.jobs.publicView(job));
  });

  return router;
}
