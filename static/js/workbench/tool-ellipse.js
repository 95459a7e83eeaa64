// E: ellipse. Press, drag its bounding box, release; rotate it afterwards with V (the
// rotation handle above it). The response holds its four axis ends.

import { ellipseFromDrag, ellipseToVertices } from "../lib/geometry.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, px, screenDistance } from "./tools.js";

export class EllipseTool extends Tool {
  constructor(app) {
    super(app, "ellipse");
    this.start = null;
    this.cursor_ = null;
  }

  get busy() {
    return Boolean(this.start);
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (!this.app.refuseUnless("add")) return;
    this.start = e;
    this.cursor_ = e.image;
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    this.app.invalidate("overlay");
  }

  pointerUp(e) {
    const start = this.start;
    if (!start) return;
    this.start = null;
    if (screenDistance(start.screen, e.screen) < CLICK_SLOP) {
      this.app.status("Press and drag the ellipse's bounding box");
      this.app.invalidate("overlay");
      return;
    }
    this.app.finishShape({
      type: "ellipse", vertices: ellipseToVertices(ellipseFromDrag(start.image, e.image)),
    });
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
    const e = ellipseFromDrag(this.start.image, this.cursor_);
    const c = view.toScreen({ x: e.cx, y: e.cy });
    ctx.beginPath();
    ctx.ellipse(c.x, c.y, e.rx * view.scale, e.ry * view.scale, view.angle || 0, 0, 2 * Math.PI);
    ctx.fillStyle = "rgba(255,255,255,0.10)";
    ctx.fill();
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    drawReadout(ctx, view.toScreen(this.cursor_), `${px(2 * e.rx)} × ${px(2 * e.ry)} px`);
  }
}
