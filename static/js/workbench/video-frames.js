// The frames of a video task: fetched and decoded (createImageBitmap, off the main thread)
// ahead of the playhead, a few at a time, and kept in a bounded cache.

import { preloadOrder } from "../lib/tracks.js";

const PARALLEL = 4;
const AHEAD = 24;
const BEHIND = 4;
const KEEP = 96; // decoded frames kept (a 1080p bitmap is ~8 MB)

export class FrameLoader {
  /**
   * @param {{index: number, url: string, width: number, height: number}[]} frames
   * @param {(index: number) => void} onLoaded
   */
  constructor(frames, onLoaded) {
    this.frames = frames;
    this.onLoaded = onLoaded;
    /** index → ImageBitmap | HTMLImageElement, most recently used last */
    this.images = new Map();
    /** index → Promise */
    this.loading = new Map();
    this.failed = new Set();
    this.current = 0;
  }

  get count() {
    return this.frames.length;
  }

  /** The decoded frame, or null while it loads. */
  image(index) {
    const image = this.images.get(index);
    if (!image) return null;
    this.images.delete(index); // most recently used last
    this.images.set(index, image);
    return image;
  }

  has(index) {
    return this.images.has(index) || this.loading.has(index) || this.failed.has(index);
  }

  /** The playhead moved: load what it needs next. */
  focus(index) {
    this.current = index;
    this.pump();
  }

  pump() {
    const order = preloadOrder(this.current, this.count, {
      ahead: AHEAD, behind: BEHIND, have: (f) => this.has(f),
    });
    for (const index of order) {
      if (this.loading.size >= PARALLEL) break;
      this.load(index);
    }
  }

  /** Load one frame now (resolves with its image, or null when it failed). */
  load(index) {
    if (this.images.has(index)) return Promise.resolve(this.images.get(index));
    if (this.loading.has(index)) return this.loading.get(index);
    const frame = this.frames[index];
    const promise = fetchImage(frame.url).then((image) => {
      this.images.set(index, image);
      this.evict();
      return image;
    }, () => {
      this.failed.add(index);
      return null;
    }).finally(() => {
      this.loading.delete(index);
      this.onLoaded(index);
      this.pump();
    });
    this.loading.set(index, promise);
    return promise;
  }

  evict() {
    while (this.images.size > KEEP) {
      const [oldest, image] = this.images.entries().next().value;
      if (Math.abs(oldest - this.current) <= AHEAD) break; // everything is near the playhead
      this.images.delete(oldest);
      image.close?.();
    }
  }
}

async function fetchImage(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`frame ${url}: ${response.status}`);
  const blob = await response.blob();
  if (typeof createImageBitmap === "function") return createImageBitmap(blob);
  const image = new Image();
  image.src = URL.createObjectURL(blob);
  await image.decode();
  return image;
}
