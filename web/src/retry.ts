// Asking again when the server says "not now". The server refuses a read it cannot take at the moment with
// 503 (a worker lane's queue is full, too many feature columns are being read) or 429 (the address's read
// budget is spent), each with Retry-After in seconds. The viewer waits and asks again, up to a bound, instead
// of showing an empty panel or a map without colours; a 503 without Retry-After (a request larger than the
// server will ever take) is not asked again. Images, whose status an <img> never sees, are loaded again on
// error with the same backoff.

/** How often, and how long, to ask again. */
export interface RetryPolicy {
  /** Requests in all, the first included. Default 5. */
  attempts: number;
  /** Wait before the first retry when the server names none, ms; doubled each time. Default 500. */
  baseMs: number;
  /** Longest single wait, ms (a longer Retry-After is not waited for: the request fails). Default 10,000. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxWaitMs: 10_000 };

/**
 * Milliseconds to wait before asking again after a response with `status` and Retry-After `retryAfter`
 * (seconds, or an HTTP date), at retry number `attempt` (0 for the first); null: do not ask again (not a
 * refusal to retry, no Retry-After on a 503, or a wait past the policy's bound). The wait is the server's
 * Retry-After or the doubling backoff, whichever is longer, so clients refused together do not all come back
 * at the same moment.
 */
export function retryDelay(status: number, retryAfter: string | null, attempt: number, policy: RetryPolicy = DEFAULT_RETRY, now = Date.now()): number | null {
  if (status !== 503 && status !== 429) return null;
  if (attempt + 1 >= policy.attempts) return null;
  let serverMs: number | null = null;
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) serverMs = seconds * 1000;
    else {
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) serverMs = Math.max(0, at - now);
    }
  }
  if (status === 503 && serverMs === null) return null;
  const wait = Math.max(serverMs ?? 0, policy.baseMs * 2 ** attempt);
  return wait <= policy.maxWaitMs ? wait : null;
}

/** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface Retried {
  response: Response;
  /** Requests made, the first included. */
  attempts: number;
  /** Time spent waiting between them, ms. */
  waitedMs: number;
}

/**
 * fetch() that asks again after a 503 or 429 as retryDelay says. Resolves with the last response (ok or not)
 * and how many requests it took; a network error or an abort rejects as fetch does.
 */
export async function fetchRetrying(
  url: string,
  init: RequestInit = {},
  policy: RetryPolicy = DEFAULT_RETRY,
  deps: { fetch?: typeof fetch; sleep?: typeof sleep } = {},
): Promise<Retried> {
  const doFetch = deps.fetch ?? fetch;
  const wait = deps.sleep ?? sleep;
  let waitedMs = 0;
  for (let attempt = 0; ; attempt++) {
    const response = await doFetch(url, init);
    const delay = response.ok ? null : retryDelay(response.status, response.headers.get('retry-after'), attempt, policy);
    if (delay === null) return { response, attempts: attempt + 1, waitedMs };
    // the refused answer's body is not needed
    void response.body?.cancel().catch(() => {});
    await wait(delay, init.signal);
    waitedMs += delay;
  }
}

/**
 * Loads `src` into `img`, loading it again after an error with the policy's doubling backoff (an <img> sees no
 * status or Retry-After; a busy server's 503 or 429 is the usual cause). Gives up after the policy's attempts.
 */
export function loadImageRetrying(img: HTMLImageElement, src: string, policy: RetryPolicy = DEFAULT_RETRY): void {
  let attempt = 0;
  img.addEventListener('error', () => {
    const delay = policy.baseMs * 2 ** attempt;
    if (++attempt >= policy.attempts || delay > policy.maxWaitMs) return;
    setTimeout(() => {
      // an image taken out of the page (a detail panel replaced) is not asked for again
      if (img.isConnected) img.src = src;
    }, delay);
  });
  img.src = src;
}
