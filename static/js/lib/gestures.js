// Touch gestures of the workbench's canvas (docs/workbench.md, "Tablets and touch"): the
// fingers on the canvas, and what two of them moving mean for the view (pinch-zoom about
// their midpoint, pan with it). DOM-free: input.js feeds it pointer positions in CSS pixels of
// the canvas, and applies the steps to the Viewport (zoomAt, panBy).

/** @typedef {{x: number, y: number}} Point */

/** Movement (CSS px) under which a one-finger press still counts as a tap, not a drag. */
export const TAP_SLOP = 8;

/**
 * What two fingers did between two positions: the zoom `factor` about `centre` (the new
 * midpoint) and the pan (dx, dy) of the midpoint. Applying zoomAt(centre, factor) after
 * panBy(dx, dy) keeps the image point that was under the old midpoint under the new one, at
 * the scale that keeps the fingers' distance.
 * @param {Point} a0 @param {Point} b0 fingers before
 * @param {Point} a1 @param {Point} b1 fingers now
 * @returns {{factor: number, centre: Point, dx: number, dy: number}}
 */
export function pinchStep(a0, b0, a1, b1) {
  const m0 = midpoint(a0, b0), m1 = midpoint(a1, b1);
  const d0 = distance(a0, b0), d1 = distance(a1, b1);
  // fingers that (nearly) touch give no meaningful ratio: pan only
  const factor = d0 > 1 && d1 > 1 ? d1 / d0 : 1;
  return { factor, centre: m1, dx: m1.x - m0.x, dy: m1.y - m0.y };
}

/** @param {Point} a @param {Point} b @returns {Point} */
export function midpoint(a, b) {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** @param {Point} a @param {Point} b */
export function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * The fingers on the canvas (pointer events of type "touch"), by pointer id. Two or more make
 * a pinch: the first two count, the others are ignored until one of those is lifted.
 */
export class Fingers {
  constructor() {
    /** @type {Map<number, Point>} */
    this.points = new Map();
  }

  get count() {
    return this.points.size;
  }

  /** @param {number} id @param {Point} point */
  down(id, point) {
    this.points.set(id, { ...point });
  }

  /**
   * A finger moved. With two (or more) fingers down and `id` one of the first two: the pinch
   * step since their last positions; else null.
   * @param {number} id @param {Point} point
   * @returns {ReturnType<typeof pinchStep> | null}
   */
  move(id, point) {
    if (!this.points.has(id)) return null;
    const pair = [...this.points.keys()].slice(0, 2);
    if (pair.length < 2 || !pair.includes(id)) {
      this.points.set(id, { ...point });
      return null;
    }
    const [a0, b0] = pair.map((key) => /** @type {Point} */ (this.points.get(key)));
    this.points.set(id, { ...point });
    const [a1, b1] = pair.map((key) => /** @type {Point} */ (this.points.get(key)));
    return pinchStep(a0, b0, a1, b1);
  }

  /** @param {number} id */
  up(id) {
    this.points.delete(id);
  }

  clear() {
    this.points.clear();
  }
}
