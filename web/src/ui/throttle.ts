// A throttle that never drops the last call: for views redrawn from a stream of events (the New-run dialog's
// charts), where the final points of a burst must show even when no event follows them.

/**
 * Returns `due()`: calls `fn` at once when it last ran at least `ms` milliseconds ago, else once when that time
 * is up (calls in between fold into that one). `now` and `later` default to performance.now and setTimeout (tests
 * pass their own).
 */
export function trailingThrottle(
  fn: () => void,
  ms: number,
  now: () => number = () => performance.now(),
  later: (f: () => void, ms: number) => unknown = (f, wait) => setTimeout(f, wait),
): () => void {
  let last = -Infinity;
  let pending = false;
  const run = (): void => {
    pending = false;
    last = now();
    fn();
  };
  return () => {
    if (pending) return;
    const wait = last + ms - now();
    if (wait <= 0) run();
    else {
      pending = true;
      later(run, wait);
    }
  };
}
