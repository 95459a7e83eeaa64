import { test } from "node:test";
import assert from "node:assert/strict";

import { Viewport, rotationFromValue, rotationValue } from "../../static/js/lib/viewport.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

function view(width = 1000, height = 600) {
  const v = new Viewport();
  v.setSize(width, height);
  return v;
}

test("a quarter turn turns the image clockwise on screen; toImage inverts toScreen", () => {
  const v = view();
  v.set(2, 100, 50);
  v.rotation = 1;
  const origin = v.toScreen({ x: 0, y: 0 });
  const right = v.toScreen({ x: 10, y: 0 });
  const down = v.toScreen({ x: 0, y: 10 });
  close(right.x - origin.x, 0);
  close(right.y - origin.y, 20); // image x now points down the screen
  close(down.x - origin.x, -20); // image y points left
  close(down.y - origin.y, 0);
  for (const rotation of [0, 1, 2, 3]) {
    v.rotation = rotation;
    const p = { x: 37.5, y: -12.25 };
    const back = v.toImage(v.toScreen(p));
    close(back.x, p.x);
    close(back.y, p.y);
  }
});

test("matrix() gives the canvas transform that toScreen applies", () => {
  const v = view();
  v.set(1.5, -20, 30);
  v.setRotation(3);
  const [a, b, c, d, e, f] = v.matrix();
  const p = { x: 11, y: 7 };
  const s = v.toScreen(p);
  close(s.x, a * p.x + c * p.y + e);
  close(s.y, b * p.x + d * p.y + f);
  close(v.angle, (3 * Math.PI) / 2);
});

test("turning keeps the image point at the canvas centre, and four turns come back", () => {
  const v = view(1000, 600);
  v.set(2, 40, -30);
  const centre = v.toImage({ x: 500, y: 300 });
  const before = v.snapshot();
  assert.equal(v.rotateBy(1), true);
  assert.equal(v.rotation, 1);
  const still = v.toImage({ x: 500, y: 300 });
  close(still.x, centre.x);
  close(still.y, centre.y);
  v.rotateBy(-1);
  v.rotateBy(-1);
  assert.equal(v.rotation, 3);
  v.rotateBy(1);
  close(v.x, before.x);
  close(v.y, before.y);
  assert.equal(v.setRotation(4), false, "4 quarter turns are no turn");
});

test("fit swaps width and height when the view is turned a quarter", () => {
  const v = view(1000, 600);
  v.setRotation(1);
  v.fit({ minX: 0, minY: 0, maxX: 800, maxY: 400 }, 0); // on screen: 400 wide, 800 tall
  close(v.scale, Math.min(1000 / 400, 600 / 800));
  const c = v.toScreen({ x: 400, y: 200 });
  close(c.x, 500);
  close(c.y, 300);
  const r = v.visibleRect();
  // the visible image rectangle covers the whole image
  assert.ok(r.minX <= 0 && r.maxX >= 800 && r.minY <= 0 + 1e-9 && r.maxY >= 400 - 1e-9, JSON.stringify(r));
});

test("zoomAt keeps the point under the cursor while turned", () => {
  const v = view();
  v.set(1, 10, 20);
  v.setRotation(2);
  const cursor = { x: 321, y: 123 };
  const under = v.toImage(cursor);
  v.zoomAt(cursor, 2);
  const after = v.toImage(cursor);
  close(after.x, under.x);
  close(after.y, under.y);
});

test("visibleRect bounds the turned canvas in image pixels", () => {
  const v = view(200, 100);
  v.set(1, 0, 0);
  v.rotation = 1; // screen (sx, sy) shows image (sy, -sx)
  const r = v.visibleRect();
  const want = { minX: 0, minY: -200, maxX: 100, maxY: 0 };
  for (const key of Object.keys(want)) close(r[key], want[key]);
});

test("reveal uses the turned rectangle's screen bounds", () => {
  const v = view(1000, 600);
  v.set(1, 0, 0);
  v.setRotation(1);
  v.reveal({ minX: 0, minY: 0, maxX: 50, maxY: 50 }, 40);
  const a = v.toScreen({ x: 0, y: 0 }), b = v.toScreen({ x: 50, y: 50 });
  for (const p of [a, b]) assert.ok(p.x >= 40 - 1e-9 && p.x <= 960 + 1e-9 && p.y >= 40 - 1e-9 && p.y <= 560 + 1e-9, JSON.stringify(p));
});

test("image_rotation values: degrees clockwise for numbers and angles, the matching choice", () => {
  assert.equal(rotationValue({ type: "angle" }, 1), 90);
  assert.equal(rotationValue({ type: "number" }, 3), 270);
  assert.equal(rotationValue({ type: "number" }, -1), 270);
  const category = { type: "category", choices: ["0", "90°", "180", { choice: "270" }] };
  assert.equal(rotationValue(category, 1), "90°");
  assert.equal(rotationValue(category, 3), "270");
  assert.equal(rotationValue({ type: "category", choices: ["upright", "sideways"] }, 1), null);
  assert.equal(rotationValue({ type: "text" }, 1), null);

  assert.equal(rotationFromValue({ type: "angle" }, 180), 2);
  assert.equal(rotationFromValue({ type: "angle" }, 360), 0);
  assert.equal(rotationFromValue(category, "90°"), 1);
  assert.equal(rotationFromValue({ type: "number" }, 45), null);
  assert.equal(rotationFromValue({ type: "number" }, undefined), null);
  assert.equal(rotationFromValue(category, "sideways"), null);
});
