import { test } from "node:test";
import assert from "node:assert/strict";

import { distance, Fingers, midpoint, pinchStep } from "../../static/js/lib/gestures.js";
import { Viewport } from "../../static/js/lib/viewport.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("midpoint and distance", () => {
  assert.deepEqual(midpoint({ x: 0, y: 0 }, { x: 10, y: 4 }), { x: 5, y: 2 });
  close(distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
});

test("fingers spreading apart zoom by their distance ratio about the new midpoint", () => {
  const step = pinchStep({ x: 100, y: 100 }, { x: 200, y: 100 }, { x: 50, y: 100 }, { x: 250, y: 100 });
  close(step.factor, 2);
  assert.deepEqual(step.centre, { x: 150, y: 100 });
  assert.equal(step.dx, 0);
  assert.equal(step.dy, 0);
});

test("fingers moving together pan by the midpoint's move and do not zoom", () => {
  const step = pinchStep({ x: 100, y: 100 }, { x: 200, y: 100 }, { x: 130, y: 60 }, { x: 230, y: 60 });
  close(step.factor, 1);
  assert.equal(step.dx, 30);
  assert.equal(step.dy, -40);
});

test("fingers that touch give no zoom (no division by a zero distance)", () => {
  const step = pinchStep({ x: 100, y: 100 }, { x: 100, y: 100 }, { x: 90, y: 100 }, { x: 110, y: 100 });
  assert.equal(step.factor, 1);
  assert.ok(Number.isFinite(step.dx));
});

test("a pinch applied to the view keeps the image point under the fingers' midpoint", () => {
  const view = new Viewport();
  view.setSize(800, 600);
  view.set(1.5, 20, -10);
  const a0 = { x: 300, y: 200 }, b0 = { x: 420, y: 260 };
  const a1 = { x: 250, y: 230 }, b1 = { x: 530, y: 330 };
  const anchor = view.toImage(midpoint(a0, b0));
  const step = pinchStep(a0, b0, a1, b1);
  view.panBy(step.dx, step.dy);
  view.zoomAt(step.centre, step.factor);
  const under = view.toImage(midpoint(a1, b1));
  close(under.x, anchor.x, 1e-9);
  close(under.y, anchor.y, 1e-9);
  close(view.scale, 1.5 * distance(a1, b1) / distance(a0, b0), 1e-12);
});

test("the same holds on a turned view", () => {
  const view = new Viewport();
  view.setSize(800, 600);
  view.set(2, 100, 50);
  view.rotateBy(1);
  const a0 = { x: 300, y: 200 }, b0 = { x: 400, y: 200 };
  const a1 = { x: 280, y: 260 }, b1 = { x: 440, y: 260 };
  const anchor = view.toImage(midpoint(a0, b0));
  const step = pinchStep(a0, b0, a1, b1);
  view.panBy(step.dx, step.dy);
  view.zoomAt(step.centre, step.factor);
  const under = view.toImage(midpoint(a1, b1));
  close(under.x, anchor.x, 1e-9);
  close(under.y, anchor.y, 1e-9);
});

test("Fingers: one finger gives no pinch; two do; a third is ignored; lifting ends it", () => {
  const fingers = new Fingers();
  fingers.down(1, { x: 0, y: 0 });
  assert.equal(fingers.move(1, { x: 5, y: 0 }), null);
  fingers.down(2, { x: 100, y: 0 });
  assert.equal(fingers.count, 2);
  const step = fingers.move(2, { x: 195, y: 0 }); // distance 95 → 190 (finger 1 is at 5)
  assert.ok(step);
  close(step.factor, 2);
  fingers.down(3, { x: 50, y: 50 });
  assert.equal(fingers.move(3, { x: 60, y: 60 }), null, "a third finger does not pinch");
  assert.equal(fingers.move(9, { x: 1, y: 1 }), null, "an unknown pointer is ignored");
  fingers.up(2);
  fingers.up(3);
  assert.equal(fingers.count, 1);
  assert.equal(fingers.move(1, { x: 9, y: 9 }), null);
  fingers.clear();
  assert.equal(fingers.count, 0);
});
