// What the top bar's running-job badge offers, and what happens to the map looked at when a run started from
// the browser ends. Pure. The rule: the map the user looks at never changes without their action. A run's
// forming map appears in the main map only when they choose to watch it (the badge's "Watch the map"); its
// finished map replaces the map looked at only when they were watching it form (there, or in the New-run
// dialog); otherwise the badge offers "Open it".

/** The badge's buttons: open the dialog's progress, watch the forming map, open the finished run, see why it failed. */
export type BadgeAction = 'show' | 'watch' | 'open' | 'details';

export interface JobView {
  /** running, complete (and not opened), failed or cancelled. */
  phase: 'running' | 'complete' | 'failed';
  /** t-SNE is running: layout frames arrive. */
  forming: boolean;
  /** The forming map is on screen in the main map. */
  watching: boolean;
}

/** The badge's buttons for a job with the dialog closed. */
export function badgeActions(j: JobView): BadgeAction[] {
  if (j.phase === 'complete') return ['open'];
  if (j.phase === 'failed') return ['details'];
  return j.forming && !j.watching ? ['show', 'watch'] : ['show'];
}

/**
 * When a run completes: 'open' its map in place of the map looked at when the user was watching it form (the
 * New-run dialog open, or the forming map on screen); else 'offer' it (the badge's "Open it").
 */
export function whenComplete(o: { dialogOpen: boolean; watchingMap: boolean }): 'open' | 'offer' {
  return o.dialogOpen || o.watchingMap ? 'open' : 'offer';
}
