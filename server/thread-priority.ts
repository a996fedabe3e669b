// The server's worker threads run at a lower scheduling priority than its event loop. Node has no thread
// priorities, but on Linux a nice value belongs to a thread: setpriority(PRIO_PROCESS, tid) (os.setPriority)
// on the thread's own id (/proc/thread-self) lowers that thread alone. When the machine is short of CPU (other
// processes, or the first run list checking hundreds of runs in a worker thread), the kernel then gives the
// event loop, which answers everyone (/api/health among them), the larger share whenever both want to run,
// and the worker threads what is left. Elsewhere (or when /proc is not there) nothing changes.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How much nicer than the process the server's worker threads are (Linux nice values, 0..19 above). */
export const WORKER_NICENESS = 5;

/**
 * Lowers the calling thread's priority by `by` nice steps (at most to 19); returns its new nice value, or null
 * where a thread's priority cannot be set apart (not Linux). Never throws.
 */
export function lowerThisThread(by = WORKER_NICENESS): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return getPriority(tid);
  } catch {
    return null;
  }
}
