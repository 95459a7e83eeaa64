import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  cameraFromOptions, cuboidCorners, cuboidGeometry3d, dragCorner, footprintBox, groundPoint,
  heightAt, moveOnGround, pixelRay, projectCuboid, projectPoint, recoverCuboid, toCamera,
  toWorld, wireframe, wrapAngle, yawOf,
} from "../../static/js/lib/camera.js";

// Boxes projected by the server's tasks/rules/geometry.py (tests/rules checks the same file).
const FIXTURE = JSON.parse(readFileSync(new URL("../fixtures/rules/cuboid_3d.json", import.meta.url), "utf8"));
const close = (a, b, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b} (±${eps})`);
const camera = (name) => cameraFromOptions(FIXTURE.cameras[name]);
const box = (c) => ({ position: c.position, dimensions: c.dimensions, yaw: c.yaw });

test("a camera needs all three fields; all-null intrinsics is no camera", () => {
  const options = FIXTURE.cameras.dashcam;
  assert.ok(cameraFromOptions(options));
  assert.equal(cameraFromOptions({ ...options, camera_height: null }), null);
  assert.equal(cameraFromOptions({ ...options, camera_intrinsics: { fx: null, fy: null, cx: null, cy: null } }), null);
  assert.equal(cameraFromOptions({}), null);
  const aliased = cameraFromOptions({ ...options, camera_intrinsics: { fx: 1, fy: 1, cx: 0, cy: 0, scale_factor: 2 } });
  assert.equal(aliased.scalefactor, 2);
});

test("the camera sits at camera_height and world/camera frames are inverse", () => {
  const cam = camera("skewed_half");
  assert.deepEqual(toWorld(cam, [0, 0, 0]).map((v) => Math.round(v * 1e9) / 1e9), [0, 0, 2.2]);
  const p = [1.25, -0.5, 7];
  toCamera(cam, toWorld(cam, p)).forEach((v, i) => close(v, p[i], 1e-12));
});

test("projection follows the contract's formula, scalefactor included", () => {
  const cam = camera("skewed_half"); // fx 1400, fy 1380, cx 1000, cy 560, skew 2.5, scale 2
  const p = projectPoint(cam, [1, 2, 4]);
  close(p.x, ((1400 * 1 + 2.5 * 2) / 4 + 1000) / 2, 1e-12);
  close(p.y, ((1380 * 2) / 4 + 560) / 2, 1e-12);
  assert.equal(projectPoint(cam, [1, 2, 0]), null);
  assert.equal(projectPoint(cam, [1, 2, -3]), null);
});

test("a pixel's ray projects back to the pixel and meets the ground at z = 0", () => {
  const cam = camera("skewed_half");
  const pixel = { x: 420.5, y: 300.25 };
  const ray = pixelRay(cam, pixel);
  const back = projectPoint(cam, ray.map((v) => v * 9));
  close(back.x, pixel.x, 1e-9);
  close(back.y, pixel.y, 1e-9);
  const g = groundPoint(cam, pixel);
  close(toWorld(cam, g)[2], 0, 1e-9);
  const seen = projectPoint(cam, g);
  close(seen.x, pixel.x, 1e-9);
  close(seen.y, pixel.y, 1e-9);
  assert.equal(groundPoint(cam, { x: 500, y: 0 }), null, "above the horizon");
});

test("the projected vertices and edges match the server's, for every fixture case", () => {
  assert.ok(FIXTURE.cases.length >= 6);
  for (const c of FIXTURE.cases) {
    const got = cuboidGeometry3d(camera(c.camera), box(c));
    assert.deepEqual(got.vertices.map((v) => v.description), c.vertices.map((v) => v.description));
    got.vertices.forEach((v, i) => {
      close(v.x, c.vertices[i].x, 1e-7);
      close(v.y, c.vertices[i].y, 1e-7);
    });
    got.edges.forEach((e, i) => {
      assert.equal(e.description, c.edges[i].description);
      for (const key of ["x1", "y1", "x2", "y2"]) close(e[key], c.edges[i][key], 1e-7);
    });
    assert.deepEqual(got.position, c.position);
    assert.equal(got.yaw, c.yaw);
  }
});

test("the box stands on the ground: its bottom corners at world z = 0, top at its height", () => {
  const cam = camera("dashcam");
  const c = FIXTURE.cases[1];
  const corners = cuboidCorners(cam, box(c)).map((p) => toWorld(cam, p));
  corners.slice(0, 4).forEach((p) => close(p[2], 0, 1e-9));
  corners.slice(4).forEach((p) => close(p[2], c.dimensions.height, 1e-9));
  const [fl, fr, , bl] = corners;
  close(Math.hypot(fl[0] - fr[0], fl[1] - fr[1]), c.dimensions.width, 1e-9);
  close(Math.hypot(fl[0] - bl[0], fl[1] - bl[1]), c.dimensions.length, 1e-9);
  close(yawOf(cam, [fl[0] - bl[0], fl[1] - bl[1]]), c.yaw, 1e-9);
});

test("yaw 0 points along the camera's forward direction, counter-clockwise from above", () => {
  const cam = camera("dashcam"); // level heading 0.3 rad in the world, pitched down
  close(yawOf(cam, [Math.cos(0.3), Math.sin(0.3), 0]), 0, 1e-9);
  close(yawOf(cam, [Math.cos(0.3 + 0.5), Math.sin(0.3 + 0.5), 0]), 0.5, 1e-9);
});

test("project a known box, recover it from its 2D vertices, compare", () => {
  for (const c of FIXTURE.cases) {
    const cam = camera(c.camera);
    const projected = projectCuboid(cam, box(c));
    const got = recoverCuboid(cam, projected.vertices, c.yaw + 0.1);
    for (const key of ["x", "y", "z"]) close(got.position[key], c.position[key], 1e-6);
    for (const key of ["length", "width", "height"]) close(got.dimensions[key], c.dimensions[key], 1e-6);
    close(wrapAngle(got.yaw - c.yaw), 0, 1e-9);
  }
});

test("recovery without the right hint gives the same box turned (length and width swapped)", () => {
  const c = FIXTURE.cases[1];
  const cam = camera(c.camera);
  const projected = projectCuboid(cam, box(c));
  const turned = recoverCuboid(cam, projected.vertices, c.yaw + Math.PI / 2);
  close(turned.dimensions.length, c.dimensions.width);
  close(turned.dimensions.width, c.dimensions.length);
  const again = projectCuboid(cam, turned);
  const m = Object.fromEntries(again.vertices.map((v) => [v.description, v]));
  for (const v of projected.vertices) {
    close(m[v.description].x, v.x, 1e-6);
    close(m[v.description].y, v.y, 1e-6);
  }
});

test("a footprint dragged on the ground, then the height from the mouse", () => {
  const cam = camera("dashcam");
  const drawn = footprintBox(cam, { x: 500, y: 450 }, { x: 700, y: 520 }, 0.4, 1);
  const g1 = toWorld(cam, groundPoint(cam, { x: 500, y: 450 }));
  const g2 = toWorld(cam, groundPoint(cam, { x: 700, y: 520 }));
  const centre = toWorld(cam, [drawn.position.x, drawn.position.y, drawn.position.z]);
  close(centre[0], (g1[0] + g2[0]) / 2, 1e-9);
  close(centre[2], 0, 1e-9);
  const diagonal = Math.hypot(g2[0] - g1[0], g2[1] - g1[1]);
  close(Math.hypot(drawn.dimensions.length, drawn.dimensions.width), diagonal, 1e-9);
  assert.equal(drawn.yaw, 0.4);
  // the height that puts the top corner above g1 exactly under a chosen pixel
  const top = projectPoint(cam, toCamera(cam, [g1[0], g1[1], 1.7]));
  close(heightAt(cam, g1, top), 1.7, 1e-9);
  assert.equal(footprintBox(cam, { x: 500, y: 10 }, { x: 700, y: 520 }, 0, 1), null);
});

test("moving on the ground moves the bottom centre's image by the pointer's shift", () => {
  const c = FIXTURE.cases[0];
  const cam = camera(c.camera);
  const moved = moveOnGround(cam, box(c), 30, 12);
  const before = projectPoint(cam, Object.values(c.position));
  const after = projectPoint(cam, Object.values(moved.position));
  close(after.x - before.x, 30, 1e-9);
  close(after.y - before.y, 12, 1e-9);
  close(toWorld(cam, Object.values(moved.position))[2], 0, 1e-9);
  assert.deepEqual(moved.dimensions, c.dimensions);
});

test("dragging corners: a top corner sets the height, a bottom corner the footprint", () => {
  const c = FIXTURE.cases[0];
  const cam = camera(c.camera);
  const start = box(c);
  const projected = projectCuboid(cam, start);
  const corner = projected.corners["face-topleft"];
  assert.equal(corner.top, true);
  const taller = dragCorner(cam, start, corner, { x: projected.vertices[0].x, y: projected.vertices[0].y - 40 });
  assert.ok(taller.dimensions.height > c.dimensions.height);
  assert.deepEqual(taller.position, start.position);
  const bottom = projected.corners["face-bottomright"];
  const v = projected.vertices[3];
  const wider = dragCorner(cam, start, bottom, { x: v.x + 25, y: v.y + 10 });
  // the opposite bottom corner stays where it was
  const fixed = (b) => toWorld(cam, cuboidCorners(cam, b)[[1, 1, -1, -1].findIndex((a, i) =>
    a === -bottom.a && [1, -1, -1, 1][i] === -bottom.b)]);
  fixed(start).forEach((value, i) => close(fixed(wider)[i], value, 1e-9));
  assert.equal(wider.yaw, start.yaw);
  // the dragged corner follows the pointer
  const m = Object.fromEntries(projectCuboid(cam, wider).vertices.map((p) => [p.description, p]));
  const moved = Object.values(m).some((p) => Math.abs(p.x - (v.x + 25)) < 1e-6 && Math.abs(p.y - (v.y + 10)) < 1e-6);
  assert.ok(moved, "the dragged bottom corner is at the pointer");
});

test("the wireframe has the 12 edges of a box in view and its front face", () => {
  const c = FIXTURE.cases[0];
  const cam = camera(c.camera);
  const frame = wireframe(cam, box(c));
  assert.equal(frame.edges.length, 12);
  assert.equal(frame.front.length, 4);
  // its 2D vertices are among the wireframe's corners
  const ends = frame.edges.flat();
  for (const v of c.vertices) {
    assert.ok(ends.some((p) => Math.abs(p.x - v.x) < 1e-6 && Math.abs(p.y - v.y) < 1e-6), v.description);
  }
  // a box reaching behind the camera loses the edges it cannot show
  const long = { ...box(c), dimensions: { ...c.dimensions, length: 2 * c.position.z + 10 }, yaw: 0 };
  const cut = wireframe(cam, long);
  assert.ok(cut.edges.length < 12);
});
