// Which tiles of an image pyramid to show, and in what order to fetch them. No DOM.
//
// The pyramid (built by the worker, tasks/tiles.py; announced by GET /tasks/<id>/data as
// `tiles`): level 0 is the image at full resolution, level k the image halved k times
// (ceil(width / 2^k) × ceil(height / 2^k)), the last level fits in one tile. Each level is
// cut into `tile_size` squares from its top-left corner; edge tiles are smaller. Tile (x, y)
// of level k covers image pixels [x·T·2^k, (x+1)·T·2^k) × [y·T·2^k, (y+1)·T·2^k), clipped to
// the image.

/**
 * @typedef {{levels: number, tile_size: number, width: number, height: number,
 *   url_template: string}} Pyramid
 * @typedef {{level: number, x: number, y: number, left: number, top: number, width: number,
 *   height: number, key: string}} Tile  left/top/width/height: what it covers, image pixels
 * @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect
 */

/** Pixel size of a level. @param {Pyramid} p @param {number} level */
export function levelSize(p, level) {
  const f = 2 ** level;
  return { width: Math.ceil(p.width / f), height: Math.ceil(p.height / f) };
}

/** Columns and rows of a level. @param {Pyramid} p @param {number} level */
export function tileGrid(p, level) {
  const { width, height } = levelSize(p, level);
  return { cols: Math.ceil(width / p.tile_size), rows: Math.ceil(height / p.tile_size) };
}

/**
 * The coarsest level that still has at least one image pixel per device pixel at this zoom
 * (`scale`: CSS px per image px; `dpr`: device px per CSS px). Zoomed in past 1:1 that is
 * level 0; zoomed out it halves with every halving of the zoom.
 */
export function chooseLevel(p, scale, dpr = 1) {
  const density = scale * dpr; // device px per image px
  if (!(density > 0)) return p.levels - 1;
  const level = Math.floor(Math.log2(1 / density) + 1e-9);
  return Math.max(0, Math.min(p.levels - 1, level));
}

/** The tile (level, x, y) with what it covers. */
export function tile(p, level, x, y) {
  const span = p.tile_size * 2 ** level;
  const left = x * span, top = y * span;
  return {
    level, x, y, left, top,
    width: Math.min(span, p.width - left),
    height: Math.min(span, p.height - top),
    key: `${level}/${x}_${y}`,
  };
}

/**
 * Tiles of `level` that meet `rect` (image pixels), nearest the rect's centre first (the
 * order to fetch them in).
 * @param {Pyramid} p @param {number} level @param {Rect} rect @returns {Tile[]}
 */
export function tilesIn(p, level, rect) {
  const span = p.tile_size * 2 ** level;
  const { cols, rows } = tileGrid(p, level);
  const x0 = Math.max(0, Math.floor(rect.minX / span));
  const y0 = Math.max(0, Math.floor(rect.minY / span));
  const x1 = Math.min(cols - 1, Math.ceil(rect.maxX / span) - 1);
  const y1 = Math.min(rows - 1, Math.ceil(rect.maxY / span) - 1);
  const found = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) found.push(tile(p, level, x, y));
  const cx = (rect.minX + rect.maxX) / 2, cy = (rect.minY + rect.maxY) / 2;
  const away = (t) => (t.left + t.width / 2 - cx) ** 2 + (t.top + t.height / 2 - cy) ** 2;
  return found.sort((a, b) => away(a) - away(b));
}

/**
 * What to draw for a view: the level and its tiles over the visible rectangle.
 * @param {Pyramid} p @param {{scale: number, visibleRect: (m?: number) => Rect}} view
 * @param {number} [dpr] @param {number} [margin] CSS px fetched around the view
 */
export function tilesForView(p, view, dpr = 1, margin = 0) {
  const level = chooseLevel(p, view.scale, dpr);
  return { level, tiles: tilesIn(p, level, view.visibleRect(margin)) };
}

/**
 * The best stand-in for a tile that is not loaded yet: the tile itself when `has(key)`, else
 * its nearest loaded ancestor (coarser levels), with the part of the ancestor (in the
 * ancestor's pixels) that covers it; null when no ancestor is loaded.
 * @param {Pyramid} p @param {Tile} t @param {(key: string) => boolean} has
 * @returns {{tile: Tile, sx: number, sy: number, sw: number, sh: number} | null}
 */
export function standIn(p, t, has) {
  for (let level = t.level; level < p.levels; level++) {
    const d = level - t.level;
    const a = tile(p, level, t.x >> d, t.y >> d);
    if (!has(a.key)) continue;
    const f = 2 ** level; // image px per ancestor px
    return { tile: a, sx: (t.left - a.left) / f, sy: (t.top - a.top) / f, sw: t.width / f, sh: t.height / f };
  }
  return null;
}

/** The URL of a tile. @param {Pyramid} p @param {Tile} t */
export function tileUrl(p, t) {
  return p.url_template.replace("{level}", String(t.level)).replace("{x}", String(t.x))
    .replace("{y}", String(t.y));
}

/**
 * Least-recently-used keys, for the tiles kept decoded. touch() marks a key used and returns
 * the keys pushed out past the capacity (the caller frees them).
 */
export class LruKeys {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Set<string>} */
    this.keys = new Set();
  }

  /** @param {string} key @param {Set<string>} [keep] keys never evicted now (on screen) */
  touch(key, keep = new Set()) {
    this.keys.delete(key);
    this.keys.add(key);
    const out = [];
    for (const old of this.keys) {
      if (this.keys.size - out.length <= this.capacity) break;
      if (old === key || keep.has(old)) continue;
      out.push(old);
    }
    for (const old of out) this.keys.delete(old);
    return out;
  }

  delete(key) {
    this.keys.delete(key);
  }

  get size() {
    return this.keys.size;
  }
}
