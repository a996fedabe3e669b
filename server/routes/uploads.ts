// Files uploaded for runs. The body is the file itself (any Content-Type), its name in the query:
//   POST   /api/uploads?name=data.csv[&header=auto|yes|no][&encoding=latin1]  (token)
//                                              → 201 the upload's description {id, name, format, bytes, rows, columns, header, encoding ...};
//                                                415 for a multipart/form-data body (send the file itself)
//   GET    /api/uploads                         → every upload, newest first
//   GET    /api/uploads/:id                     → one upload
//   DELETE /api/uploads/:id            (token)  → 204; 409 while a queued or running job reads it
// A raw body rather than multipart/form-data: one file per request needs no form parser (less code that
// reads hostile bytes), streams straight to disk, and the browser sends it as fetch(url, { body: file }).
import { Router } from 'express';
import { parseValue } from '../../pipeline/config.js';
import { InputError } from '../../pipeline/errors.js';
import { isUploadId } from '../../pipeline/runs/uploads.js';
import type { UploadReading } from '../../pipeline/types.js';
import { declaredLengthWithin } from '../body.js';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { JSON_TYPE } from '../run-cache.js';
import { HttpError } from '../http-error.js';
import { onlyQuery, queryError } from '../params.js';
import { DEFAULT_READING } from '../uploads.js';

/** The query parameters of POST /api/uploads: the name, and how a CSV/TSV is read (the run settings of the same names). */
const UPLOAD_PARAMS = ['name', 'header', 'encoding'];

/**
 * How the upload is to be read, from `?header=auto|yes|no&encoding=...`, checked by the run configuration's
 * schema (pipeline/config.ts), as the same settings of a run are: an InputError naming the field otherwise.
 */
export function readingOf(query: Record<string, unknown>): UploadReading {
  for (const key of Object.keys(query)) {
    if (!UPLOAD_PARAMS.includes(key)) throw queryError(key.slice(0, 40), `unknown query parameter ${JSON.stringify(key.slice(0, 40))}: POST /api/uploads takes ${UPLOAD_PARAMS.join(', ')}`);
  }
  const one = (key: 'header' | 'encoding'): unknown => {
    const v = query[key];
    if (Array.isArray(v)) throw new InputError('give it once', { field: key });
    return v;
  };
  const header = one('header');
  const encoding = one('encoding');
  return {
    header: header === undefined ? DEFAULT_READING.header : (parseValue('header', header, 'query') as UploadReading['header']),
    encoding: encoding === undefined ? DEFAULT_READING.encoding : (parseValue('encoding', encoding, 'query') as string | null),
  };
}

function uploadIdParam(raw: unknown): string {
  if (!isUploadId(raw)) throw new HttpError(400, 'invalid upload id: upload ids look like up-0123456789abcdef');
  return raw;
}

export function uploadsRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.post('/api/uploads', ctx.requireToken, ctx.rateLimit, ctx.writesAllowed, declaredLengthWithin(ctx.uploads.maxBytes, 'upload'), async (req, res) => {
    // a browser form or `curl -F` wraps the file in a multipart envelope this endpoint does not unwrap: said, not
    // read as a malformed file
    if (req.is('multipart/*')) {
      throw new HttpError(
        415,
        'send the file itself as the request body, not a multipart form: fetch(url, { method: "POST", body: file }), or curl --data-binary @data.csv',
      );
    }
    const name = req.query.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw queryError('name', 'name the file: POST /api/uploads?name=data.csv with the file as the request body');
    }
    const info = await ctx.uploads.receive(req, name, readingOf(req.query));
    res.setHeader('Location', `/api/uploads/${info.id}`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(info);
  });

  router.get('/api/uploads', async (req, res) => {
    onlyQuery(req.query, []);
    await sendFresh(req, res, Buffer.from(JSON.stringify(await ctx.uploads.list())), JSON_TYPE, 'no-store');
  });

  router.get('/api/uploads/:id', async (req, res) => {
    onlyQuery(req.query, []);
    const id = uploadIdParam(req.params.id);
    const info = await ctx.uploads.get(id);
    if (!info) throw new HttpError(404, `no upload ${id}`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(info);
  });

  router.delete('/api/uploads/:id', ctx.requireToken, ctx.writesAllowed, async (req, res) => {
    onlyQuery(req.query, []);
    const id = uploadIdParam(req.params.id);
    const user = ctx.jobs.list().find((j) => (j.status === 'queued' || j.status === 'running') && j.config.upload === id);
    if (user) throw new HttpError(409, `upload ${id} is read by job ${user.id} (${user.status}); cancel it or wait until it ends`);
    if (!(await ctx.uploads.remove(id))) throw new HttpError(404, `no upload ${id}`);
    res.status(204).end();
  });

  return router;
}
