// Runs as a resource: list, manifest, history; start one (POST), cancel one (DELETE).
import path from 'node:path';
import express, { Router, type Request } from 'express';
import { parsePartialConfig, resolveConfig } from '../../pipeline/config.js';
import type { RunConfig, RunManifest, RunSummary } from '../../pipeline/types.js';
import { sendCached } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { QueueFullError } from '../jobs/queue.js';
import { runIdParam } from '../params.js';
import type { RunInfo } from '../run-cache.js';
import { reducerOfRun } from '../../pipeline/reduce/reducer.js';

export function summarize(m: RunManifest): RunSummary {
  return {
    id: m.id,
    name: m.name,
    createdAt: m.createdAt,
    dataset: m.dataset?.name ?? '',
    rows: m.dataset?.rows ?? 0,
    reducer: reducerOfRun(m),
    variant: m.config?.variant,
    base: m.base ?? null,
  };
}

/** Loads a complete run's info, turning "not found" into a message about the job when one exists. */
export async function runOr404(ctx: ServerContext, id: string): Promise<RunInfo> {
  try {
    return await ctx.cache.run(id);
  } catch (err) {
    const job = ctx.jobs.get(id);
    if (err instanceof HttpError && err.status === 404 && job && job.status !== 'complete') {
      const what = job.status === 'queued' || job.status === 'running' ? `is ${job.status}; follow /api/runs/${id}/events` : `${job.status}${job.error ? `: ${job.error}` : ''}`;
      throw new HttpError(404, `run ${id} ${what}`, {}, { status: job.status });
    }
    throw err;
  }
}

/** Parses raw request bytes as JSON: empty, non-UTF-8 and malformed bodies are 400s. */
export function parseJsonBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new HttpError(400, 'send the run configuration as a JSON object in the request body (it may be {})');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

/** Validates a POST body as a run configuration; the runs directory is always the server's own. */
export function configFromBody(body: unknown, runsDir: string): Partial<RunConfig> {
  const partial = parsePartialConfig(body, 'request body');
  if (partial.runsDir !== undefined) {
    if (path.resolve(partial.runsDir) !== path.resolve(runsDir)) {
      throw new HttpError(400, 'field "runsDir": runs started over HTTP are always written to the server\'s runs directory; leave runsDir out');
    }
    delete partial.runsDir;
  }
  // Cross-field rules (dataset vs input, exaggeration vs iterations ...), same as the CLI.
  resolveConfig(partial);
  return partial;
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new HttpError(415, 'send the run configuration as JSON with Content-Type: application/json');
  }
}

export function runsRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/api/runs', async (_req, res) => {
    const runs = await ctx.store.list();
    res.setHeader('Cache-Control', 'no-cache');
    res.json(runs.map(summarize));
  });

  router.get('/api/runs/:id', async (req, res) => {
    const info = await runOr404(ctx, runIdParam(req.params.id));
    sendCached(req, res, info.body);
  });

  router.get('/api/runs/:id/history', async (req, res) => {
    const id = runIdParam(req.params.id);
    await runOr404(ctx, id);
    sendCached(req, res, await ctx.cache.history(id));
  });

  // Raw bytes, parsed here: an empty body is an error, not silently {}.
  const readBody = express.raw({ limit: ctx.bodyLimit, type: () => true });

  router.post(
    '/api/runs',
    ctx.rateLimit,
    ctx.requireToken,
    (req, _res, next) => {
      requireJson(req);
      next();
    },
    readBody,
    async (req, res) => {
      const config = configFromBody(parseJsonBody(req.body), ctx.store.dir);
      let job;
      try {
        job = await ctx.jobs.submit(config);
      } catch (err) {
        if (err instanceof QueueFullError) throw new HttpError(503, err.message, { 'Retry-After': '30' });
        throw err;
      }
      res.setHeader('Location', `/api/runs/${job.id}`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(202).json({ id: job.id, status: job.status, events: `/api/runs/${job.id}/events` });
    },
  );

  router.delete('/api/runs/:id', ctx.requireToken, async (req, res) => {
    const id = runIdParam(req.params.id);
    await ctx.jobs.init();
    const job = ctx.jobs.get(id);
    if (job && (job.status === 'queued' || job.status === 'running')) {
      const after = await ctx.jobs.cancel(id);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ id, status: after?.status ?? 'cancelled' });
      return;
    }
    if (await ctx.store.exists(id)) {
      throw new HttpError(409, `run ${id} is complete, and runs are immutable: only queued or running jobs can be cancelled (remove old runs with latentmap prune)`);
    }
    if (job) throw new HttpError(409, `job ${id} already ended (${job.status}); nothing to cancel`, {}, { status: job.status });
    throw new HttpError(404, `no run or job ${id}`);
  });

  return router;
}
