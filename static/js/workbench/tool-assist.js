// W: the Assist tool (docs/workbench.md, "Assist"). The tasker prompts, the server
// (POST /tasks/<id>/assist, docs/assist.md) answers with a shape, the page previews it,
// Enter accepts it as a normal annotation (app.finishShape: label picker, one add op) or, for
// a snapped polygon, as one edit of it (app.commitEdits); Esc discards.
//
// Modes (1 / 2 / 3, or W again to go round them):
//   box       drag a box around the object; then click = positive point, Alt+click or
//             right-click = negative point, both refine the box prompt
//   region    click inside a region = its seed; Alt / right-click excludes; [ ] tolerance
//   scissors  click anchors round the object; from the third one the path along the image's
//             edges is asked for at each click; Backspace takes the last anchor back
// Snap (Shift+W, assist.js): the selected polygon, with its edges snapped to the image.
//
// A request never blocks: each prompt change sends a new one (the previous is aborted) and
// only the answer to the latest counts (lib/assist.js AssistSession); switching tool drops
// the prompt, so a late answer is ignored. The state shows next to the cursor, in the status
// bar and as #workbench's data-assist (idle, pending, ready, empty, unavailable, failed).

import { AssistSession, MODE_NAMES, TOLERANCE_STEP } from "../lib/assist.js";
import { postAssist } from "./api.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, screenDistance } from "./tools.js";

const PROMPT_COLOR = "#ffd166";
const POSITIVE_COLOR = "#22c55e";
const NEGATIVE_COLOR = "#ef4444";
const PREVIEW_COLOR = "#38bdf8";

/** Status bar tone of each state. */
const TONE = { idle: "info", pending: "info", ready: "info", empty: "warn", unavailable: "warn", failed: "error" };

export class AssistTool extends Tool {
  /**
   * @param {any} app the Workbench
   * @param {{url: string, geometry: import("../lib/assist.js").AssistGeometry,
   *   post?: typeof postAssist}} options `post` is the request (api.js postAssist)
   */
  constructor(app, { url, geometry, post = postAssist }) {
    super(app, "assist");
    this.url = url;
    this.geometry = geometry;
    this.post = post;
    /** Right-clicks reach this tool (input.js): they are negative points. */
    this.secondaryButton = true;
    this.session = new AssistSession();
    /** @type {AbortController | null} */
    this.controller = null;
    this.start = null; // the press: {input, negative}
    this.cursor_ = null; // image point under the pointer
  }

  get busy() {
    return this.session.busy;
  }

  /** What the answer is converted to: the task's geometry and its max_vertices. */
  target() {
    const max = this.app.options("polygon").max_vertices;
    return { geometry: this.geometry, maxVertices: Number.isFinite(max) ? max : null };
  }

  activate() {
    this.showState();
  }

  deactivate() {
    this.cancel();
    this.app.root.dataset.assist = "idle";
  }

  // ---------------------------------------------------------------- pointer

  pointerDown(e) {
    if (e.button !== 0 && e.button !== 2) return;
    if (!this.app.refuseUnless("add")) return;
    this.start = { input: e, negative: e.alt || e.button === 2 };
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
    const dragged = screenDistance(start.input.screen, e.screen) >= CLICK_SLOP;
    const session = this.session;
    if (dragged && !start.negative && session.mode !== "scissors") {
      session.setBox(start.input.image, e.image);
    } else if (!session.addPoint(start.input.image, !start.negative)) {
      this.app.status(session.mode === "box" ? "Drag a box around the object first (2: click a region)"
        : "Click inside the region first; Alt+click then excludes", "warn");
      this.app.invalidate("overlay");
      return;
    }
    this.send();
  }

  // ---------------------------------------------------------------- keys

  keyDown(event) {
    const session = this.session;
    const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    if (event.key === "Enter" && plain && !event.shiftKey && session.busy) {
      this.finish();
      return true;
    }
    const undoKey = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z";
    if ((event.key === "Backspace" || undoKey) && session.busy) {
      if (session.removeLast()) this.send();
      return true;
    }
    if (plain && ["1", "2", "3"].includes(event.key)) {
      this.setMode(/** @type {any} */ (["box", "region", "scissors"][Number(event.key) - 1]));
      return true;
    }
    if (plain && session.mode === "region" && (event.key === "[" || event.key === "]")) {
      const tolerance = session.stepTolerance(event.key === "]" ? TOLERANCE_STEP : -TOLERANCE_STEP);
      this.app.status(`Region tolerance ${tolerance}`);
      if (session.points.length) this.send();
      return true;
    }
    return false;
  }

  /** @param {import("../lib/assist.js").AssistMode} mode */
  setMode(mode) {
    this.abort();
    this.session.setMode(mode);
    this.app.status(`Assist: ${MODE_NAMES[this.session.mode]}`);
    this.showState();
    this.app.invalidate("overlay");
  }

  // ---------------------------------------------------------------- requests

  /** Snap the polygon `uuid` (assist.js checked it may change). */
  snap(uuid) {
    const polygon = this.app.store.get(uuid);
    if (!polygon) return;
    this.session.startSnap(uuid, polygon.vertices);
    this.send();
  }

  /** Send the request of the current prompt (if it is enough of one); the previous is aborted. */
  send() {
    this.abort();
    const target = this.target();
    const request = this.session.request(target);
    this.showState();
    this.app.invalidate("overlay");
    if (!request) return;
    const controller = new AbortController();
    this.controller = controller;
    this.post(this.url, request.body, controller.signal).then(({ status, payload }) => {
      if (this.controller === controller) this.controller = null;
      // a stale answer (a newer prompt, Esc, another tool) changes nothing
      if (!this.session.answer(request.seq, status, payload, target)) return;
      this.showState();
      this.app.invalidate("overlay");
    });
  }

  abort() {
    this.controller?.abort();
    this.controller = null;
  }

  /** The state in the status bar and in #workbench's data-assist (the readout is drawn). */
  showState() {
    const { status, message } = this.session;
    this.app.root.dataset.assist = status;
    if (message) this.app.status(message, TONE[status]);
  }

  // ---------------------------------------------------------------- accept, discard

  /** Enter (and the action bar's Finish): the preview becomes an annotation, or an edit. */
  finish() {
    const app = this.app;
    const session = this.session;
    if (session.status === "pending") {
      app.status("Assisting… the shape is on its way", "info");
      return;
    }
    const accepted = session.accept();
    this.showState();
    app.invalidate("overlay");
    if (!accepted) {
      app.refuse("Nothing to accept: prompt the assist first");
      return;
    }
    const { shape, snapOf } = accepted;
    if (shape.type === "polygon") {
      const min = app.minVertices("polygon");
      if (shape.vertices.length < min) {
        app.refuse(`A polygon needs at least ${min} vertices (the assist found ${shape.vertices.length})`);
        return;
      }
    }
    if (snapOf) {
      const current = app.store.get(snapOf);
      if (!current || !app.refuseUnless("edit_geometry", snapOf)) return;
      app.commitEdits([[snapOf, { ...current, vertices: /** @type {any} */ (shape).vertices }]]);
      app.status(`Snapped ${app.describe(snapOf)} to the image's edges`);
      return;
    }
    // a kind that takes the shapes (a mask paints the polygon: hooks.takeShapes)
    if (app.hooks.shapeTarget) app.hooks.shapeTarget.finish(shape);
    else app.finishShape(shape);
  }

  cancel() {
    this.abort();
    this.start = null;
    if (!this.session.busy) return false;
    this.session.clear();
    this.app.root.dataset.assist = "idle";
    this.app.invalidate("overlay");
    return true;
  }

  // ---------------------------------------------------------------- drawing

  drawOverlay(ctx, view) {
    drawGuides(ctx, view, this.cursor_);
    const session = this.session;
    ctx.save();
    this.drawPrompt(ctx, view);
    if (session.preview) drawShape(ctx, view, session.preview);
    ctx.restore();
    if (this.cursor_) {
      const text = session.message || `${MODE_NAMES[session.mode]}${session.mode === "region" ? ` · tolerance ${session.tolerance}` : ""}`;
      drawReadout(ctx, view.toScreen(this.cursor_), text, session.status === "failed" || session.status === "empty" || session.status === "unavailable");
    }
  }

  drawPrompt(ctx, view) {
    const session = this.session;
    const box = this.start && this.cursor_ && !this.start.negative && session.mode !== "scissors"
      && screenDistance(view.toScreen(this.start.input.image), view.toScreen(this.cursor_)) >= CLICK_SLOP
      ? [this.start.input.image, this.cursor_]
      : session.box ? [{ x: session.box[0], y: session.box[1] }, { x: session.box[2], y: session.box[3] }] : null;
    if (box) {
      const a = view.toScreen(box[0]), b = view.toScreen(box[1]);
      ctx.strokeStyle = PROMPT_COLOR;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
      ctx.setLineDash([]);
    }
    if (session.anchors.length) {
      const points = session.anchors.map((p) => view.toScreen(p));
      ctx.beginPath();
      points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
      ctx.strokeStyle = PROMPT_COLOR;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([3, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
      for (const p of points) dot(ctx, p, PROMPT_COLOR);
    }
    for (const point of session.points) dot(ctx, view.toScreen(point), point.positive ? POSITIVE_COLOR : NEGATIVE_COLOR, point.positive ? "+" : "−");
  }
}

/** A prompt point: a filled disc, with its sign. */
function dot(ctx, p, color, sign = "") {
  ctx.beginPath();
  ctx.arc(p.x, p.y, 5, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.strokeStyle = "#1b1f26";
  ctx.lineWidth = 1.25;
  ctx.stroke();
  if (!sign) return;
  ctx.fillStyle = "#ffffff";
  ctx.font = "bold 10px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(sign, p.x, p.y + 0.5);
}

/** The previewed shape: a tinted area with a dashed outline. */
function drawShape(ctx, view, shape) {
  const ring = shape.type === "polygon" ? shape.vertices
    : [{ x: shape.left, y: shape.top }, { x: shape.left + shape.width, y: shape.top },
      { x: shape.left + shape.width, y: shape.top + shape.height }, { x: shape.left, y: shape.top + shape.height }];
  const points = ring.map((p) => view.toScreen(p));
  ctx.beginPath();
  points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
  ctx.closePath();
  ctx.fillStyle = "rgba(56, 189, 248, 0.22)";
  ctx.fill();
  ctx.strokeStyle = PREVIEW_COLOR;
  ctx.lineWidth = 2;
  ctx.setLineDash([6, 3]);
  ctx.stroke();
  ctx.setLineDash([]);
}
