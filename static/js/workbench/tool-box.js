// B: box. Press, drag, release. The size readout shows min_width / min_height and turns red
// below them (such a box is kept, drawn dashed red, and refused by the server on submit).
// With can_rotate the new box carries rotation 0 and its vertices; rotate it with V.

import { boxFromDrag, withBoxVertices } from "../lib/geometry.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, px, screenDistance } from "./tools.js";

export class BoxTool extends Tool {
  constructor(app) {
    super(app, "box");
    this.start = null; // PointerInput of the press
    this.cursor_ = null; // image point under the pointer
  }

  get busy() {
    return Boolean(this.start);
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (!this.app.refuseUnless("add")) return;
    // snapping (aids.js): a corner drawn near a vertex of another shape joins it
    const snapped = this.app.aids ? this.app.aids.snap(e.image).point : e.image;
    this.start = { ...e, image: snapped };
    this.cursor_ = snapped;
  }

  pointerMove(e) {
    this.cursor_ = this.start && this.app.aids ? this.app.aids.snap(e.image).point : e.image;
    this.app.invalidate("overlay");
  }

  pointerUp(e) {
    const start = this.start;
    if (!start) return;
    this.start = null;
    if (screenDistance(start.screen, e.screen) < CLICK_SLOP) {
      this.app.status("Press and drag to draw a box");
      this.app.invalidate("overlay");
      return;
    }
    const end = this.app.aids ? this.app.aids.snap(e.image).point : e.image;
    let box = { type: "box", ...boxFromDrag(start.image, end) };
    if (this.app.options("box").can_rotate) box = withBoxVertices({ ...box, rotation: 0 });
    this.app.finishShape(box);
  }

  cancel() {
    if (!this.start) return false;
    this.start = null;
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    drawGuides(ctx, view, this.cursor_);
    if (!this.start || !this.cursor_) return;
    const box = this.app.finalize({ type: "box", ...boxFromDrag(this.start.image, this.cursor_) });
    const a = view.toScreen({ x: box.left, y: box.top });
    const b = view.toScreen({ x: box.left + box.width, y: box.top + box.height });
    const small = this.app.isBelowMin(box);
    ctx.fillStyle = "rgba(255,255,255,0.10)";
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.strokeStyle = small ? "#ff4d4f" : "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.setLineDash([]);
    drawReadout(ctx, view.toScreen(this.cursor_), sizeText(box, this.app.options("box")), small);
  }
}

/** "120.0 × 80.0 px (min 8 × 8)". */
export function sizeText(box, options) {
  let text = `${px(box.width)} × ${px(box.height)} px`;
  if (options.min_width || options.min_height) {
    text += ` (min ${options.min_width || 0} × ${options.min_height || 0})`;
  }
  return text;
}
