// The view state in the URL hash (url-state.ts): written with history.replaceState (no history entry per change),
// at once for a change that comes alone (a click in the legend, a search: a reload or a copied link right after
// it has it), at most once every WRITE_DELAY_MS while changes keep coming (a pan does not write on every frame;
// the last state is written when they stop); read back when the user edits or pastes the hash (a hash this tab
// wrote is not read back).
import { formatState, parseState, type ViewState } from '../url-state.js';

/** Least milliseconds between two writes while changes keep coming. */
export const WRITE_DELAY_MS = 200;

export class HashSync {
  private written = '';
  private timer: ReturnType<typeof setTimeout> | 0 = 0;
  /** When the hash was last written (clock ms); -Infinity: never. */
  private lastWrite = -Infinity;
  /** The state the next write writes (the latest given). */
  private pending: ViewState | null = null;

  /** `clock`: milliseconds, monotonic (tests give their own). */
  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** From now on, `changed` gets the state of a hash the user sets (not one this tab wrote). */
  listen(changed: (state: ViewState) => void): void {
    window.addEventListener('hashchange', () => {
      if (location.hash.replace(/^#/, '') === this.written) return;
      changed(parseState(location.hash));
    });
  }

  /** The state in the URL now. */
  read(): ViewState {
    return parseState(location.hash);
  }

  /**
   * Writes `state` now when no write came in the last WRITE_DELAY_MS (or `now`), else once that time is up,
   * with the latest state given by then.
   */
  write(state: ViewState, now = false): void {
    this.pending = state;
    if (now) {
      clearTimeout(this.timer);
      this.timer = 0;
      this.flush();
      return;
    }
    // a write is due: it takes this state
    if (this.timer) return;
    const wait = this.lastWrite + WRITE_DELAY_MS - this.clock();
    if (wait <= 0) this.flush();
    else
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.flush();
      }, wait);
  }

  private flush(): void {
    const state = this.pending;
    this.pending = null;
    if (!state) return;
    this.lastWrite = this.clock();
    const hash = formatState(state);
    if (hash === this.written) return;
    this.written = hash;
    history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
  }
}
