// GET /api/datasets: the built-in datasets a run started over HTTP may use, for the viewer's New-run form.
// Each with its shape and whether it can be loaded on this server; no server path is sent (a missing
// file-based dataset is only "not installed on this server").
import { Router } from 'express';
import { listDatasets } from '../../pipeline/load/builtin.js';
import type { ServerContext } from '../context.js';
import { onlyQuery } from '../params.js';

export interface DatasetSummary {
  name: string;
  description: string;
  rows: number;
  columns: number;
  labels: string | null;
  image: boolean;
  available: boolean;
  /** Why it cannot be used here, or null. */
  reason: string | null;
}

export function datasetsRoutes(_ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/datasets', async (req, res) => {
    onlyQuery(req.query, []);
    const list = await listDatasets();
    const body: DatasetSummary[] = list.map((d) => ({
      name: d.name,
      description: d.description,
      rows: d.rows,
      columns: d.columns,
      labels: d.labels,
      image: d.image !== null,
      available: d.available,
      reason: d.available ? null : 'not installed on this server',
    }));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ datasets: body });
  });
  return router;
}
