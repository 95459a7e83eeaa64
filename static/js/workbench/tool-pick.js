// Pick an annotation on the canvas for a linked attribute or a link (app.startPick). Not a
// tool of the toolbar: the attributes and links panels start it, and it hands back to the
// tool that was active. Hover shows whether an annotation may be picked (pointer) or not
// (not-allowed); a click on one that may not be picked says why and waits for another; Esc or
// another tool cancels.

import { bounds } from "../lib/geometry.js";
import { Tool } from "./tools.js";

export class PickTool extends Tool {
  constructor(app) {
    super(app, "pick", "crosshair");
    /** @type {null | {prompt: string, from?: string, accept: (uuid: string) => string,
     *   done: (uuid: string) => void, cancelled?: () => void}} */
    this.request = null;
    this.cursorAt = null;
  }

  start(request) {
    this.request = request;
    this.cursorAt = null;
  }

  pointerMove(e) {
    const app = this.app;
    this.cursorAt = e.image;
    if (!this.request) return;
    const uuid = app.hitTest(e.image);
    app.setHover(uuid);
    app.setCursor(uuid ? (this.request.accept(uuid) ? "not-allowed" : "pointer") : "crosshair");
    app.invalidate("overlay");
  }

  pointerDown(e) {
    const app = this.app;
    if (e.button !== 0 || !this.request) return;
    const uuid = app.hitTest(e.image);
    if (!uuid) {
      app.status(`${this.request.prompt} (Esc cancels)`);
      return;
    }
    const reason = this.request.accept(uuid);
    if (reason) {
      app.refuse(reason);
      return;
    }
    const request = this.request;
    this.request = null;
    app.setHover(null);
    app.endPick();
    request.done(uuid);
  }

  cancel() {
    if (!this.request) return false;
    const request = this.request;
    this.request = null;
    this.app.endPick();
    request.cancelled?.();
    return true;
  }

  deactivate() {
    // another tool was chosen: the pick ends without a result
    const request = this.request;
    this.request = null;
    this.cursorAt = null;
    request?.cancelled?.();
  }

  drawOverlay(ctx, view) {
    const from = this.request?.from ? this.app.store.get(this.request.from) : null;
    if (!from || !this.cursorAt) return;
    let b;
    try {
      b = bounds(from);
    } catch {
      return;
    }
    const a = view.toScreen({ x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2 });
    const p = view.toScreen(this.cursorAt);
    ctx.save();
    ctx.strokeStyle = "#ffd166";
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    ctx.restore();
  }
}
