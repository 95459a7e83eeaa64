// The mask drawn over the image (docs/workbench.md, "Segmentation tasks"): the mask cut into
// 512 px tiles, each a canvas holding the colours of its pixels. A stroke recolours only the
// pixels of its dirty rectangle (putImageData of that rectangle), so painting on a
// 4,000 × 3,000 image costs what the brush covers, not the image; a frame draws the tiles in
// view with one drawImage each (through the overlay hook, above the image).

const TILE = 512;
/** Unlabeled pixels while highlighted: magenta. */
const HIGHLIGHT = { r: 255, g: 0, b: 200, a: 0.7 };

/**
 * A colour table: index → a little-endian RGBA word (what a Uint32Array view of ImageData
 * takes), with each label's opacity and visibility.
 * @param {Array<{index: number, color: string}>} entries @param {(index: number) => number} alpha
 *   0..1 per index (0: hidden) @param {boolean} highlight unlabeled pixels shown
 * @returns {Uint32Array}
 */
export function colorTable(entries, alpha, highlight) {
  const table = new Uint32Array(256);
  for (const { index, color } of entries) {
    const { r, g, b } = parseHex(color);
    table[index] = rgbaWord(r, g, b, alpha(index));
  }
  table[0] = highlight ? rgbaWord(HIGHLIGHT.r, HIGHLIGHT.g, HIGHLIGHT.b, HIGHLIGHT.a) : 0;
  return table;
}

/** @param {number} r @param {number} g @param {number} b @param {number} a 0..1 */
function rgbaWord(r, g, b, a) {
  const alpha = Math.round(Math.max(0, Math.min(1, a)) * 255);
  return ((alpha << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** "#rrggbb" → {r, g, b}; anything else is a mid grey. @param {string} hex */
export function parseHex(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(String(hex || ""));
  const v = m ? parseInt(m[1], 16) : 0x888888;
  return { r: (v >> 16) & 255, g: (v >> 8) & 255, b: v & 255 };
}

export class MaskLayer {
  /** @param {import("../lib/maskops.js").Mask} mask */
  constructor(mask) {
    this.mask = mask;
    this.table = new Uint32Array(256);
    /** @type {Array<{x: number, y: number, w: number, h: number, canvas: HTMLCanvasElement,
     *   ctx: CanvasRenderingContext2D, image: ImageData, words: Uint32Array}>} */
    this.tiles = [];
    this.cols = Math.ceil(mask.width / TILE);
    this.rows = Math.ceil(mask.height / TILE);
    for (let ty = 0; ty < this.rows; ty++) {
      for (let tx = 0; tx < this.cols; tx++) {
        const x = tx * TILE, y = ty * TILE;
        const w = Math.min(TILE, mask.width - x), h = Math.min(TILE, mask.height - y);
        const canvas = document.createElement("canvas");
        canvas.width = w;
        canvas.height = h;
        const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
        const image = ctx.createImageData(w, h);
        this.tiles.push({ x, y, w, h, canvas, ctx, image, words: new Uint32Array(image.data.buffer) });
      }
    }
    this.visible = true;
    this.stats = { updates: 0, pixels: 0, lastUpdateMs: 0 };
  }

  /** New colours (a label's opacity, visibility, the highlight): every tile is recoloured. @param {Uint32Array} table */
  setColors(table) {
    this.table = table;
    this.update({ x: 0, y: 0, w: this.mask.width, h: this.mask.height });
  }

  /**
   * Recolour the pixels of a rectangle of the mask (a stroke's dirty rectangle).
   * @param {{x: number, y: number, w: number, h: number} | null} rect
   */
  update(rect) {
    if (!rect) return;
    const t0 = performance.now();
    const { data, width } = this.mask;
    const table = this.table;
    const x0 = Math.max(0, rect.x), y0 = Math.max(0, rect.y);
    const x1 = Math.min(width, rect.x + rect.w), y1 = Math.min(this.mask.height, rect.y + rect.h);
    for (let ty = Math.floor(y0 / TILE); ty <= Math.floor((y1 - 1) / TILE) && ty < this.rows; ty++) {
      for (let tx = Math.floor(x0 / TILE); tx <= Math.floor((x1 - 1) / TILE) && tx < this.cols; tx++) {
        const tile = this.tiles[ty * this.cols + tx];
        const ax = Math.max(x0, tile.x), ay = Math.max(y0, tile.y);
        const bx = Math.min(x1, tile.x + tile.w), by = Math.min(y1, tile.y + tile.h);
        if (bx <= ax || by <= ay) continue;
        const words = tile.words;
        for (let j = ay; j < by; j++) {
          let k = j * width + ax;
          let o = (j - tile.y) * tile.w + (ax - tile.x);
          for (let i = ax; i < bx; i++) words[o++] = table[data[k++]];
        }
        tile.ctx.putImageData(tile.image, 0, 0, ax - tile.x, ay - tile.y, bx - ax, by - ay);
        this.stats.pixels += (bx - ax) * (by - ay);
      }
    }
    this.stats.updates++;
    this.stats.lastUpdateMs = performance.now() - t0;
  }

  /**
   * Draw the tiles in view (the overlay hook: ctx in CSS pixels of the canvas).
   * @param {CanvasRenderingContext2D} ctx @param {any} view the Viewport
   */
  draw(ctx, view) {
    if (!this.visible) return;
    const area = view.visibleRect(0);
    ctx.save();
    const [a, b, c, d, e, f] = view.matrix();
    ctx.transform(a, b, c, d, e, f);
    ctx.imageSmoothingEnabled = view.scale < 1;
    for (const tile of this.tiles) {
      if (tile.x > area.maxX || tile.y > area.maxY || tile.x + tile.w < area.minX || tile.y + tile.h < area.minY) continue;
      ctx.drawImage(tile.canvas, tile.x, tile.y);
    }
    ctx.restore();
  }
}
