// O: point. A click places it.

import { Tool, drawGuides } from "./tools.js";

export class PointTool extends Tool {
  constructor(app) {
    super(app, "point");
    this.cursor_ = null;
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (!this.app.refuseUnless("add")) return;
    this.app.finishShape({ type: "point", x: e.image.x, y: e.image.y });
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    this.app.invalidate("overlay");
  }

  drawOverlay(ctx, view) {
    drawGuides(ctx, view, this.cursor_);
  }
}
