// Two kinds of failure: the user's input or configuration is wrong (InputError: exit 2, HTTP 400),
// or something else broke (any other Error: exit 1, HTTP 500).

/** Where in the input a problem lies; every field optional, rendered as "file:line:column (field)". */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: number | string;
  field?: string;
}

/** Bad data or configuration. The message says what is wrong and, where known, where and what to do. */
export class InputError extends Error {
  readonly location: InputLocation;
  /** What is wrong, without the location (`message` is both, formatted: "file:line:column, field "f": reason"). */
  readonly reason: string;

  constructor(message: string, location: InputLocation = {}, options?: { cause?: unknown }) {
    super(formatMessage(message, location), options);
    this.name = 'InputError';
    this.location = location;
    this.reason = message;
  }
}

/** Thrown when a stage is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError || (err instanceof Error && err.name === 'InputError');
}

export function isCancelled(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Throws CancelledError when the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * `err` told again in words a client may read: its text through `rename` (a server path replaced by the name the
 * client knows), about `field` unless it is already about one. The field it names is kept as its location, so
 * an HTTP answer carries it as `"field"` (error-handler.ts), and no text reads `field "input": field "encoding"`.
 */
export function reworded(err: InputError, rename: (text: string) => string, field: string): InputError {
  const { field: own, ...rest } = err.location;
  if (own !== undefined) return new InputError(rename(formatMessage(err.reason, rest)), { field: own }, { cause: err });
  // an error made from a message that already names its field (`field "header": ...`, not its location)
  const named = /^[^"]*?field "([^"]*)": (.*)$/s.exec(err.message);
  if (named) return new InputError(rename(named[2]!), { field: named[1]! }, { cause: err });
  return new InputError(rename(err.message), { field }, { cause: err });
}

function formatMessage(message: string, loc: InputLocation): string {
  const parts: string[] = [];
  if (loc.file) {
    let where = loc.file;
    if (loc.line !== undefined) where += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
    parts.push(where);
  }
  if (loc.field) parts.push(`field "${loc.field}"`);
  if (loc.column !== undefined && loc.line === undefined) parts.push(`column ${loc.column}`);
  return parts.length ? `${parts.join(', ')}: ${message}` : message;
}

/**
 * What the operator is told of a refusal the client is answered without detail (server/data-roots.ts
 * DataRoots.resolve: a path refused the same whether it exists or not): an InputError's `cause`. The server's
 * error handler writes it to the server's log; a job's process (`latentmap run --log-format json`) puts it on
 * its error line as `operator`, which the server's job queue logs and never answers.
 */
export interface OperatorNote {
  operator: string;
}

/** The operator's note of `err`, or null. */
export function operatorNote(err: unknown): string | null {
  const note = (err as { cause?: { operator?: unknown } } | null)?.cause?.operator;
  return typeof note === 'string' ? note : null;
}
