// P: polygon, L: line. Click each vertex. Enter or a double-click closes the polygon / ends
// the line; a click on the first vertex also closes a polygon. Backspace removes the last
// vertex, Esc drops the shape. Reaching max_vertices finishes it; fewer than the minimum
// (min_vertices, and at least 3 for a polygon, 2 for a line) is refused with the reason.

import { Tool, drawReadout, screenDistance } from "./tools.js";

const CLOSE_RADIUS = 8; // CSS px around the first vertex that close a polygon
const DOUBLE_CLICK_SLOP = 5;

export class PolylineTool extends Tool {
  /** @param {any} app @param {"polygon" | "line"} type */
  constructor(app, type) {
    super(app, type);
    this.type = type;
    this.closed = type === "polygon";
    /** @type {{x: number, y: number}[]} */
    this.vertices = [];
    this.cursor_ = null;
  }

  get busy() {
    return this.vertices.length > 0;
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    const app = this.app;
    if (!this.vertices.length && !app.refuseUnless("add")) return;
    if (this.closed && this.vertices.length >= 3 && this.nearFirst(e.screen)) {
      this.finish();
      return;
    }
    // snapping and tracing (aids.js): the click may join a vertex, or follow a border to it
    const added = app.aids ? app.aids.verticesForClick(e.image, !this.vertices.length) : [e.image];
    const room = app.maxVertices(this.type) - this.vertices.length;
    this.vertices.push(...added.slice(-room).map((v) => ({ x: v.x, y: v.y })));
    app.invalidate("overlay");
    if (this.vertices.length >= app.maxVertices(this.type)) this.finish();
  }

  nearFirst(screen) {
    const first = this.app.view.toScreen(this.vertices[0]);
    return screenDistance(first, screen) <= CLOSE_RADIUS;
  }

  doubleClick() {
    if (!this.vertices.length) return;
    // The double-click's second press added a copy of the last vertex: drop it.
    const view = this.app.view;
    while (this.vertices.length >= 2) {
      const n = this.vertices.length;
      const a = view.toScreen(this.vertices[n - 1]);
      const b = view.toScreen(this.vertices[n - 2]);
      if (screenDistance(a, b) > DOUBLE_CLICK_SLOP) break;
      this.vertices.pop();
    }
    this.finish();
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    this.app.invalidate("overlay");
  }

  keyDown(event) {
    if (!this.vertices.length) return false;
    if (event.key === "Enter") {
      this.finish();
      return true;
    }
    const undoKey = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z";
    if (event.key === "Backspace" || undoKey) {
      this.vertices.pop();
      this.app.aids?.forgetTrace(); // tracing starts again from the next click
      this.app.status(this.vertices.length ? `${this.vertices.length} vertices` : "Shape dropped");
      this.app.invalidate("overlay");
      return true;
    }
    return false;
  }

  finish() {
    const app = this.app;
    const min = app.minVertices(this.type);
    if (this.vertices.length < min) {
      app.refuse(`A ${this.type} needs at least ${min} vertices (it has ${this.vertices.length})`);
      return;
    }
    const vertices = this.vertices;
    this.vertices = [];
    app.invalidate("overlay");
    app.finishShape({ type: this.type, vertices });
  }

  cancel() {
    if (!this.vertices.length) return false;
    this.vertices = [];
    this.app.aids?.forgetTrace();
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    const points = this.vertices.map((v) => view.toScreen(v));
    if (!points.length) return;
    const cursor = this.cursor_ ? view.toScreen(this.cursor_) : null;
    ctx.beginPath();
    ctx.moveTo(points[0].x, points[0].y);
    for (const p of points.slice(1)) ctx.lineTo(p.x, p.y);
    if (cursor) ctx.lineTo(cursor.x, cursor.y);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.75;
    ctx.stroke();
    if (this.closed && cursor && points.length >= 2) {
      ctx.beginPath();
      ctx.moveTo(cursor.x, cursor.y);
      ctx.lineTo(points[0].x, points[0].y);
      ctx.setLineDash([4, 4]);
      ctx.strokeStyle = "rgba(255,255,255,0.55)";
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const closable = this.closed && points.length >= 3 && cursor
      && screenDistance(points[0], cursor) <= CLOSE_RADIUS;
    points.forEach((p, i) => {
      ctx.beginPath();
      ctx.arc(p.x, p.y, i === 0 && closable ? 7 : 4, 0, 2 * Math.PI);
      ctx.fillStyle = i === 0 ? "#ffd166" : "#ffffff";
      ctx.fill();
      ctx.strokeStyle = "#1b1f26";
      ctx.lineWidth = 1.25;
      ctx.stroke();
    });
    if (cursor) {
      const max = this.app.maxVertices(this.type);
      const limit = Number.isFinite(max) ? ` / max ${max}` : "";
      drawReadout(ctx, cursor, `${points.length} vertices${limit} · Enter ${this.closed ? "closes" : "ends"}`);
    }
  }
}
