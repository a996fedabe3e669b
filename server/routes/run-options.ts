// GET /api/run-options: the New-run form's fields (server/run-form.ts): labels, help in the form's words,
// defaults, allowed values and ranges, from the configuration schema the server checks runs with.
import { Router } from 'express';
import type { ServerContext } from '../context.js';
import { formGroups } from '../run-form.js';
import { onlyQuery } from '../params.js';

export function runOptionsRoutes(_ctx: ServerContext): Router {
  const router = Router();
  const body = JSON.stringify({ groups: formGroups() });
  router.get('/api/run-options', (req, res) => {
    onlyQuery(req.query, []);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(body);
  });
  return router;
}
