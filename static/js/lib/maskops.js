// The segmentation mask and the replay of its draft operations (docs/workbench.md,
// "Segmentation tasks"). No DOM: the page (workbench/segment-*.js) draws what changed.
//
// The mask holds one index per pixel (Uint8Array, row-major), 0 = unlabeled. The rules, the
// same wherever a mask is rasterised:
// * brush / eraser (seg.stroke): pixel (i, j) is covered when its centre (i + 0.5, j + 0.5)
//   lies within `radius` (≤) of the polyline through the points (discs and capsules);
// * polygon (seg.polygon: polygon-to-mask, lasso): the pixel centre is inside by the even-odd
//   rule (an edge counts on a row when exactly one of its ends is at or below the centre's y);
// * fill (seg.fill): the 4-connected region from (x, y) of pixels whose RGB differs from the
//   seed pixel's by at most `tolerance` in every channel, on the IMAGE's colours;
// * `protect` writes only pixels whose index is 0; the eraser (and index 0) writes 0;
// * seg.drop removes earlier ops by id (undo; redo sends the op again with its id);
// * seg.snapshot makes the current mask the new base (ops before it are gone);
// * seg.instance names an instance index.
// Every write returns the dirty rectangle {x, y, w, h} (null: nothing changed).

import { decodePoints } from "./maskcodec.js";

/** @typedef {{x: number, y: number, w: number, h: number}} Rect */
/** @typedef {{width: number, height: number, data: Uint8ClampedArray | Uint8Array}} RgbaImage */

export class Mask {
  /**
   * @param {number} width @param {number} height @param {Uint8Array} [data] adopted, not copied
   */
  constructor(width, height, data) {
    this.width = width;
    this.height = height;
    this.data = data || new Uint8Array(width * height);
    if (this.data.length !== width * height) throw new Error("mask: data does not match the size");
    /** pixels per index */
    this.counts = new Float64Array(256);
    this.recount();
  }

  recount() {
    this.counts.fill(0);
    const { data, counts } = this;
    for (let i = 0; i < data.length; i++) counts[data[i]]++;
  }

  /** @param {Uint8Array} data the whole mask, copied in */
  set(data) {
    this.data.set(data);
    this.recount();
  }

  /** @returns {Mask} */
  copy() {
    return new Mask(this.width, this.height, this.data.slice());
  }

  get unlabeled() {
    return this.counts[0];
  }

  /**
   * Write `value` at pixel offset `k` (honouring protect): true when it changed.
   * @param {number} k @param {number} value @param {boolean} protect
   */
  write(k, value, protect) {
    const old = this.data[k];
    if (old === value || (protect && old !== 0)) return false;
    this.data[k] = value;
    this.counts[old]--;
    this.counts[value]++;
    return true;
  }
}

/** Grows a dirty rectangle pixel by pixel. */
class Dirty {
  constructor() {
    this.x0 = Infinity;
    this.y0 = Infinity;
    this.x1 = -Infinity;
    this.y1 = -Infinity;
  }

  /** @param {number} i @param {number} j */
  add(i, j) {
    if (i < this.x0) this.x0 = i;
    if (i > this.x1) this.x1 = i;
    if (j < this.y0) this.y0 = j;
    if (j > this.y1) this.y1 = j;
  }

  /** @returns {Rect | null} */
  rect() {
    if (this.x1 < this.x0) return null;
    return { x: this.x0, y: this.y0, w: this.x1 - this.x0 + 1, h: this.y1 - this.y0 + 1 };
  }
}

/**
 * The smallest rectangle holding both (either may be null).
 * @param {Rect | null} a @param {Rect | null} b @returns {Rect | null}
 */
export function unionRect(a, b) {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/**
 * One capsule: the segment (ax, ay)–(bx, by) widened by `radius` (a disc when a = b).
 * @param {Mask} mask @param {number} ax @param {number} ay @param {number} bx @param {number} by
 * @param {number} radius @param {number} value @param {boolean} protect @param {Dirty} dirty
 */
function paintCapsule(mask, ax, ay, bx, by, radius, value, protect, dirty) {
  const { width, height } = mask;
  const r2 = radius * radius;
  const i0 = Math.max(0, Math.floor(Math.min(ax, bx) - radius - 0.5));
  const i1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + radius - 0.5));
  const j0 = Math.max(0, Math.floor(Math.min(ay, by) - radius - 0.5));
  const j1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + radius - 0.5));
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let j = j0; j <= j1; j++) {
    const cy = j + 0.5;
    for (let i = i0; i <= i1; i++) {
      const cx = i + 0.5;
      let t = len2 ? ((cx - ax) * dx + (cy - ay) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - (ax + t * dx), ey = cy - (ay + t * dy);
      if (ex * ex + ey * ey <= r2 && mask.write(j * width + i, value, protect)) dirty.add(i, j);
    }
  }
}

/**
 * A brush or eraser stroke through flat points [x0, y0, x1, y1, …].
 * @param {Mask} mask @param {ArrayLike<number>} points @param {number} radius
 * @param {number} value @param {boolean} protect @param {number} [from] start at this point
 *   (the page paints a stroke as it grows: the segment into point `from` and on)
 * @returns {Rect | null}
 */
export function paintStroke(mask, points, radius, value, protect, from = 0) {
  const dirty = new Dirty();
  const n = points.length / 2;
  for (let k = from; k < n; k++) {
    const bx = points[2 * k], by = points[2 * k + 1];
    const ax = k ? points[2 * k - 2] : bx, ay = k ? points[2 * k - 1] : by;
    paintCapsule(mask, ax, ay, bx, by, radius, value, protect, dirty);
  }
  return dirty.rect();
}

/**
 * A polygon (flat points, closed implicitly), even-odd by pixel centres.
 * @param {Mask} mask @param {ArrayLike<number>} points @param {number} value
 * @param {boolean} protect @returns {Rect | null}
 */
export function paintPolygon(mask, points, value, protect) {
  const n = points.length / 2;
  const dirty = new Dirty();
  if (n < 3) return null;
  let minY = Infinity, maxY = -Infinity;
  for (let k = 0; k < n; k++) {
    minY = Math.min(minY, points[2 * k + 1]);
    maxY = Math.max(maxY, points[2 * k + 1]);
  }
  const { width, height } = mask;
  const j0 = Math.max(0, Math.floor(minY - 0.5)), j1 = Math.min(height - 1, Math.ceil(maxY - 0.5));
  /** @type {number[]} */
  const xs = [];
  for (let j = j0; j <= j1; j++) {
    const cy = j + 0.5;
    xs.length = 0;
    for (let k = 0; k < n; k++) {
      const x1 = points[2 * k], y1 = points[2 * k + 1];
      const m = (k + 1) % n;
      const x2 = points[2 * m], y2 = points[2 * m + 1];
      if ((y1 <= cy) !== (y2 <= cy)) xs.push(x1 + ((cy - y1) * (x2 - x1)) / (y2 - y1));
    }
    xs.sort((a, b) => a - b);
    for (let s = 0; s + 1 < xs.length; s += 2) {
      // centres i + 0.5 with xs[s] ≤ i + 0.5 < xs[s + 1]
      const i0 = Math.max(0, Math.ceil(xs[s] - 0.5)), i1 = Math.min(width - 1, Math.ceil(xs[s + 1] - 0.5) - 1);
      for (let i = i0; i <= i1; i++) if (mask.write(j * width + i, value, protect)) dirty.add(i, j);
    }
  }
  return dirty.rect();
}

/**
 * The pixels of the fill region: 4-connected from (x, y), every RGB channel within
 * `tolerance` of the seed pixel's. Returns their offsets (the image is never changed).
 * @param {RgbaImage} image @param {number} x @param {number} y @param {number} tolerance
 * @returns {Int32Array}
 */
export function fillRegion(image, x, y, tolerance) {
  const { width, height, data } = image;
  if (x < 0 || y < 0 || x >= width || y >= height) return new Int32Array(0);
  const seed = (y * width + x) * 4;
  const r = data[seed], g = data[seed + 1], b = data[seed + 2];
  const near = (/** @type {number} */ k) => {
    const o = k * 4;
    return Math.abs(data[o] - r) <= tolerance && Math.abs(data[o + 1] - g) <= tolerance
      && Math.abs(data[o + 2] - b) <= tolerance;
  };
  const seen = new Uint8Array(width * height);
  /** @type {number[]} */
  const out = [];
  const stack = [y * width + x];
  seen[y * width + x] = 1;
  while (stack.length) {
    const k = /** @type {number} */ (stack.pop());
    out.push(k);
    const i = k % width, j = (k - i) / width;
    if (i > 0 && !seen[k - 1] && near(k - 1)) { seen[k - 1] = 1; stack.push(k - 1); }
    if (i < width - 1 && !seen[k + 1] && near(k + 1)) { seen[k + 1] = 1; stack.push(k + 1); }
    if (j > 0 && !seen[k - width] && near(k - width)) { seen[k - width] = 1; stack.push(k - width); }
    if (j < height - 1 && !seen[k + width] && near(k + width)) { seen[k + width] = 1; stack.push(k + width); }
  }
  return Int32Array.from(out);
}

/**
 * Flood fill on the image's colours (see fillRegion), writing `value` into the mask.
 * @param {Mask} mask @param {RgbaImage} image @param {number} x @param {number} y
 * @param {number} tolerance @param {number} value @param {boolean} protect @returns {Rect | null}
 */
export function paintFill(mask, image, x, y, tolerance, value, protect) {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new Error("fill: the image and the mask differ in size");
  }
  const dirty = new Dirty();
  const width = mask.width;
  for (const k of fillRegion(image, x, y, tolerance)) {
    if (mask.write(k, value, protect)) dirty.add(k % width, Math.floor(k / width));
  }
  return dirty.rect();
}

/** The kinds of segmentation ops that paint (and so can be dropped and re-sent). */
export const PAINT_OPS = new Set(["seg.stroke", "seg.polygon", "seg.fill"]);

/** Does a fill op need the image's pixels? @param {any[]} ops */
export function needsImage(ops) {
  return ops.some((op) => op?.op === "seg.fill");
}

/**
 * Paint one op onto the mask. `image` is needed for fills only.
 * @param {Mask} mask @param {any} op @param {RgbaImage | null} image @returns {Rect | null}
 */
export function paintOp(mask, op, image) {
  const protect = Boolean(op.protect);
  switch (op.op) {
    case "seg.stroke": {
      const value = op.tool === "eraser" ? 0 : op.index;
      return paintStroke(mask, decodePoints(op.points), op.radius, value, protect);
    }
    case "seg.polygon":
      return paintPolygon(mask, decodePoints(op.points), op.index, protect);
    case "seg.fill":
      if (!image) throw new Error("fill: the image's pixels are not loaded");
      return paintFill(mask, image, op.x, op.y, op.tolerance, op.index, protect);
    default:
      return null;
  }
}

const WHOLE = (/** @type {Mask} */ mask) => ({ x: 0, y: 0, w: mask.width, h: mask.height });

/**
 * The mask of a segmentation task: a base (the hypothesis, the last response or the last
 * snapshot) and the ops since, replayed in order.
 */
export class MaskDocument {
  /**
   * @param {number} width @param {number} height @param {Uint8Array | null} [base]
   */
  constructor(width, height, base = null) {
    this.base = base ? base.slice() : new Uint8Array(width * height);
    if (this.base.length !== width * height) throw new Error("mask: the base does not match the image size");
    this.mask = new Mask(width, height, this.base.slice());
    /** the painting ops since the base, in order @type {any[]} */
    this.ops = [];
    /** ids of ops applied, to skip a replay of the same op (a welcome after a reconnect) */
    this.ids = new Set();
    /** index → {label, attributes} of the instances named @type {Map<number, any>} */
    this.instances = new Map();
    this.sinceSnapshot = 0;
  }

  /** Has an op with this id been applied (and not dropped)? @param {string} id */
  has(id) {
    return this.ids.has(id);
  }

  /**
   * Apply one op; returns the dirty rectangle. A paint op whose id is already applied is
   * skipped (null), so a replay of the same op is harmless.
   * @param {any} op @param {RgbaImage | null} image @returns {Rect | null}
   */
  apply(op, image) {
    switch (op?.op) {
      case "seg.stroke": case "seg.polygon": case "seg.fill": {
        if (op.id && this.ids.has(op.id)) return null;
        const dirty = paintOp(this.mask, op, image);
        this.record(op);
        return dirty;
      }
      case "seg.drop":
        return this.drop(op.ids || [], image);
      case "seg.snapshot":
        this.rebase();
        return null;
      case "seg.instance":
        this.instances.set(op.index, { label: op.label, attributes: op.attributes || {} });
        return null;
      default:
        throw new Error(`unknown segmentation op ${op?.op}`);
    }
  }

  /**
   * An op the page already painted (a stroke painted as it was drawn): recorded, not painted
   * again.
   * @param {any} op
   */
  record(op) {
    this.ops.push(op);
    if (op.id) this.ids.add(op.id);
    this.sinceSnapshot++;
  }

  /**
   * Remove ops by id and replay the rest from the base. @param {string[]} ids
   * @param {RgbaImage | null} image @returns {Rect | null}
   */
  drop(ids, image) {
    const gone = new Set(ids.filter((id) => this.ids.has(id)));
    if (!gone.size) return null;
    this.ops = this.ops.filter((op) => !gone.has(op.id));
    for (const id of gone) this.ids.delete(id);
    this.sinceSnapshot++;
    this.replay(image);
    return WHOLE(this.mask);
  }

  /** Repaint the mask from the base and the ops. @param {RgbaImage | null} image */
  replay(image) {
    this.mask.set(this.base);
    for (const op of this.ops) paintOp(this.mask, op, image);
  }

  /** The current mask becomes the base (a snapshot): nothing before it can be dropped. */
  rebase() {
    this.base = this.mask.data.slice();
    this.ops = [];
    this.ids.clear();
    this.sinceSnapshot = 0;
  }
}

/**
 * Undo and redo of segmentation ops: undo sends seg.drop with the op's id, redo sends the op
 * again (same id). A snapshot ends what can be undone (the server dropped the ops before it).
 */
export class MaskHistory {
  constructor() {
    /** @type {any[]} */
    this.done = [];
    /** @type {any[]} */
    this.undone = [];
  }

  /** A new op of the tasker's: redo is no longer possible. @param {any} op */
  push(op) {
    this.done.push(op);
    this.undone = [];
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /** The op to undo and the drop that undoes it, or null. @returns {{op: any, send: any} | null} */
  undo() {
    const op = this.done.pop();
    if (!op) return null;
    this.undone.push(op);
    return { op, send: { op: "seg.drop", ids: [op.id] } };
  }

  /** The op to send again, or null. @returns {any} */
  redo() {
    const op = this.undone.pop();
    if (!op) return null;
    this.done.push(op);
    return op;
  }

  /** A snapshot was taken: the ops before it cannot be dropped any more. */
  snapshotTaken() {
    this.done = [];
  }

  /** The server refused this op: forget it. @param {string} id */
  forget(id) {
    this.done = this.done.filter((op) => op.id !== id);
    this.undone = this.undone.filter((op) => op.id !== id);
  }
}

/**
 * The pixels per index of a mask that `counts` describes, as the overview shows them.
 * @param {Float64Array} counts @param {number} total
 * @returns {{unlabeled: number, percent: number}}
 */
export function unlabeledSummary(counts, total) {
  const unlabeled = counts[0];
  return { unlabeled, percent: total ? (100 * unlabeled) / total : 0 };
}
