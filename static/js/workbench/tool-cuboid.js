// C: cuboid. Drag the front face, release, move the mouse to set the depth (the side the
// mouse is on, and how far), click. Esc drops it.
//
// With a camera (camera_intrinsics, camera_rotation_quaternion and camera_height), a box
// standing on the ground instead: drag its footprint on the ground (the drag is the
// footprint's diagonal, its sides follow the yaw), release, move the mouse up or down to set
// its height, click. [ and ] turn it by 15° ({ and }: 1°) at any time, and the yaw is kept for
// the next box. The drawing is the projection of the box (lib/camera.js).

import { cuboidGeometry3d, footprintBox, groundPoint, heightAt, toWorld, wireframe } from "../lib/camera.js";
import { boxFromDrag, cuboidFromFaceAndDepth } from "../lib/geometry.js";
import { CLICK_SLOP, Tool, drawGuides, drawReadout, px, screenDistance } from "./tools.js";
import { traceShape } from "./draw.js";
import { TURN_STEP, drawWireframe, turned } from "./cuboid-3d.js";

const START_HEIGHT = 1.5; // metres, until the tasker sets one
const TURN_KEYS = { "[": -TURN_STEP, "]": TURN_STEP, "{": -1, "}": 1 };

export class CuboidTool extends Tool {
  constructor(app) {
    super(app, "cuboid");
    this.start = null; // press of the face (or footprint) drag
    this.face = null; // the face box once released: waiting for the depth click
    this.cursor_ = null;
    // 3D: the box being drawn, the world ground point the height is measured above, the yaw
    this.box = null;
    this.anchor = null;
    this.yaw = 0;
    this.height = START_HEIGHT;
  }

  get camera() {
    return this.app.camera;
  }

  get busy() {
    return Boolean(this.start || this.face || this.anchor);
  }

  activate() {
    if (this.camera) this.app.status("Drag the cuboid's footprint on the ground; [ ] turn it");
  }

  pointerDown(e) {
    if (e.button !== 0) return;
    if (this.anchor) {
      this.finish3d();
      return;
    }
    if (this.face) {
      const shape = { type: "cuboid", ...cuboidFromFaceAndDepth(this.face, e.image) };
      this.face = null;
      this.app.finishShape(shape);
      return;
    }
    if (!this.app.refuseUnless("add")) return;
    if (this.camera && !groundPoint(this.camera, e.image)) {
      this.app.refuse("Start on the ground: below the horizon, in front of the camera");
      return;
    }
    this.start = e;
    this.cursor_ = e.image;
    this.box = null;
  }

  pointerMove(e) {
    this.cursor_ = e.image;
    if (this.camera) this.update3d();
    this.app.invalidate("overlay");
  }

  pointerUp(e) {
    const start = this.start;
    if (!start) return;
    this.start = null;
    if (screenDistance(start.screen, e.screen) < CLICK_SLOP) {
      this.box = null;
      this.app.status(this.camera ? "Press and drag the cuboid's footprint on the ground"
        : "Press and drag the cuboid's front face");
      return;
    }
    if (this.camera) {
      const ground = groundPoint(this.camera, e.image);
      if (!this.box || !ground) {
        this.box = null;
        this.app.refuse("The footprint must end on the ground, below the horizon");
        this.app.invalidate("overlay");
        return;
      }
      this.anchor = toWorld(this.camera, ground);
      this.app.status("Move the mouse up or down to set the height, then click ([ ] turn it)");
      return;
    }
    this.face = boxFromDrag(start.image, e.image);
    this.app.status("Move the mouse to set the depth, then click");
  }

  keyDown(event) {
    const degrees = TURN_KEYS[event.key];
    if (!this.camera || degrees === undefined || event.ctrlKey || event.metaKey || event.altKey) return false;
    if (!this.busy) {
      if (this.app.store.selection.size) return false; // the key map turns the selection
      this.yaw = turned({ yaw: this.yaw }, degrees).yaw;
      this.app.status(`Next cuboid's yaw: ${Math.round((this.yaw * 180) / Math.PI)}°`);
      return true;
    }
    this.yaw = turned({ yaw: this.yaw }, degrees).yaw;
    if (this.anchor && this.box) this.box = turned(this.box, degrees);
    else this.update3d();
    this.app.invalidate("overlay");
    return true;
  }

  /** The box as the pointer has it: the footprint while dragging, then the height. */
  update3d() {
    const cursor = this.cursor_;
    if (!cursor) return;
    if (this.start) {
      const box = footprintBox(this.camera, this.start.image, cursor, this.yaw, this.height);
      if (box) this.box = box;
    } else if (this.anchor && this.box) {
      this.height = heightAt(this.camera, this.anchor, cursor);
      this.box = { ...this.box, dimensions: { ...this.box.dimensions, height: this.height } };
    }
  }

  finish3d() {
    const geometry = this.box && cuboidGeometry3d(this.camera, this.box);
    this.anchor = null;
    this.box = null;
    this.app.invalidate("overlay");
    if (!geometry) {
      this.app.refuse("This box is not entirely in front of the camera");
      return;
    }
    this.app.finishShape({ type: "cuboid", ...geometry });
  }

  cancel() {
    if (!this.busy) return false;
    this.start = null;
    this.face = null;
    this.anchor = null;
    this.box = null;
    this.app.invalidate("overlay");
    return true;
  }

  drawOverlay(ctx, view) {
    drawGuides(ctx, view, this.cursor_);
    if (!this.cursor_) return;
    if (this.camera) {
      if (this.box && (this.start || this.anchor)) this.drawBox(ctx, view, this.box);
      return;
    }
    if (this.start) {
      const face = boxFromDrag(this.start.image, this.cursor_);
      const a = view.toScreen({ x: face.left, y: face.top });
      const b = view.toScreen({ x: face.left + face.width, y: face.top + face.height });
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 1.5;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
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

  /** Every edge of the box in perspective, the heading marked, and its size. */
  drawBox(ctx, view, box) {
    drawWireframe(ctx, view, wireframe(this.camera, box), "#ffffff", [6, 4]);
    const d = box.dimensions;
    const yaw = Math.round((box.yaw * 180) / Math.PI);
    drawReadout(ctx, view.toScreen(this.cursor_),
      `${d.length.toFixed(2)} × ${d.width.toFixed(2)} × ${d.height.toFixed(2)} m · yaw ${yaw}°`);
  }
}
