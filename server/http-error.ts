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
