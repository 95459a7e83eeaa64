import { test } from "node:test";
import assert from "node:assert/strict";

import { MAX_SCALE, MIN_SCALE, Viewport } from "../../static/js/lib/viewport.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

function view(width = 1000, height = 600) {
  const v = new Viewport();
  v.setSize(width, height);
  return v;
}

test("toScreen and toImage are inverse", () => {
  const v = view();
  v.set(2.5, 40, -30);
  const p = { x: 123.25, y: -7.5 };
  const s = v.toScreen(p);
  assert.deepEqual(s, { x: 123.25 * 2.5 + 40, y: -7.5 * 2.5 - 30 });
  const back = v.toImage(s);
  close(back.x, p.x);
  close(back.y, p.y);
});

test("fit centres the padded image with a margin and keeps its aspect", () => {
  const v = view(1000, 600);
  v.fit({ minX: -40, minY: -40, maxX: 1000, maxY: 680 }, 20); // 1040 × 720
  close(v.scale, Math.min(960 / 1040, 560 / 720));
  const centre = v.toScreen({ x: 480, y: 320 });
  close(centre.x, 500);
  close(centre.y, 300);
});

test("zoomAt keeps the point under the cursor and clamps the scale", () => {
  const v = view();
  v.set(1, 0, 0);
  const cursor = { x: 317, y: 211 };
  const before = v.toImage(cursor);
  assert.equal(v.zoomAt(cursor, 3), true);
  const after = v.toImage(cursor);
  close(after.x, before.x);
  close(after.y, before.y);
  v.zoomAt(cursor, 1e9);
  assert.equal(v.scale, MAX_SCALE);
  v.zoomAt(cursor, 1e-12);
  assert.equal(v.scale, MIN_SCALE);
});

test("changes bump the version; no-ops do not", () => {
  const v = view();
  const start = v.version;
  assert.equal(v.panBy(0, 0), false);
  assert.equal(v.version, start);
  assert.equal(v.panBy(5, -2), true);
  assert.equal(v.version, start + 1);
  assert.equal(v.setSize(1000, 600), false);
});

test("visibleRect grows by the margin in screen pixels", () => {
  const v = view(800, 400);
  v.set(2, 100, 50);
  assert.deepEqual(v.visibleRect(), { minX: -50, minY: -25, maxX: 350, maxY: 175 });
  assert.deepEqual(v.visibleRect(20), { minX: -60, minY: -35, maxX: 360, maxY: 185 });
});

test("reveal pans the least needed, and centres what does not fit", () => {
  const v = view(800, 400);
  v.set(1, 0, 0);
  assert.equal(v.reveal({ minX: 10, minY: 10, maxX: 20, maxY: 20 }, 40), true);
  assert.deepEqual([v.x, v.y], [30, 30]);
  assert.equal(v.reveal({ minX: 100, minY: 100, maxX: 120, maxY: 120 }, 40), false);
  v.reveal({ minX: 0, minY: 0, maxX: 2000, maxY: 100 }, 40);
  close(v.toScreen({ x: 1000, y: 0 }).x, 400);
});

test("reveal keeps a shape out from under a banner covering the top of the canvas", async () => {
  // a shape at the very top of the screen, under a 100 px banner
  const rect = { minX: 300, minY: 10, maxX: 360, maxY: 50 };
  const covered = view(800, 600);
  const y0 = covered.toScreen({ x: 300, y: 10 }).y;
  assert.ok(covered.reveal({ ...rect, minY: 10 - y0 + 5, maxY: 50 - y0 + 5 }, 40, 100));
  assert.equal(Math.round(covered.toScreen({ x: 300, y: 10 - y0 + 5 }).y), 140);
  // without the banner, 40 px from the edge is enough
  const plain = view(800, 600);
  plain.reveal({ ...rect, minY: 10 - y0 + 5, maxY: 50 - y0 + 5 }, 40);
  assert.equal(Math.round(plain.toScreen({ x: 300, y: 10 - y0 + 5 }).y), 40);
});
