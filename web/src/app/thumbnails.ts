// Row images for the map's thumbnails, loaded on first use into a bounded cache (the server marks them
// immutable, so a cleared cache only costs a revalidation-free reload from the browser cache).
import { loadImageRetrying } from '../retry.js';

/** Most images kept. */
const CACHE_LIMIT = 2000;

export class ThumbnailCache {
  private images = new Map<string, HTMLImageElement>();

  constructor(private url: (runId: string, row: number) => string) {}

  /** The loaded image of a row, or null while it loads (then `onLoad` is called once it arrives). */
  get(runId: string, row: number, onLoad: () => void): HTMLImageElement | null {
    const key = `${runId}/${row}`;
    let img = this.images.get(key);
    if (!img) {
      if (this.images.size > CACHE_LIMIT) this.images.clear();
      img = new Image();
      img.onload = onLoad;
      // a busy server refuses some of the many thumbnails asked at once (503, 429): they are asked again
      loadImageRetrying(img, this.url(runId, row));
      this.images.set(key, img);
    }
    return img.complete && img.naturalWidth > 0 ? img : null;
  }
}
