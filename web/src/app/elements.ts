// The elements of index.html the viewer application drives, found once by id.

/** The element with an id; throws naming the id when index.html lacks it. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

/** The pickers, search box, maps area, panels and status line. */
export function viewerElements() {
  return {
    runPicker: byId<HTMLSelectElement>('run-picker'),
    comparePicker: byId<HTMLSelectElement>('compare-picker'),
    colorBy: byId<HTMLSelectElement>('color-by'),
    search: byId<HTMLInputElement>('search'),
    searchCount: byId<HTMLElement>('search-count'),
    maps: byId<HTMLElement>('maps'),
    legend: byId<HTMLElement>('legend'),
    selection: byId<HTMLElement>('selection-panel'),
    filters: byId<HTMLElement>('filter-panel'),
    detail: byId<HTMLElement>('detail-panel'),
    run: byId<HTMLElement>('run-panel'),
    status: byId<HTMLElement>('status'),
  };
}

export type ViewerElements = ReturnType<typeof viewerElements>;
