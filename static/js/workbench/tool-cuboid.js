// C: cuboid. Drag the front face, release, move the mouse to set the depth (the side the
// mouse is on, and how far), click. Esc drops it.

import { boxFromDrag, cuboidFromFaceAndDepth } from "../lib/geometry.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, px, screenDistance } from "./tools.js";
import { traceShape } from "./draw.js";

export class CuboidTool extends Tool {
  constructor(app) {
    super(app, "cuboid");
    this.start = null; // press of the face drag
    this.face = null; // the face box once released: waiting for the depth click
    this.cursor_ = null;
  }

  get busy() {
    return Boolean(this.start || this.face);
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (this.face) {
      const shape = { type: "cuboid", ...cuboidFromFaceAndDepth(this.face, e.image) };
      this.face = null;
      this.app.finishShape(shape);
      return;
    }
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
      this.app.status("Press and drag the cuboid's front face");
      return;
    }
    this.face = boxFromDrag(start.image, e.image);
    this.app.status("Move the mouse to set the depth, then click");
  }

  cancel() {
    if (!this.busy) return false;
    this.start = null;
    this.face = null;
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    drawGuides(ctx, view, this.cursor_);
    if (!this.cursor_) return;
    if (this.start) {
      const face = boxFromDrag(this.start.image, this.cursor_);
      const a = view.toScreen({ x: face.left, y: face.top });
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(a.x, a.y, face.width * view.scale, face.height * view.scale);
      ctx.setLineDash([]);
      drawReadout(ctx, view.toScreen(this.cursor_), `face ${px(face.width)} × ${px(face.height)} px`);
      return;
    }
    if (this.face) {
      const shape = cuboidFromFaceAndDepth(this.face, this.cursor_);
      const onScreen = {
        type: "cuboid",
        vertices: shape.vertices.map((v) => ({ ...v, ...view.toScreen(v) })),
      };
      ctx.beginPath();
      traceShape(ctx, onScreen, 1);
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
}
