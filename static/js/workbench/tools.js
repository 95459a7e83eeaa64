// The tool contract. One handler object per mode; the app owns exactly one active tool.
//
// A tool is an object with:
//   name, cursor                      its id ("select", "box", …) and default CSS cursor
//   activate()                        it became the active tool
//   deactivate()                      another tool takes over: drop any shape in progress
//   pointerDown(e), pointerMove(e), pointerUp(e), doubleClick(e)
//                                     canvas pointer input, e = PointerInput (below)
//   keyDown(event) -> boolean         a key while the canvas has focus; true = consumed
//                                     (drawing tools take Enter / Backspace while busy)
//   cancel() -> boolean               Esc: true when it dropped something in progress
//   busy -> boolean                   a shape or a drag is in progress
//   drawOverlay(ctx, view)            draw tool feedback in CSS pixels (ctx in screen space)
//
// Which call is legal when (the app enforces it):
//   * pointer calls only while the app mode is "idle": never while the label picker or the
//     help overlay is open, never while the view is being panned (space + drag, middle
//     button). pointerMove also arrives without a button pressed (hover).
//   * a tool never mutates the store itself: it calls app.finishShape(shape) for a new
//     annotation (the app asks for its label and records ONE add op) and
//     app.commitEdits([[uuid, annotation], …]) at the END of a drag (ONE op per drag);
//     during a drag it shows app.setPreview(uuid, annotation).
//   * permissions (read-only view, locks, base-annotation flags) are asked with
//     app.can(action, uuid); a refused action calls app.refuse(reason) and does nothing.

/**
 * @typedef {object} PointerInput
 * @property {{x: number, y: number}} image   position in image pixels (float)
 * @property {{x: number, y: number}} screen  position in CSS pixels of the canvas
 * @property {number} button                  0 left, 1 middle, 2 right
 * @property {boolean} shift
 * @property {boolean} alt
 * @property {boolean} ctrl                   Ctrl or Cmd
 */

/** Screen distance between two PointerInputs (CSS pixels). */
export function screenDistance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Below this many CSS pixels a press-release is a click, not a drag. */
export const CLICK_SLOP = 3;

/** A base with no-op defaults; tools override what they use. */
export class Tool {
  constructor(app, name, cursor = "crosshair") {
    this.app = app;
    this.name = name;
    this.cursor = cursor;
  }

  activate() {}

  deactivate() {
    this.cancel();
  }

  pointerDown() {}

  pointerMove() {}

  pointerUp() {}

  doubleClick() {}

  keyDown() {
    return false;
  }

  cancel() {
    return false;
  }

  get busy() {
    return false;
  }

  drawOverlay() {}
}

/** Crosshair guide lines through the cursor, across the whole canvas (screen space). */
export function drawGuides(ctx, view, cursor) {
  if (!cursor) return;
  const p = view.toScreen(cursor);
  ctx.save();
  ctx.strokeStyle = "rgba(255,255,255,0.35)";
  ctx.lineWidth = 1;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(0, Math.round(p.y) + 0.5);
  ctx.lineTo(view.width, Math.round(p.y) + 0.5);
  ctx.moveTo(Math.round(p.x) + 0.5, 0);
  ctx.lineTo(Math.round(p.x) + 0.5, view.height);
  ctx.stroke();
  ctx.restore();
}

/** A readout bubble next to a screen point. */
export function drawReadout(ctx, p, text, danger = false) {
  ctx.save();
  ctx.font = "12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
  const w = ctx.measureText(text).width + 10;
  const x = p.x + 14, y = p.y + 14;
  ctx.fillStyle = danger ? "rgba(180, 35, 24, 0.92)" : "rgba(17, 20, 26, 0.88)";
  ctx.fillRect(x, y, w, 20);
  ctx.fillStyle = "#f4f6f8";
  ctx.textBaseline = "middle";
  ctx.fillText(text, x + 5, y + 10.5);
  ctx.restore();
}

/** Format a pixel length: 1 decimal. */
export function px(value) {
  return (Math.round(value * 10) / 10).toFixed(1);
}
