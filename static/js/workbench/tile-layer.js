// The image of a tiled task (GET /tasks/<id>/data → `tiles`): only the tiles of the level
// and area on screen are fetched, decoded off the main thread (createImageBitmap) and drawn;
// a tile still on its way is stood in for by a coarser one already here. Which tiles, and
// their order, come from lib/tiles.js; this module does the fetching and the drawing.

import { LruKeys, standIn, tile, tilesForView, tileUrl } from "../lib/tiles.js";

const MAX_IN_FLIGHT = 6;
const KEEP_DECODED = 96; // tiles kept (512 px: 1 MB each)
const PREFETCH_MARGIN = 128; // CSS px fetched around the view
// The image adjustments (aids.js): each tile is filtered once into a copy, a few per frame
// (a filter at draw time costs the compositor a whole frame on a CPU-only machine).
const FILTERED_PER_FRAME = 3;

export class TileLayer {
  /**
   * @param {import("../lib/tiles.js").Pyramid} pyramid
   * @param {() => void} onLoad called when a tile arrives (ask for a frame)
   */
  constructor(pyramid, onLoad) {
    this.pyramid = pyramid;
    this.onLoad = onLoad;
    /** @type {Map<string, ImageBitmap>} */
    this.bitmaps = new Map();
    /** @type {Map<string, AbortController>} */
    this.loading = new Map();
    /** @type {import("../lib/tiles.js").Tile[]} */
    this.wanted = [];
    this.lru = new LruKeys(KEEP_DECODED);
    this.failed = new Set();
    // The one tile of the last level stands in for everything while the rest arrives.
    this.top = tile(pyramid, pyramid.levels - 1, 0, 0);
    /** The CSS filter of the image adjustments ("" none) and the tiles filtered with it. */
    this.filter = "";
    /** @type {Map<string, ImageBitmap>} */
    this.filtered = new Map();
    this.filteredThisFrame = 0;
  }

  /** Draw the tiles through a CSS filter from now on ("" for none). @param {string} filter */
  setFilter(filter) {
    if (filter === this.filter) return;
    this.filter = filter;
    for (const bitmap of this.filtered.values()) bitmap.close();
    this.filtered.clear();
  }

  /** The bitmap to draw for a tile: its filtered copy when a filter is set (made now, a few per frame). */
  source(key) {
    const bitmap = this.bitmaps.get(key);
    if (!this.filter || !bitmap || typeof OffscreenCanvas === "undefined") return bitmap;
    const copy = this.filtered.get(key);
    if (copy) return copy;
    if (this.filteredThisFrame >= FILTERED_PER_FRAME) {
      this.behind = true;
      return bitmap;
    }
    this.filteredThisFrame++;
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext("2d");
    if (!ctx) return bitmap;
    ctx.filter = this.filter;
    ctx.drawImage(bitmap, 0, 0);
    const made = canvas.transferToImageBitmap();
    this.filtered.set(key, made);
    return made;
  }

  /**
   * Draw the tiles for the view (the context's transform must map image pixels to the
   * canvas) and fetch what is missing. True when every tile of the view's level is drawn.
   */
  draw(ctx, view, dpr) {
    const p = this.pyramid;
    const { tiles } = tilesForView(p, view, dpr, 0);
    const onScreen = new Set(tiles.map((t) => t.key));
    const has = (key) => this.bitmaps.has(key);
    let complete = true;
    this.filteredThisFrame = 0;
    this.behind = false;
    for (const t of tiles) {
      const cover = standIn(p, t, has);
      if (!cover || cover.tile.key !== t.key) complete = false;
      if (!cover) continue;
      ctx.drawImage(this.source(cover.tile.key), cover.sx, cover.sy, cover.sw, cover.sh,
        t.left, t.top, t.width, t.height);
      this.use(cover.tile.key, onScreen);
    }
    if (this.behind) {
      complete = false; // tiles drawn unfiltered this frame: another frame filters them
      requestAnimationFrame(() => this.onLoad());
    }
    const around = tilesForView(p, view, dpr, PREFETCH_MARGIN).tiles;
    this.want([this.top, ...tiles, ...around.filter((t) => !onScreen.has(t.key))]);
    return complete;
  }

  /** Mark a tile used; free the least recently used beyond the budget (never `keep`). */
  use(key, keep) {
    keep.add(this.top.key);
    for (const old of this.lru.touch(key, keep)) {
      this.bitmaps.get(old)?.close();
      this.bitmaps.delete(old);
      this.filtered.get(old)?.close();
      this.filtered.delete(old);
    }
  }

  /** Fetch these tiles, in this order; drop queued fetches no longer wanted. */
  want(tiles) {
    const keys = new Set(tiles.map((t) => t.key));
    for (const [key, controller] of this.loading) {
      if (!keys.has(key) && key !== this.top.key) {
        controller.abort();
        this.loading.delete(key);
      }
    }
    this.wanted = tiles.filter((t) => !this.bitmaps.has(t.key) && !this.failed.has(t.key));
    this.pump();
  }

  pump() {
    while (this.loading.size < MAX_IN_FLIGHT && this.wanted.length) {
      const t = this.wanted.shift();
      if (this.loading.has(t.key) || this.bitmaps.has(t.key)) continue;
      this.fetch(t);
    }
  }

  async fetch(t) {
    const controller = new AbortController();
    this.loading.set(t.key, controller);
    try {
      const response = await fetch(tileUrl(this.pyramid, t), {
        signal: controller.signal, credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`tile ${t.key}: HTTP ${response.status}`);
      const bitmap = await createImageBitmap(await response.blob());
      if (controller.signal.aborted) {
        bitmap.close();
        return;
      }
      this.bitmaps.set(t.key, bitmap);
      this.use(t.key, new Set());
      this.onLoad();
    } catch (error) {
      if (!controller.signal.aborted) this.failed.add(t.key);
    } finally {
      if (this.loading.get(t.key) === controller) this.loading.delete(t.key);
      this.pump();
    }
  }
}
