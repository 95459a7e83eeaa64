// Edits of 3D cuboids (a cuboid geometry with a camera, lib/camera.js): moving, dragging a
// corner and turning keep the box standing on the ground, so its vertices stay the true
// projection of its position, dimensions and yaw. Every other shape (and a cuboid without 3D
// keys) is edited in 2D as before (lib/geometry.js). drawWireframe draws a 3D cuboid's whole
// box (the tool while drawing, the renderer for the selection).

import { box3dOf, cuboidGeometry3d, dragCorner, moveOnGround, projectCuboid, wrapAngle } from "../lib/camera.js";
import { moveCuboidVertex, translate } from "../lib/geometry.js";

/** Degrees per press of [ or ] (with Shift, { or }: 1°). */
export const TURN_STEP = 15;

/** The 3D box of an annotation when the task has a camera, else null. */
export function box3d(app, a) {
  return app.camera && a?.type === "cuboid" ? box3dOf(a) : null;
}

/** The annotation with the box's geometry keys (unchanged when the box cannot be seen). */
export function withBox(app, a, box) {
  const geometry = box && cuboidGeometry3d(app.camera, box);
  return geometry ? { ...a, ...geometry } : a;
}

/** translate(), except that a 3D cuboid moves on the ground (its image shifted by dx, dy). */
export function moveShape(app, a, dx, dy) {
  const box = box3d(app, a);
  if (!box) return translate(a, dx, dy);
  return withBox(app, a, moveOnGround(app.camera, box, dx, dy));
}

/** moveCuboidVertex(), except that a 3D cuboid's corner moves in 3D (see dragCorner). */
export function dragCuboidVertex(app, a, description, point) {
  const box = box3d(app, a);
  if (!box) return moveCuboidVertex(a, description, point);
  const corner = projectCuboid(app.camera, box)?.corners[description];
  if (!corner) return a;
  return withBox(app, a, dragCorner(app.camera, box, corner, point));
}

/** The box turned by `degrees` (counter-clockwise seen from above) about its centre. */
export function turned(box, degrees) {
  return { ...box, yaw: wrapAngle(box.yaw + (degrees * Math.PI) / 180) };
}

/** The key map's [ / ]: turn the selected 3D cuboids (presses in a row: one undo step). */
export function commandTurn(app, degrees) {
  const uuids = [...app.store.selection];
  const boxes = uuids.map((uuid) => [uuid, box3d(app, app.store.get(uuid))]).filter(([, box]) => box);
  if (!boxes.length) return false;
  for (const [uuid] of boxes) if (!app.refuseUnless("edit_geometry", uuid)) return true;
  const edits = boxes.map(([uuid, box]) => [uuid, withBox(app, app.store.get(uuid), turned(box, degrees))]);
  app.commitEdits(edits, { merge: true, kind: `turn:${uuids.join(",")}` });
  const yaw = Math.round((boxes.length === 1 ? edits[0][1].yaw : 0) * 180 / Math.PI);
  app.status(boxes.length === 1 ? `Turned to yaw ${yaw}°` : `${boxes.length} cuboids turned`);
  return true;
}

/**
 * A 3D cuboid's 12 edges in perspective (screen space), its front face (the side its heading
 * points out of) tinted so the yaw shows. `frame` is lib/camera.js wireframe().
 */
export function drawWireframe(ctx, view, frame, color, dash = []) {
  ctx.beginPath();
  for (const [p, q] of frame.edges) {
    const a = view.toScreen(p), b = view.toScreen(q);
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.25;
  ctx.setLineDash(dash);
  ctx.stroke();
  ctx.setLineDash([]);
  if (!frame.front) return;
  ctx.beginPath();
  frame.front.map((p) => view.toScreen(p)).forEach((p, n) => (n ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
  ctx.fillStyle = "rgba(255,209,102,0.28)";
  ctx.fill();
}
