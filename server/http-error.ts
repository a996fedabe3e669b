// Errors a route throws to answer with a status: the final error handler turns them into { "error": "..." }.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra JSON fields beside "error" (e.g. a job's status). */
    readonly extra: Record<string, unknown> = {},
  ) {
    // No stack trace: the answer never shows one, and a saturated server refuses thousands of requests a second
    // (503, 429), each of which captured one (2% of the busy event loop in bench:server's decode phase).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
  }
}

/** The `code` of the answer for a run whose files are damaged (corruptRun). */
export const RUN_CORRUPT = 'run_corrupt';

/**
 * The error every endpoint of a run whose files are damaged answers: 409 (the run's state, not the request, is
 * at fault; asking again will not help until the run is removed or written again) with `code: "run_corrupt"`.
 * `what` says what is damaged, naming files inside the run only ("its points.arrow is empty (0 bytes)").
 */
export function corruptRun(id: string, what: string): HttpError {
  return new HttpError(409, `run ${id} is corrupt: ${what}; remove it (latentmap prune) or write it again`, {}, { code: RUN_CORRUPT });
}

/** Whether `err` is corruptRun's. */
export function isCorruptRun(err: unknown): err is HttpError {
  return err instanceof HttpError && err.extra.code === RUN_CORRUPT;
}
