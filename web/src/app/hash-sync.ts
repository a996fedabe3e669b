// The view state in the URL hash (url-state.ts): written with history.replaceState (debounced, so a pan does
// not write on every frame; no history entry per change), and read back when the user edits or pastes the
// hash (a hash this tab wrote is not read back).
import { formatState, parseState, type ViewState } from '../url-state.js';

/** Milliseconds a write waits for more changes. */
const WRITE_DELAY_MS = 200;

export class HashSync {
  private written = '';
  private timer = 0;

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

  /** Writes the state now, or after a pause in changes. */
  write(state: ViewState, now = false): void {
    const write = () => {
      this.timer = 0;
      const hash = formatState(state);
      if (hash === this.written) return;
      this.written = hash;
      history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
    };
    clearTimeout(this.timer);
    if (now) write();
    else this.timer = window.setTimeout(write, WRITE_DELAY_MS);
  }
}
