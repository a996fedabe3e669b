// Worker-thread module of the metrics stage (started by quality-stage.ts through threads.ts runInWorker): reads
// the prepared input back from the run's data file, then runs runQuality; one QualityRequest in, progress and one
// RunQuality (or error) out.
import { readBackInput } from './prepared-input.js';
import { runQuality } from './quality.js';
import type { QualityRequest } from './quality-stage.js';
import { serveStage } from './threads.js';

/** Share of the stage's progress the read-back stands for. */
const READ_SHARE = 0.1;

serveStage<QualityRequest>(async (req, { onProgress }) => {
  onProgress(0, 'metrics', { message: 'reading the prepared input back' });
  const { matrix, memory } = await readBackInput(req.readBack);
  onProgress(READ_SHARE, 'metrics');
  return runQuality(matrix, req.codes, req.embedding, req.labels, {
    ...req.options,
    inputMemory: memory,
    onProgress: (p) => onProgress(READ_SHARE + (1 - READ_SHARE) * p, 'metrics'),
  });
});
