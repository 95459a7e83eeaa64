// The painting tools of a segmentation task (docs/workbench.md, "Segmentation tasks"), on the
// tool contract of tools.js. They never change the mask themselves but through the
// controller (segment-controller.js): a stroke is painted as it is drawn (controller.paint)
// and becomes ONE op when the button is released (controller.commit); a fill, a polygon and a
// lasso are one op each. Coordinates are rounded to whole image pixels before anything is
// painted, so what the page shows is what the op replays to.

import { drawReadout, screenDistance, Tool } from "./tools.js";

/** A lasso point is kept when it is this many CSS pixels from the last one. */
const LASSO_STEP = 3;


/** Brush and eraser: press and drag. */
export class BrushTool extends Tool {
  /** @param {any} segment the SegmentController @param {"brush" | "eraser"} name */
  constructor(segment, name) {
    super(segment.app, name, "none");
    this.segment = segment;
    /** @type {number[] | null} flat points of the stroke being drawn */
    this.points = null;
    this.cursor_ = null;
  }

  get busy() {
    return this.points !== null;
  }

  pointerDown(e) {
    if (e.button !== 0 || !this.segment.mayPaint()) return;
    const [x, y] = this.segment.pixel(e.image);
    this.points = [x, y];
    this.segment.paintStroke(this, this.points, 0);
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    if (this.points) {
      const [x, y] = this.segment.pixel(e.image);
      const n = this.points.length;
      if (x !== this.points[n - 2] || y !== this.points[n - 1]) {
        this.points.push(x, y);
        this.segment.paintStroke(this, this.points, this.points.length / 2 - 1);
      }
    }
    this.app.invalidate("overlay");
  }

  pointerUp() {
    if (!this.points) return;
    const points = this.points;
    this.points = null;
    this.segment.commitStroke(this.name, points);
  }

  cancel() {
    // a stroke is painted as it goes: Esc ends it as it is (it is still one op, undoable)
    if (!this.points) return false;
    this.pointerUp();
    return true;
  }

  drawOverlay(ctx, view) {
    if (!this.cursor_) return;
    const p = view.toScreen(this.cursor_);
    const r = Math.max(1.5, this.segment.radius * view.scale);
    ctx.save();
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
    ctx.strokeStyle = "rgba(0,0,0,0.8)";
    ctx.lineWidth = 3;
    ctx.stroke();
    ctx.strokeStyle = this.name === "eraser" ? "#ffffff" : this.segment.activeColor();
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.restore();
  }
}

/** Flood fill: a click fills the region of similar image colour under it. */
export class FillTool extends Tool {
  /** @param {any} segment */
  constructor(segment) {
    super(segment.app, "fill", "crosshair");
    this.segment = segment;
    this.cursor_ = null;
  }

  pointerDown(e) {
    if (e.button !== 0 || !this.segment.mayPaint()) return;
    this.segment.fillAt(Math.floor(e.image.x), Math.floor(e.image.y));
  }

  pointerMove(e) {
    this.cursor_ = e;
    this.app.invalidate("overlay");
  }

  drawOverlay(ctx) {
    if (this.cursor_) drawReadout(ctx, this.cursor_.screen, `fill · tolerance ${this.segment.tolerance}`);
  }
}

/** Polygon-to-mask: click the vertices, Enter (or a double-click) fills the polygon. */
export class PolygonMaskTool extends Tool {
  /** @param {any} segment */
  constructor(segment) {
    super(segment.app, "polygon-mask", "crosshair");
    this.segment = segment;
    /** @type {number[]} */
    this.points = [];
    this.cursor_ = null;
  }

  get busy() {
    return this.points.length > 0;
  }

  pointerDown(e) {
    if (e.button !== 0 || !this.segment.mayPaint()) return;
    this.points.push(...this.segment.pixel(e.image));
    this.app.invalidate("overlay");
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    this.app.invalidate("overlay");
  }

  doubleClick() {
    this.finish();
  }

  keyDown(event) {
    if (!this.points.length) return false;
    if (event.key === "Enter") {
      this.finish(event.altKey);
      return true;
    }
    if (event.key === "Backspace") {
      this.points.length -= 2;
      this.app.invalidate("overlay");
      return true;
    }
    return false;
  }

  /** Fill the polygon (Alt: erase it). @param {boolean} [erase] */
  finish(erase = false) {
    const points = dedupe(this.points);
    this.points = [];
    this.app.invalidate("overlay");
    if (points.length < 6) {
      this.app.refuse("A polygon needs at least 3 vertices");
      return;
    }
    this.segment.commitPolygon(points, erase);
  }

  cancel() {
    if (!this.points.length) return false;
    this.points = [];
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    const points = [...this.points];
    if (this.cursor_ && points.length) points.push(...this.segment.pixel(this.cursor_));
    drawRing(ctx, view, points, this.segment.activeColor());
  }
}

/** Lasso: press, drag round the area, release: it is filled. */
export class LassoTool extends Tool {
  /** @param {any} segment */
  constructor(segment) {
    super(segment.app, "lasso", "crosshair");
    this.segment = segment;
    /** @type {number[] | null} */
    this.points = null;
    this.lastScreen = null;
    this.erase = false;
  }

  get busy() {
    return this.points !== null;
  }

  pointerDown(e) {
    if (e.button !== 0 || !this.segment.mayPaint()) return;
    this.points = [...this.segment.pixel(e.image)];
    this.lastScreen = e.screen;
    this.erase = e.alt;
  }

  pointerMove(e) {
    if (!this.points || screenDistance(e.screen, this.lastScreen) < LASSO_STEP) return;
    this.points.push(...this.segment.pixel(e.image));
    this.lastScreen = e.screen;
    this.app.invalidate("overlay");
  }

  pointerUp(e) {
    if (!this.points) return;
    const points = dedupe(this.points);
    this.points = null;
    this.app.invalidate("overlay");
    if (points.length < 6) return;
    this.segment.commitPolygon(points, this.erase || e.alt);
  }

  cancel() {
    if (!this.points) return false;
    this.points = null;
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    if (this.points) drawRing(ctx, view, this.points, this.segment.activeColor());
  }
}

/** Consecutive repeated points dropped. @param {number[]} flat @returns {number[]} */
export function dedupe(flat) {
  const out = [];
  for (let k = 0; k < flat.length; k += 2) {
    const n = out.length;
    if (n && out[n - 2] === flat[k] && out[n - 1] === flat[k + 1]) continue;
    out.push(flat[k], flat[k + 1]);
  }
  return out;
}

/** The outline being drawn, closed, lightly filled. */
function drawRing(ctx, view, flat, color) {
  if (flat.length < 4) return;
  ctx.save();
  ctx.beginPath();
  for (let k = 0; k < flat.length; k += 2) {
    const p = view.toScreen({ x: flat[k], y: flat[k + 1] });
    if (k) ctx.lineTo(p.x, p.y);
    else ctx.moveTo(p.x, p.y);
  }
  ctx.closePath();
  ctx.fillStyle = "rgba(255,255,255,0.15)";
  ctx.fill("evenodd");
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([5, 3]);
  ctx.stroke();
  ctx.restore();
}
