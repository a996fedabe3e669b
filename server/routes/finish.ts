// POST /api/runs/:id/finish: ends a running job's t-SNE now and writes the run with the layout reached (the
// viewer's "Stop and keep this map"). 202 { id, status: "finishing" }; the job then completes as usual (its
// event stream says so). 200 { id, status: "complete", message } when its t-SNE has already ended (the run is
// measuring its metrics or writing itself: the finished map is kept, nothing to stop; an expected state, not an
// error). 409 when the job's map has not started forming (still training) or the job is not running; 404 for no job.
import { Router } from 'express';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { onlyQuery, runIdParam } from '../params.js';

export function finishRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/api/runs/:id/finish', ctx.requireToken, ctx.rateLimit, ctx.writesAllowed, async (req, res) => {
    onlyQuery(req.query, []);
    const id = runIdParam(req.params.id);
    await ctx.jobs.init();
    if (!ctx.jobs.get(id)) throw new HttpError(404, `no job ${id} on this server`);
    const answer = ctx.jobs.finishEarly(id);
    if (!answer.ok) throw new HttpError(409, answer.reason);
    res.setHeader('Cache-Control', 'no-store');
    if (answer.complete) {
      res.status(200).json({ id, status: 'complete', message: answer.complete });
      return;
    }
    res.status(202).json({ id, status: 'finishing' });
  });
  return router;
}
