// M: ruler. Press and drag (or click, then click again) to measure a distance; it shows in
// image_metadata.resolution units when the task gives them, else in pixels. Nothing is saved;
// the measurement stays until Esc or the next one.

import { distance } from "../lib/geometry.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, px, screenDistance } from "./tools.js";

export class RulerTool extends Tool {
  constructor(app) {
    super(app, "ruler");
    this.a = null;
    this.b = null;
    this.phase = "idle"; // idle | dragging | second-click | done
    this.pressScreen = null;
    this.cursor_ = null;
  }

  get busy() {
    return this.phase === "dragging" || this.phase === "second-click";
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (this.phase === "second-click") {
      this.b = e.image;
      this.phase = "done";
      this.report();
      return;
    }
    this.a = e.image;
    this.b = e.image;
    this.pressScreen = e.screen;
    this.phase = "dragging";
    this.app.invalidate("overlay");
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    if (this.phase === "dragging" || this.phase === "second-click") this.b = e.image;
    this.app.invalidate("overlay");
  }

  pointerUp(e) {
    if (this.phase !== "dragging") return;
    if (screenDistance(this.pressScreen, e.screen) < CLICK_SLOP) {
      this.phase = "second-click";
      this.app.status("Click the second end of the measurement");
      return;
    }
    this.b = e.image;
    this.phase = "done";
    this.report();
  }

  /** "123.4 px · 2.47 m". */
  text() {
    if (!this.a || !this.b) return "";
    const d = distance(this.a, this.b);
    const resolution = this.app.resolution;
    let text = `${px(d)} px`;
    if (resolution) {
      const value = d * resolution.resolution_ratio;
      text += ` · ${value.toPrecision(4).replace(/\.?0+$/, "")} ${resolution.resolution_unit}`;
    }
    return text;
  }

  report() {
    this.app.status(`Distance: ${this.text()}`);
    this.app.invalidate("overlay");
  }

  cancel() {
    if (this.phase === "idle") return false;
    this.phase = "idle";
    this.a = this.b = null;
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    if (this.phase === "idle" || this.phase === "done") drawGuides(ctx, view, this.cursor_);
    if (!this.a || !this.b || this.phase === "idle") return;
    const a = view.toScreen(this.a), b = view.toScreen(this.b);
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.strokeStyle = "rgba(0,0,0,0.7)";
    ctx.lineWidth = 4;
    ctx.stroke();
    ctx.strokeStyle = "#ffd166";
    ctx.lineWidth = 2;
    ctx.stroke();
    for (const p of [a, b]) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffd166";
      ctx.fill();
    }
    drawReadout(ctx, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, this.text());
  }
}
