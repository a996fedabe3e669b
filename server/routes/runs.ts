// Runs as a resource: list, manifest, history; start one (POST), cancel one (DELETE).
import path from 'node:path';
import express, { Router, type Request } from 'express';
import { parsePartialConfig, resolveConfig } from '../../pipeline/config.js';
import { InputError, reworded } from '../../pipeline/errors.js';
import { findUploadFile } from '../../pipeline/runs/uploads.js';
import { checkInputFit, submittedFit } from '../../pipeline/input-fit.js';
import type { ProgressEvent, UploadReading, UploadShape } from '../../pipeline/types.js';
import type { TaskProgress } from '../read-tasks.js';
import { declaredLengthWithin, parseJsonBody } from '../body.js';
import { sendCached } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { checkColumnChoices, type ColumnSource } from '../column-check.js';
import { checkFile } from '../file-check.js';
import { HttpError } from '../http-error.js';
import { checkJobLimits } from '../job-limits.js';
import { JobStoreError, QueueFullError } from '../jobs/queue.js';
import { onlyQuery, runIdParam } from '../params.js';
import type { RunInfo } from '../run-cache.js';
import { checkRunInputs, inputShape } from '../run-inputs.js';

/** A check of a file's shape, shared by the submissions that name the same version of the file. */
interface ShapeCheck {
  shape: Promise<UploadShape>;
  /** Told each progress report of the check (bytes of the file read). */
  watchers: Set<TaskProgress>;
  last: ProgressEvent | null;
  /** Settled: no more progress will come. */
  done: boolean;
}

/** The shape of a file under a data root, checked once per version of the file and way of reading it. */
const shapes = new Map<string, ShapeCheck>();

/**
 * The shape of a file under a data root, read as the run will read it (header, encoding), with the cap uploads
 * have on what a gzipped file may decompress to (413 past it): a run started over HTTP never makes the server
 * decompress more from one file than an upload may hold. `onProgress` is told how far the check has got (the
 * last report at once, when it is already under way).
 */
async function fileShape(ctx: ServerContext, file: string, shown: string, reading: UploadReading, onProgress: TaskProgress): Promise<UploadShape> {
  const { stat } = await import('node:fs/promises');
  const s = await stat(file);
  const key = `${file}\n${s.mtimeMs}\n${s.size}\n${reading.header}\n${reading.encoding}`;
  let c = shapes.get(key);
  if (!c) {
    const check: ShapeCheck = { shape: Promise.resolve(null as unknown as UploadShape), watchers: new Set(), last: null, done: false };
    const report = (p: ProgressEvent): void => {
      check.last = p;
      for (const w of check.watchers) w(p);
    };
    check.shape = checkFile((task, progress) => ctx.workers.run(task, [], null, progress ?? null), file, {
      what: `the input ${JSON.stringify(shown.slice(0, 80))}`,
      maxDecompressedBytes: ctx.uploads.maxBytes,
      reading,
      onProgress: report,
    }).catch((err: unknown) => {
      if (err instanceof InputError) throw reworded(err, (text) => text.split(file).join(shown).split(path.dirname(file)).join(''), 'input');
      throw err;
    });
    const settled = (): void => {
      check.done = true;
      check.watchers.clear();
    };
    check.shape.then(settled, () => {
      settled();
      shapes.delete(key);
    });
    if (shapes.size > 100) shapes.delete(shapes.keys().next().value!);
    shapes.set(key, check);
    c = check;
  }
  if (!c.done) {
    c.watchers.add(onProgress);
    if (c.last) onProgress(c.last);
  }
  return c.shape;
}

/** Whether `p` settles within `ms` (its outcome is left to the caller). */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([p.then(() => true, () => true), late]).finally(() => clearTimeout(timer));
}

/** Loads a complete run's info, turning "not found" into a message about the job when one exists. */
export async function runOr404(ctx: ServerContext, id: string): Promise<RunInfo> {
  try {
    return await ctx.cache.run(id);
  } catch (err) {
    const job = ctx.jobs.get(id);
    if (err instanceof HttpError && err.status === 404 && job && job.status !== 'complete') {
      // the job's error as /api/jobs shows it (no server path)
      const error = ctx.jobs.publicView(job).error;
      const what = job.status === 'queued' || job.status === 'running' ? `is ${job.status}; follow /api/runs/${id}/events` : `${job.status}${error ? `: ${error}` : ''}`;
      throw new HttpError(404, `run ${id} ${what}`, {}, { status: job.status });
    }
    throw err;
  }
}

function requireJson(req: Request): void {
  if (!req.is('application/json')) {
    throw new HttpError(415, 'send the run configuration as JSON with Content-Type: application/json');
  }
}

export function runsRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/api/runs', async (req, res) => {
    onlyQuery(req.query, []);
    sendCached(req, res, await ctx.runList.json(), 'no-cache');
  });

  router.get('/api/runs/:id', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, []);
    const info = await runOr404(ctx, id);
    sendCached(req, res, info.body);
  });

  router.get('/api/runs/:id/history', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, []);
    await runOr404(ctx, id);
    sendCached(req, res, await ctx.cache.history(id));
  });

  // Raw bytes, parsed here: an empty body is an error, not silently {}.
  const readBody = express.raw({ limit: ctx.bodyLimit, type: () => true });

  router.post(
    '/api/runs',
    // the token first: a request without it is refused before it can spend the budget the token holder's writes
    // share with every other process on the same host (rate-limit.ts counts a host as one client)
    ctx.requireToken,
    ctx.rateLimit,
    ctx.writesAllowed,
    (req, _res, next) => {
      requireJson(req);
      next();
    },
    declaredLengthWithin(ctx.bodyLimit),
    readBody,
    async (req, res) => {
      // Everything is checked before anything starts: keys and types, what it may read, what it would cost.
      const partial = parsePartialConfig(parseJsonBody(req.body), 'request body');
      const checked = await checkRunInputs(partial, ctx.dataRoots, ctx.uploads);
      const forJob = checked.forJob;
      if (checked.upload && forJob.name === undefined) forJob.name = checked.upload.name.replace(/(\.[a-z]+)+$/i, '') || 'upload';
      // Cross-field rules (dataset vs input, exaggeration vs iterations ...), same as the CLI.
      const resolved = resolveConfig(forJob);
      const reading = { header: resolved.header, encoding: resolved.encoding };
      // The columns it names (label, features, exclude, coordinates) must be the input's: 400 before anything is
      // queued, from the header or schema and the first rows (column-check.ts).
      const source: ColumnSource | null = checked.upload
        ? { file: await findUploadFile(ctx.store.dir, checked.upload.id), shown: checked.upload.name, reading }
        : checked.inputFile
          ? { file: checked.inputFile, shown: partial.input ?? path.basename(checked.inputFile), reading }
          : resolved.dataset !== null
            ? { dataset: resolved.dataset, dataDir: forJob.dataDir ?? null }
            : null;
      if (source) await checkColumnChoices((task) => ctx.workers.run(task), resolved, source, ctx.uploads.maxBytes);
      // The pre-start check: the input's shape (a file under a data root is loaded in the worker thread), then
      // what the pipeline would refuse once it is loaded (code size against the width, tsne-js's row limit:
      // pipeline/input-fit.ts) and the job's estimated cost.
      const progress: { last: ProgressEvent | null; to: TaskProgress | null } = { last: null, to: null };
      const prestart = (async () => {
        const shown = partial.input ?? '';
        const shape = await inputShape(resolved, checked, (file) =>
          fileShape(ctx, file, shown || path.basename(file), reading, (p) => {
            progress.last = p;
            progress.to?.(p);
          }),
        );
        checkInputFit(resolved, submittedFit(resolved, shape.rows, shape.columns));
        checkJobLimits(resolved, shape.rows, shape.columns, ctx.jobLimits);
      })();
      // Answered once the check is done (400 for a bad input: nothing started) unless it takes longer than
      // checkGraceMs (a big file): then the job is queued at once, reports the check's progress (bytes read) on
      // its event stream and in /api/jobs, and fails with the check's message if the check fails.
      const late = !(await settlesWithin(prestart, ctx.checkGraceMs));
      if (!late) await prestart;
      else prestart.catch(() => {});
      let job;
      try {
        job = await ctx.jobs.submit(partial, forJob, late ? prestart : null);
      } catch (err) {
        if (err instanceof QueueFullError) throw new HttpError(503, err.message, { 'Retry-After': '30' });
        if (err instanceof JobStoreError) throw new HttpError(503, err.message, { 'Retry-After': '60' });
        throw err;
      }
      if (late) {
        const id = job.id;
        progress.to = (p) => ctx.jobs.progress(id, { ...p, message: 'checking the input before the run starts' });
        if (progress.last) progress.to(progress.last);
      }
      res.setHeader('Location', `/api/runs/${job.id}`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(202).json({ id: job.id, status: job.status, events: `/api/runs/${job.id}/events` });
    },
  );

  router.delete('/api/runs/:id', ctx.requireToken, ctx.writesAllowed, async (req, res) => {
    onlyQuery(req.query, []);
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
