// What a request to finish a running job's t-SNE early (POST /api/runs/:id/finish, the viewer's "Stop and
// keep this map") means at each stage of the run (pipeline/types.ts Stage). Pure.
import type { Stage } from '../../pipeline/types.js';

/**
 * 'finish': the map is forming (stage tsne): end it now. 'complete': the map has finished forming (the run is
 * measuring its metrics or writing itself), so the map kept is the finished one and there is nothing to stop:
 * an expected answer, not an error. 'not-yet': the map has not started forming (loading, training, encoding),
 * so only cancelling ends the run. `message` is in the user's words, for 'complete' and 'not-yet'.
 */
export type EarlyFinish = { kind: 'finish' } | { kind: 'complete' | 'not-yet'; message: string };

/** The answer for job `id` at `stage` (undefined: it has not reported one yet). */
export function earlyFinish(id: string, stage: Stage | string | undefined): EarlyFinish {
  if (stage === 'tsne') return { kind: 'finish' };
  if (stage === 'metrics' || stage === 'write') {
    return { kind: 'complete', message: `The map of job ${id} is already complete: t-SNE has finished and the run is finishing its metrics (stage ${stage}); it opens when done.` };
  }
  return { kind: 'not-yet', message: `The map of job ${id} is not forming yet (stage ${stage ?? 'starting'}); only the t-SNE stage can finish early: cancel, or wait.` };
}
