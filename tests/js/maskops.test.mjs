import { test } from "node:test";
import assert from "node:assert/strict";

import { encodePoints } from "../../static/js/lib/maskcodec.js";
import {
  fillRegion, Mask, MaskDocument, MaskHistory, paintFill, paintPolygon, paintStroke, unionRect,
} from "../../static/js/lib/maskops.js";

/** The mask's rows as strings of digits (indices < 10), for readable expectations. */
function rows(mask) {
  const out = [];
  for (let j = 0; j < mask.height; j++) out.push([...mask.data.subarray(j * mask.width, (j + 1) * mask.width)].join(""));
  return out;
}

/** Brute force of the brush rule: the pixel centre within r of the polyline. */
function covered(i, j, points, r) {
  const cx = i + 0.5, cy = j + 0.5;
  for (let k = 0; k < points.length / 2; k++) {
    const bx = points[2 * k], by = points[2 * k + 1];
    const ax = k ? points[2 * k - 2] : bx, ay = k ? points[2 * k - 1] : by;
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const t = len2 ? Math.min(1, Math.max(0, ((cx - ax) * dx + (cy - ay) * dy) / len2)) : 0;
    if (Math.hypot(cx - ax - t * dx, cy - ay - t * dy) <= r) return true;
  }
  return false;
}

/** Brute force of the even-odd rule at a point. */
function evenOdd(x, y, flat) {
  let inside = false;
  const n = flat.length / 2;
  for (let k = 0, m = n - 1; k < n; m = k++) {
    const xk = flat[2 * k], yk = flat[2 * k + 1], xm = flat[2 * m], ym = flat[2 * m + 1];
    if ((yk <= y) !== (ym <= y) && x < xk + ((y - yk) * (xm - xk)) / (ym - yk)) inside = !inside;
  }
  return inside;
}

/** An RGBA image: left half red, right half blue, with a grey noise of ±3. */
function twoHalves(width, height) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const o = (j * width + i) * 4, n = (i * 7 + j * 13) % 7 - 3;
      data.set(i < width / 2 ? [200 + n, 20 + n, 20] : [20, 20 + n, 200 + n], o);
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

test("a disc of radius 1.6 at an integer point: the 4 × 4 block minus its corners, 12 px", () => {
  const mask = new Mask(8, 8);
  // centres at √0.5 (4 px) and √2.5 (8 px) are within 1.6; the corners at √4.5 are not
  const dirty = paintStroke(mask, [4, 4], 1.6, 3, false);
  assert.deepEqual(rows(mask), [
    "00000000", "00000000", "00033000", "00333300", "00333300", "00033000", "00000000", "00000000",
  ]);
  assert.equal(mask.counts[3], 12);
  assert.deepEqual(dirty, { x: 2, y: 2, w: 4, h: 4 });
  const small = new Mask(8, 8);
  paintStroke(small, [4, 4], 1.5, 3, false);
  assert.equal(small.counts[3], 4, "at 1.5 only the four centres at √0.5");
});

test("a stroke covers exactly the pixels the brush rule says (brute force)", () => {
  const mask = new Mask(40, 30);
  const points = [3, 4, 20, 9, 31, 25, 31, 25, 8, 22];
  paintStroke(mask, points, 3.2, 5, false);
  for (let j = 0; j < 30; j++) {
    for (let i = 0; i < 40; i++) {
      assert.equal(mask.data[j * 40 + i], covered(i, j, points, 3.2) ? 5 : 0, `pixel ${i},${j}`);
    }
  }
  assert.equal(mask.counts[5] + mask.counts[0], 1200);
});

test("painting a stroke as it grows equals painting it at once", () => {
  const points = [5, 5, 15, 8, 25, 20, 10, 25];
  const whole = new Mask(32, 32), grown = new Mask(32, 32);
  paintStroke(whole, points, 2.5, 1, false);
  for (let k = 0; k < 4; k++) paintStroke(grown, points.slice(0, 2 * k + 2), 2.5, 1, false, k);
  assert.deepEqual(grown.data, whole.data);
});

test("protect writes only unlabeled pixels; the eraser writes 0", () => {
  const mask = new Mask(10, 1);
  paintStroke(mask, [2, 0], 2, 1, false); // centres 0.5..3.5 → pixels 0..3
  assert.deepEqual(rows(mask), ["1111000000"]);
  paintStroke(mask, [4, 0], 2, 2, true);
  assert.deepEqual(rows(mask), ["1111220000"]);
  paintStroke(mask, [3, 0], 1, 0, false);
  assert.deepEqual(rows(mask), ["1100220000"]);
  assert.equal(mask.unlabeled, 6);
});

test("a polygon fills the pixel centres inside, even-odd", () => {
  const mask = new Mask(8, 6);
  paintPolygon(mask, [1, 1, 7, 1, 7, 5, 1, 5], 4, false);
  assert.deepEqual(rows(mask), ["00000000", "04444440", "04444440", "04444440", "04444440", "00000000"]);
});

test("a pentagram: even-odd by pixel centres (brute force), its middle left empty", () => {
  const star = [];
  for (const k of [0, 2, 4, 1, 3]) {
    const angle = -Math.PI / 2 + (k * 2 * Math.PI) / 5;
    star.push(Math.round(20 + 18 * Math.cos(angle)), Math.round(20 + 18 * Math.sin(angle)));
  }
  const mask = new Mask(40, 40);
  paintPolygon(mask, star, 1, false);
  for (let j = 0; j < 40; j++) {
    for (let i = 0; i < 40; i++) {
      assert.equal(mask.data[j * 40 + i], evenOdd(i + 0.5, j + 0.5, star) ? 1 : 0, `pixel ${i},${j}`);
    }
  }
  assert.equal(mask.data[20 * 40 + 20], 0);
  assert.ok(mask.counts[1] > 200);
});

test("a triangle: only centres strictly inside its slanted edge", () => {
  const mask = new Mask(4, 4);
  paintPolygon(mask, [0, 0, 4, 0, 0, 4], 1, false);
  assert.deepEqual(rows(mask), ["1110", "1100", "1000", "0000"]);
});

test("fill takes the 4-connected region within the tolerance of the seed", () => {
  const image = twoHalves(20, 10);
  assert.equal(fillRegion(image, 2, 2, 10).length, 100);
  assert.equal(fillRegion(image, 2, 2, 0).length < 100, true);
  const mask = new Mask(20, 10);
  const dirty = paintFill(mask, image, 15, 5, 8, 2, false);
  assert.equal(mask.counts[2], 100);
  assert.deepEqual(dirty, { x: 10, y: 0, w: 10, h: 10 });
  // diagonal neighbours do not connect
  const data = new Uint8ClampedArray(3 * 3 * 4).fill(0);
  for (const k of [0, 4, 8]) data.set([255, 255, 255, 255], k * 4);
  assert.equal(fillRegion({ width: 3, height: 3, data }, 0, 0, 0).length, 1);
});

test("a fill with protect leaves labelled pixels as they are", () => {
  const image = twoHalves(20, 10);
  const mask = new Mask(20, 10);
  paintStroke(mask, [2, 2], 1, 1, false);
  paintFill(mask, image, 0, 9, 10, 3, true);
  assert.equal(mask.counts[1], 4);
  assert.equal(mask.counts[3], 96);
});

test("replay: drop removes an op by id, a re-sent op paints again, a repeat is skipped", () => {
  const doc = new MaskDocument(10, 1);
  const a = { op: "seg.stroke", id: "a", tool: "brush", index: 1, radius: 1, protect: false, points: encodePoints([[1, 0]]) };
  const b = { op: "seg.stroke", id: "b", tool: "brush", index: 2, radius: 1, protect: false, points: encodePoints([[2, 0]]) };
  doc.apply(a, null);
  doc.apply(b, null);
  assert.deepEqual(rows(doc.mask), ["1220000000"]);
  assert.equal(doc.apply(b, null), null, "the same op again changes nothing");
  assert.deepEqual(doc.apply({ op: "seg.drop", ids: ["b"] }, null), { x: 0, y: 0, w: 10, h: 1 });
  assert.deepEqual(rows(doc.mask), ["1100000000"]);
  doc.apply({ op: "seg.drop", ids: ["a"] }, null);
  assert.equal(doc.mask.unlabeled, 10);
  doc.apply(b, null);
  assert.deepEqual(rows(doc.mask), ["0220000000"]);
  assert.equal(doc.apply({ op: "seg.drop", ids: ["zzz"] }, null), null);
});

test("a snapshot makes the mask the base: earlier ops can no longer be dropped", () => {
  const doc = new MaskDocument(6, 1, Uint8Array.from([5, 5, 0, 0, 0, 0]));
  const a = { op: "seg.polygon", id: "p", index: 1, protect: true, points: encodePoints([[0, 0], [6, 0], [6, 1], [0, 1]]) };
  doc.apply(a, null);
  assert.deepEqual(rows(doc.mask), ["551111"]);
  doc.apply({ op: "seg.snapshot", id: "s1", png: "" }, null);
  assert.equal(doc.ops.length, 0);
  assert.equal(doc.apply({ op: "seg.drop", ids: ["p"] }, null), null);
  assert.deepEqual(rows(doc.mask), ["551111"]);
  doc.apply({ op: "seg.instance", index: 51, label: "car", attributes: { color: "red" } }, null);
  assert.deepEqual(doc.instances.get(51), { label: "car", attributes: { color: "red" } });
});

test("a fill in the replay needs the image; replaying after a drop repeats it exactly", () => {
  const image = twoHalves(20, 10);
  const doc = new MaskDocument(20, 10);
  const fill = { op: "seg.fill", id: "f", index: 1, x: 3, y: 3, tolerance: 10, protect: false };
  const stroke = { op: "seg.stroke", id: "s", tool: "eraser", index: 0, radius: 2, protect: false, points: encodePoints([[5, 5]]) };
  const late = { op: "seg.stroke", id: "t", tool: "brush", index: 2, radius: 2, protect: false, points: encodePoints([[15, 5]]) };
  doc.apply(fill, image);
  doc.apply(stroke, image);
  doc.apply(late, image);
  const before = doc.mask.data.slice();
  doc.apply({ op: "seg.drop", ids: ["t"] }, image);
  doc.apply(late, image);
  assert.deepEqual(doc.mask.data, before);
  assert.throws(() => new MaskDocument(20, 10).apply(fill, null), /image/);
});

test("history: undo drops the last op, redo re-sends it, a new op clears redo", () => {
  const history = new MaskHistory();
  history.push({ id: "a" });
  history.push({ id: "b" });
  assert.deepEqual(history.undo(), { op: { id: "b" }, send: { op: "seg.drop", ids: ["b"] } });
  assert.equal(history.canRedo, true);
  assert.deepEqual(history.redo(), { id: "b" });
  history.undo();
  history.push({ id: "c" });
  assert.equal(history.canRedo, false);
  history.snapshotTaken();
  assert.equal(history.canUndo, false);
  assert.equal(history.undo(), null);
});

test("unionRect joins dirty rectangles", () => {
  assert.deepEqual(unionRect({ x: 1, y: 1, w: 2, h: 2 }, { x: 5, y: 0, w: 1, h: 1 }), { x: 1, y: 0, w: 5, h: 3 });
  assert.deepEqual(unionRect(null, { x: 1, y: 1, w: 1, h: 1 }), { x: 1, y: 1, w: 1, h: 1 });
});

test("instance colours made on the page are the server's (tasks/rules/segmentation.py color)", async () => {
  const { indexColor } = await import("../../static/js/workbench/segment-controller.js");
  const server = ["#ffd8b1", "#000075", "#808080", "#f20c2a", "#5597f2", "#b0f20c", "#f255f2", "#0cf2ae",
    "#f29655", "#280cf2", "#70f255", "#f20c76", "#55cbf2", "#f2e80c", "#bd55f2", "#0cf261", "#f26155",
    "#0c3df2", "#a4f255", "#f20cc3", "#55f2e4", "#f29b0c"];
  assert.deepEqual(server.map((_, k) => indexColor(18 + k)), server);
  assert.equal(indexColor(0), "#000000");
});
