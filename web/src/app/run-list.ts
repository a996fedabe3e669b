// The runs the viewer knows, kept fresh: GET /api/runs again every REFRESH_MS while the page is visible and
// whenever its window regains focus, so a run a CLI wrote into the runs directory appears (and the empty state
// goes) by itself. Cheap: the server holds the list's body and ETag and answers `no-cache`, so the browser
// revalidates with If-None-Match and an unchanged list is a 304 with no body. And which run a URL's `run=`
// opens (chooseRun, pure): a run the list lacks is reported missing, never silently swapped for another in
// the URL.
import type { RunSummary } from '../../../pipeline/types.js';

/** Milliseconds between looks at the list while the page is visible. */
export const REFRESH_MS = 15_000;

/** Which run to show for a requested id: `run` (null: none to show) and `missing`, the id asked for when not listed. */
export interface RunChoice {
  run: string | null;
  missing: string | null;
}

/**
 * The run to show when the URL asks for `requested` (null: none named): it when listed; otherwise, the map
 * already on screen (`current`) or else the newest run, with `missing` naming the run asked for, so the
 * caller says so and leaves the URL as given.
 */
export function chooseRun(requested: string | null, runs: readonly RunSummary[], current: string | null): RunChoice {
  const listed = (id: string | null) => id !== null && runs.some((r) => r.id === id);
  if (requested !== null && listed(requested)) return { run: requested, missing: null };
  const fallback = listed(current) ? current : (runs[0]?.id ?? null);
  return { run: fallback, missing: requested };
}

/** Whether two lists name the same runs in the same order, with the same summaries. */
export function sameRuns(a: readonly RunSummary[], b: readonly RunSummary[]): boolean {
  return a.length === b.length && a.every((r, k) => JSON.stringify(r) === JSON.stringify(b[k]));
}

export class RunList {
  /** Complete runs, newest first, as last listed. */
  runs: RunSummary[] = [];
  private timer = 0;
  private inFlight: Promise<boolean> | null = null;

  constructor(
    private readonly list: () => Promise<RunSummary[]>,
    /** Called after a refresh that changed the list (not after the first load). */
    private readonly changed: (runs: RunSummary[]) => void,
  ) {}

  /** Lists the runs again; resolves to whether the list changed. Concurrent calls share one request. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.list()
      .then((runs) => {
        const differs = !sameRuns(runs, this.runs);
        this.runs = runs;
        return differs;
      })
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** From now on, refreshes every REFRESH_MS while the page is visible and on focus; a changed list calls `changed`. */
  keepFresh(): void {
    const look = () => {
      this.refresh().then(
        (differs) => differs && this.changed(this.runs),
        () => undefined, // the server is away for a moment: the list held stays, the next look tries again
      );
    };
    window.addEventListener('focus', look);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && look());
    clearInterval(this.timer);
    this.timer = window.setInterval(() => document.visibilityState === 'visible' && look(), REFRESH_MS);
  }
}
