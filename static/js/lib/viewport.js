// The canvas view transform: image pixels <-> CSS pixels of the canvas element.
//
// screen = image * scale + (x, y). Pure (no DOM): the renderer multiplies by devicePixelRatio
// itself. Every method that changes the view returns true when it really changed.

/** @typedef {{x: number, y: number}} Point */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

export class Viewport {
  constructor() {
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    /** CSS size of the canvas. */
    this.width = 1;
    this.height = 1;
    /** Bumped on every change: cheap "did the view move?" checks. */
    this.version = 0;
  }

  /** @param {Point} p image point @returns {Point} CSS pixel of the canvas */
  toScreen(p) {
    return { x: p.x * this.scale + this.x, y: p.y * this.scale + this.y };
  }

  /** @param {Point} p CSS pixel of the canvas @returns {Point} image point */
  toImage(p) {
    return { x: (p.x - this.x) / this.scale, y: (p.y - this.y) / this.scale };
  }

  /** The image rectangle the canvas shows, grown by `margin` CSS pixels on each side. */
  visibleRect(margin = 0) {
    const a = this.toImage({ x: -margin, y: -margin });
    const b = this.toImage({ x: this.width + margin, y: this.height + margin });
    return { minX: a.x, minY: a.y, maxX: b.x, maxY: b.y };
  }

  /** @param {number} width @param {number} height CSS pixels */
  setSize(width, height) {
    const w = Math.max(1, width), h = Math.max(1, height);
    if (w === this.width && h === this.height) return false;
    this.width = w;
    this.height = h;
    this.version++;
    return true;
  }

  /** Set scale and offset at once (clamped scale). */
  set(scale, x, y) {
    const s = clamp(scale, MIN_SCALE, MAX_SCALE);
    if (s === this.scale && x === this.x && y === this.y) return false;
    this.scale = s;
    this.x = x;
    this.y = y;
    this.version++;
    return true;
  }

  /**
   * Show all of `rect` (image pixels), centred, with `margin` CSS pixels around it.
   * @param {Rect} rect @param {number} [margin]
   */
  fit(rect, margin = 16) {
    const w = Math.max(rect.maxX - rect.minX, 1e-6);
    const h = Math.max(rect.maxY - rect.minY, 1e-6);
    const availW = Math.max(this.width - 2 * margin, 1);
    const availH = Math.max(this.height - 2 * margin, 1);
    const scale = clamp(Math.min(availW / w, availH / h), MIN_SCALE, MAX_SCALE);
    const cx = (rect.minX + rect.maxX) / 2, cy = (rect.minY + rect.maxY) / 2;
    return this.set(scale, this.width / 2 - cx * scale, this.height / 2 - cy * scale);
  }

  /**
   * Zoom by `factor` keeping the image point under `screen` fixed.
   * @param {Point} screen @param {number} factor
   */
  zoomAt(screen, factor) {
    const anchor = this.toImage(screen);
    const scale = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    return this.set(scale, screen.x - anchor.x * scale, screen.y - anchor.y * scale);
  }

  /** Zoom about the canvas centre. */
  zoomCentre(factor) {
    return this.zoomAt({ x: this.width / 2, y: this.height / 2 }, factor);
  }

  /** Move the view by CSS pixels. */
  panBy(dx, dy) {
    if (!dx && !dy) return false;
    return this.set(this.scale, this.x + dx, this.y + dy);
  }

  /**
   * Pan the least needed so that `rect` is on screen (with `margin` CSS pixels) when it fits.
   * @param {Rect} rect @param {number} [margin]
   */
  reveal(rect, margin = 40) {
    const a = this.toScreen({ x: rect.minX, y: rect.minY });
    const b = this.toScreen({ x: rect.maxX, y: rect.maxY });
    const shift = (lo, hi, size) => {
      if (hi - lo > size - 2 * margin) return size / 2 - (lo + hi) / 2; // too big: centre it
      if (lo < margin) return margin - lo;
      if (hi > size - margin) return size - margin - hi;
      return 0;
    };
    return this.panBy(shift(a.x, b.x, this.width), shift(a.y, b.y, this.height));
  }

  /** A plain copy of the transform. */
  snapshot() {
    return { scale: this.scale, x: this.x, y: this.y, width: this.width, height: this.height };
  }
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
