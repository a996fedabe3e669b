// GET /api/runs/:id/events: a job's progress as server-sent events.
//   event: state     data: the job (id, status, progress, error ...); sent first and on every status change
//   event: progress  data: the ProgressEvent of pipeline/types.ts plus the job's id { id, type, stage, progress, elapsed, epoch, loss, ... };
//                    at most 5 a second per stream, the latest of each interval (server/progress-coalescer.ts),
//                    every stage change at once
//   event: log       data: { id, level, message }
//   event: layout    data: the map so far while t-SNE runs (pipeline/layout-frame.ts) plus the job's id; the
//                    latest one is sent first to a client that starts watching mid-run
// The stream ends after the state event of a finished job (status complete, failed or cancelled).
// A complete run that no job of this server made answers one state event { id, status: "complete" } and ends.
import { Router } from 'express';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import type { JobEvent, JobState } from '../jobs/queue.js';
import { onlyQuery, runIdParam } from '../params.js';
import { ProgressCoalescer } from '../progress-coalescer.js';

const FINISHED = new Set(['complete', 'failed', 'cancelled']);
const HEARTBEAT_MS = 15_000;

export function eventsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/events', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, []);
    await ctx.jobs.init();
    const job = ctx.jobs.get(id);
    let initial: Pick<JobState, 'id' | 'status'> | JobState;
    // every state event shows the job as /api/jobs does (no path of the server, no other client's paths)
    if (job) {
      // a job that wrote its run says complete only while the run reads as one (a run damaged since is corrupt here too)
      if (job.status === 'complete' && (await ctx.store.exists(id))) await ctx.cache.run(id);
      initial = ctx.jobs.publicView(job);
    } else if (await ctx.store.exists(id)) {
      // Complete only when its manifest reads as one (a corrupt run answers as it does everywhere).
      await ctx.cache.run(id);
      initial = { id, status: 'complete' };
    } else throw new HttpError(404, `no run or job ${id}`);

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    let seq = 0;
    const send = (event: string, data: unknown): void => {
      res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 3000\n\n');
    send('state', initial);
    if (FINISHED.has(initial.status)) {
      res.end();
      return;
    }
    let unsubscribe = (): void => {};
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    ctx.streams.add(res);
    const progress = new ProgressCoalescer((p) => send('progress', { id, ...p }));
    const stop = (): void => {
      clearInterval(heartbeat);
      progress.dispose();
      unsubscribe();
      ctx.streams.delete(res);
    };
    const latest = ctx.jobs.layout(id);
    if (latest) send('layout', { id, ...latest });
    unsubscribe = ctx.jobs.subscribe(id, (e: JobEvent) => {
      if (e.type === 'progress') progress.push(e.progress);
      else if (e.type === 'layout') send('layout', { id, ...e.frame });
      else if (e.type === 'log') send('log', { id, level: e.level, message: e.message });
      else {
        progress.flush();
        send('state', ctx.jobs.publicView(e.job));
        if (FINISHED.has(e.job.status)) {
          stop();
          res.end();
        }
      }
    });
    req.on('close', stop);
    res.on('close', stop);
  });
  return router;
}
