// GET /api/runs/:id/points: the map as an Arrow IPC stream, or ?format=json rows in input order.
import { Router } from 'express';
import { sendCached } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { runIdParam } from '../params.js';
import { runOr404 } from './runs.js';

export function pointsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/points', async (req, res) => {
    const id = runIdParam(req.params.id);
    const format = req.query.format ?? 'arrow';
    if (format !== 'arrow' && format !== 'json') throw new HttpError(400, 'query parameter format must be arrow (default) or json');
    await runOr404(ctx, id);
    if (format === 'json') await new Promise<void>((resolve, reject) => ctx.readLimit(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    sendCached(req, res, format === 'json' ? await ctx.cache.pointsJson(id) : await ctx.cache.pointsArrow(id));
  });
  return router;
}
