// GET /api/runs/:id/points: the map as an Arrow IPC stream, or ?format=json rows in input order.
// ?columns=a,b (only these columns, in this order) or ?exclude=a,b (every other column, in file order)
// select columns of the stream, so a viewer can fetch what its first picture needs (index, x, y, label)
// apart from the rest: at ten million rows the whole stream is 280 MB.
import { Router } from 'express';
import { sendCached } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { onlyQuery, queryError, runIdParam } from '../params.js';
import { addPointsSubsetRoutes } from './points-subset.js';
import { runOr404 } from './runs.js';

/** The names of a comma-separated column list parameter, each one the table has; 400 otherwise. */
function columnList(param: string, value: unknown, have: string[]): string[] {
  if (typeof value !== 'string' || value.trim() === '') throw queryError(param, `query parameter ${param} must be a comma-separated list of column names`);
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!have.includes(name)) throw queryError(param, `query parameter ${param}: the points have no column “${name}” (they have: ${have.join(', ')})`);
  }
  if (new Set(names).size !== names.length) throw queryError(param, `query parameter ${param} names a column twice`);
  return names;
}

export function pointsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/points', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, ['format', 'columns', 'exclude']);
    const format = req.query.format ?? 'arrow';
    if (format !== 'arrow' && format !== 'json') throw queryError('format', 'query parameter format must be arrow (default) or json');
    const { columns, exclude } = req.query;
    if (columns !== undefined && exclude !== undefined) throw queryError('exclude', 'query parameters columns and exclude cannot be used together');
    if (format === 'json' && (columns !== undefined || exclude !== undefined)) throw queryError(columns !== undefined ? 'columns' : 'exclude', 'query parameters columns and exclude apply to the Arrow stream, not format=json');
    await runOr404(ctx, id);
    if (format === 'json') {
      // counted against the read limit before routing (read-limit.ts)
      sendCached(req, res, await ctx.cache.pointsJson(id));
      return;
    }
    let selected: string[] | undefined;
    if (columns !== undefined || exclude !== undefined) {
      const have = (await ctx.cache.points(id)).table.schema.fields.map((f) => f.name);
      if (columns !== undefined) selected = columnList('columns', columns, have);
      else {
        const drop = new Set(columnList('exclude', exclude, have));
        selected = have.filter((name) => !drop.has(name));
        if (selected.length === 0) throw queryError('exclude', 'query parameter exclude leaves no column');
      }
    }
    sendCached(req, res, await ctx.cache.pointsArrow(id, selected));
  });
  // the overview and region answers for maps past what a browser holds
  addPointsSubsetRoutes(router, ctx);
  return router;
}
