// The canvas view transform: image pixels <-> CSS pixels of the canvas element.
//
// screen = R · image * scale + (x, y), R the view's rotation by `rotation` quarter turns
// clockwise on screen (0–3; the image rotation tool: the annotations stay in image
// coordinates, only the view turns). Pure (no DOM): the renderer multiplies by
// devicePixelRatio itself. Every method that changes the view returns true when it really
// changed.

/** @typedef {{x: number, y: number}} Point */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

export class Viewport {
  constructor() {
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    /** Quarter turns clockwise on screen, 0–3. */
    this.rotation = 0;
    /** CSS size of the canvas. */
    this.width = 1;
    this.height = 1;
    /** Bumped on every change: cheap "did the view move?" checks. */
    this.version = 0;
  }

  /** The view's rotation in radians (clockwise on screen). */
  get angle() {
    return (this.rotation * Math.PI) / 2;
  }

  /**
   * The transform as canvas setTransform(a, b, c, d, e, f) arguments:
   * screen.x = a·x + c·y + e, screen.y = b·x + d·y + f.
   * @returns {[number, number, number, number, number, number]}
   */
  matrix() {
    const [cos, sin] = QUARTER[this.rotation];
    const s = this.scale;
    return [s * cos, s * sin, -s * sin, s * cos, this.x, this.y];
  }

  /** @param {Point} p image point @returns {Point} CSS pixel of the canvas */
  toScreen(p) {
    const [a, b, c, d, e, f] = this.matrix();
    return { x: a * p.x + c * p.y + e, y: b * p.x + d * p.y + f };
  }

  /** @param {Point} p CSS pixel of the canvas @returns {Point} image point */
  toImage(p) {
    const [cos, sin] = QUARTER[this.rotation];
    const dx = (p.x - this.x) / this.scale, dy = (p.y - this.y) / this.scale;
    return { x: cos * dx + sin * dy, y: -sin * dx + cos * dy };
  }

  /** The image rectangle the canvas shows, grown by `margin` CSS pixels on each side. */
  visibleRect(margin = 0) {
    const corners = [
      { x: -margin, y: -margin }, { x: this.width + margin, y: -margin },
      { x: -margin, y: this.height + margin }, { x: this.width + margin, y: this.height + margin },
    ].map((p) => this.toImage(p));
    return boundsOf(corners);
  }

  /** The screen offset that puts image point `p` at screen point `screen` at `scale`. */
  offsetFor(p, screen, scale) {
    const [cos, sin] = QUARTER[this.rotation];
    return { x: screen.x - scale * (cos * p.x - sin * p.y), y: screen.y - scale * (sin * p.x + cos * p.y) };
  }

  /**
   * Turn the view by `quarterTurns` (clockwise on screen; negative: counter-clockwise) about
   * the canvas centre, or to `rotation` with setRotation.
   */
  rotateBy(quarterTurns) {
    return this.setRotation(this.rotation + quarterTurns);
  }

  /** @param {number} rotation quarter turns (any integer, taken modulo 4) */
  setRotation(rotation) {
    const next = ((Math.round(rotation) % 4) + 4) % 4;
    if (next === this.rotation) return false;
    const centre = { x: this.width / 2, y: this.height / 2 };
    const anchor = this.toImage(centre);
    this.rotation = next;
    const o = this.offsetFor(anchor, centre, this.scale);
    this.x = o.x;
    this.y = o.y;
    this.version++;
    return true;
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
    let w = Math.max(rect.maxX - rect.minX, 1e-6);
    let h = Math.max(rect.maxY - rect.minY, 1e-6);
    if (this.rotation % 2) [w, h] = [h, w];
    const availW = Math.max(this.width - 2 * margin, 1);
    const availH = Math.max(this.height - 2 * margin, 1);
    const scale = clamp(Math.min(availW / w, availH / h), MIN_SCALE, MAX_SCALE);
    const centre = { x: (rect.minX + rect.maxX) / 2, y: (rect.minY + rect.maxY) / 2 };
    const o = this.offsetFor(centre, { x: this.width / 2, y: this.height / 2 }, scale);
    return this.set(scale, o.x, o.y);
  }

  /**
   * Zoom by `factor` keeping the image point under `screen` fixed.
   * @param {Point} screen @param {number} factor
   */
  zoomAt(screen, factor) {
    const anchor = this.toImage(screen);
    const scale = clamp(this.scale * factor, MIN_SCALE, MAX_SCALE);
    const o = this.offsetFor(anchor, screen, scale);
    return this.set(scale, o.x, o.y);
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
  reveal(rect, margin = 40, top = 0) {
    const { minX, minY, maxX, maxY } = boundsOf([
      { x: rect.minX, y: rect.minY }, { x: rect.maxX, y: rect.maxY },
    ].map((p) => this.toScreen(p)));
    const a = { x: minX, y: minY }, b = { x: maxX, y: maxY };
    // `start`: screen pixels covered at the start of the axis (a banner over the canvas top)
    const shift = (lo, hi, size, start = 0) => {
      const free = size - start;
      if (hi - lo > free - 2 * margin) return start + free / 2 - (lo + hi) / 2; // too big: centre it
      if (lo < start + margin) return start + margin - lo;
      if (hi > size - margin) return size - margin - hi;
      return 0;
    };
    return this.panBy(shift(a.x, b.x, this.width), shift(a.y, b.y, this.height, Math.max(0, top)));
  }

  /** A plain copy of the transform. */
  snapshot() {
    return {
      scale: this.scale, x: this.x, y: this.y, width: this.width, height: this.height,
      rotation: this.rotation,
    };
  }
}

// [cos, sin] of 0, 90, 180, 270 degrees, exactly
const QUARTER = [[1, 0], [0, 1], [-1, 0], [0, -1]];

/** @param {Point[]} points @returns {Rect} */
function boundsOf(points) {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys) };
}

/**
 * The value of a global attribute `image_rotation` (docs/task-format.md) for a view turned by
 * `rotation` quarter turns: degrees clockwise (0, 90, 180, 270) as a number for the angle
 * and number types, or the category choice that reads as that number ("90", "90°"…). Null
 * when the definition has no such value.
 * @param {any} def @param {number} rotation @returns {number | string | null}
 */
export function rotationValue(def, rotation) {
  const degrees = (((Math.round(rotation) % 4) + 4) % 4) * 90;
  if (!def || typeof def !== "object") return null;
  if (def.type === "angle" || def.type === "number") return degrees;
  if (def.type === "category") {
    const found = choiceNames(def.choices).find((choice) => parseFloat(choice) === degrees);
    return found ?? null;
  }
  return null;
}

/**
 * The quarter turns a value of `image_rotation` asks for, or null when it is not a multiple
 * of 90 degrees (360 is 0).
 * @param {any} def @param {any} value @returns {number | null}
 */
export function rotationFromValue(def, value) {
  if (!def || value === null || value === undefined || Array.isArray(value)) return null;
  const degrees = typeof value === "number" ? value : parseFloat(String(value));
  if (!Number.isFinite(degrees) || Math.abs(degrees / 90 - Math.round(degrees / 90)) > 1e-9) return null;
  return ((Math.round(degrees / 90) % 4) + 4) % 4;
}

/** The leaf choice strings of a category's `choices` (strings or {choice, subchoices}). */
function choiceNames(choices) {
  const names = [];
  for (const item of Array.isArray(choices) ? choices : []) {
    if (typeof item === "string") names.push(item);
    else if (item && typeof item === "object") {
      if (Array.isArray(item.subchoices) && item.subchoices.length) names.push(...choiceNames(item.subchoices));
      else if (typeof item.choice === "string") names.push(item.choice);
    }
  }
  return names;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}
