// The Assist tool's pure logic (static/js/lib/assist.js): the prompt state machine, the
// request bodies, the stale-answer rule, the answers' meaning, box / polygon conversion; and
// that its keys are free (docs/workbench.md, "Assist").
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  AssistSession, assistGeometry, boxPrompt, buildRequest, outcomeOf, shapeForTask, simplifyRing,
} from "../../static/js/lib/assist.js";

const POLYGON = { geometry: "polygon", maxVertices: null };
const square = (n = 4) => Array.from({ length: n }, (_, i) => {
  const t = (2 * Math.PI * i) / n;
  return { x: 100 + 50 * Math.cos(t), y: 100 + 50 * Math.sin(t) };
});

test("the assist returns a polygon when the task has polygons, else a box, else nothing", () => {
  assert.equal(assistGeometry({ box: {}, polygon: {} }), "polygon");
  assert.equal(assistGeometry({ box: {} }), "box");
  assert.equal(assistGeometry({ point: {}, line: {} }), null);
  assert.equal(assistGeometry(/** @type {any} */ (undefined)), null);
});

test("a box prompt is ordered and rounded to hundredths", () => {
  assert.deepEqual(boxPrompt({ x: 50.126, y: 80 }, { x: 10, y: 20.004 }), [10, 20, 50.13, 80]);
});

test("box mode: a drag sends tool box with the box; clicks refine it with signed points", () => {
  const s = new AssistSession();
  assert.equal(s.addPoint({ x: 1, y: 1 }, true), false, "no point before a box");
  assert.equal(s.request(POLYGON), null);
  s.setBox({ x: 10, y: 20 }, { x: 110, y: 220 });
  const first = s.request({ geometry: "polygon", maxVertices: 40 });
  assert.deepEqual(first?.body, { tool: "box", geometry: "polygon", box: [10, 20, 110, 220], points: [], max_vertices: 40 });
  assert.equal(s.status, "pending");
  assert.ok(s.addPoint({ x: 60, y: 120 }, true));
  assert.ok(s.addPoint({ x: 15.555, y: 25 }, false));
  const second = s.request(POLYGON);
  assert.deepEqual(second?.body.points, [{ x: 60, y: 120, positive: true }, { x: 15.56, y: 25, positive: false }]);
  assert.ok(second && first && second.seq > first.seq);
  assert.equal("max_vertices" in (second?.body || {}), false, "no limit sent without one");
});

test("region mode: the seed first, then exclusions, with the tolerance; another seed adds", () => {
  const s = new AssistSession({ mode: "region" });
  assert.equal(s.addPoint({ x: 5, y: 5 }, false), false, "an exclusion needs a seed first");
  assert.ok(s.addPoint({ x: 40, y: 50 }, true));
  s.stepTolerance(5);
  assert.ok(s.addPoint({ x: 45, y: 55 }, false));
  assert.deepEqual(s.request({ geometry: "box" })?.body, {
    tool: "click", geometry: "box", tolerance: 25,
    points: [{ x: 40, y: 50, positive: true }, { x: 45, y: 55, positive: false }],
  });
  assert.ok(s.addPoint({ x: 90, y: 95 }, true));
  assert.equal(s.points.length, 3, "another seed adds its region");
  assert.equal(s.stepTolerance(500), 100);
  assert.equal(s.stepTolerance(-500), 0);
});

test("scissors ask from the third anchor; Backspace takes anchors back", () => {
  const s = new AssistSession({ mode: "scissors" });
  s.addPoint({ x: 0, y: 0 }, true);
  s.addPoint({ x: 10, y: 0 }, false); // the sign of an anchor is ignored
  assert.equal(s.request(POLYGON), null);
  assert.equal(s.status, "idle");
  s.addPoint({ x: 10, y: 10 }, true);
  assert.deepEqual(s.request(POLYGON)?.body, {
    tool: "scissors", geometry: "polygon",
    points: [{ x: 0, y: 0, positive: true }, { x: 10, y: 0, positive: true }, { x: 10, y: 10, positive: true }],
  });
  assert.ok(s.removeLast());
  assert.equal(s.anchors.length, 2);
  assert.equal(s.request(POLYGON), null);
});

test("snap sends the polygon's vertices and always asks for a polygon", () => {
  const s = new AssistSession();
  s.startSnap("u1", square());
  const body = s.request({ geometry: "box", maxVertices: 8 })?.body;
  assert.equal(body?.tool, "snap");
  assert.equal(body?.geometry, "polygon");
  assert.equal(body?.vertices.length, 4);
  assert.equal(body?.max_vertices, 8);
  assert.equal(buildRequest({ ...s, snap: { uuid: "u", vertices: square(4).slice(0, 2) } }, POLYGON), null);
});

test("only the answer to the latest request counts", () => {
  const s = new AssistSession();
  s.setBox({ x: 0, y: 0 }, { x: 100, y: 100 });
  const old = s.request(POLYGON);
  s.addPoint({ x: 50, y: 50 }, true);
  const latest = s.request(POLYGON);
  const shape = { type: "polygon", vertices: square(6) };
  assert.equal(s.answer(/** @type {any} */ (old).seq, 200, { shape }, POLYGON), false, "the older answer is stale");
  assert.equal(s.status, "pending");
  assert.equal(s.answer(/** @type {any} */ (latest).seq, 200, { shape, source: "opencv" }, POLYGON), true);
  assert.equal(s.status, "ready");
  assert.equal(s.source, "opencv");
  assert.equal(s.preview?.type, "polygon");
  assert.equal(s.answer(/** @type {any} */ (latest).seq, 200, { shape }, POLYGON), false, "answered once");
});

test("Esc (clear) or a new mode makes the answer on its way stale", () => {
  const s = new AssistSession();
  s.setBox({ x: 0, y: 0 }, { x: 100, y: 100 });
  const sent = /** @type {any} */ (s.request(POLYGON));
  s.clear();
  assert.equal(s.answer(sent.seq, 200, { shape: { type: "polygon", vertices: square() } }, POLYGON), false);
  assert.equal(s.preview, null);
  assert.equal(s.busy, false);
  s.setBox({ x: 0, y: 0 }, { x: 100, y: 100 });
  const again = /** @type {any} */ (s.request(POLYGON));
  assert.ok(s.setMode("scissors"));
  assert.equal(s.answer(again.seq, 200, { shape: { type: "polygon", vertices: square() } }, POLYGON), false);
});

test("each answer says what happened", () => {
  assert.equal(outcomeOf(200, { shape: {} }).status, "ready");
  assert.deepEqual(outcomeOf(422, { error: "nothing found there" }), { status: "empty", message: "No shape found" });
  for (const status of [0, 404, 503, 500]) assert.equal(outcomeOf(status, {}).status, "unavailable", String(status));
  assert.match(outcomeOf(503, {}).message, /^Assist unavailable/);
  assert.deepEqual(outcomeOf(400, { error: "box is outside the image" }), { status: "failed", message: "Assist refused: box is outside the image" });
  assert.equal(outcomeOf(403, {}).status, "failed");
});

test("a malformed or degenerate shape answers as 'No shape found'", () => {
  const s = new AssistSession({ mode: "region" });
  s.addPoint({ x: 1, y: 1 }, true);
  const sent = /** @type {any} */ (s.request(POLYGON));
  assert.ok(s.answer(sent.seq, 200, { shape: { type: "polygon", vertices: [{ x: 0, y: 0 }, { x: 1, y: "a" }] } }, POLYGON));
  assert.equal(s.status, "empty");
  assert.equal(s.preview, null);
  assert.equal(s.accept(), null, "nothing to accept");
});

test("accept gives the preview (and the polygon a snap replaces) and clears the prompt", () => {
  const s = new AssistSession();
  s.startSnap("u9", square());
  const sent = /** @type {any} */ (s.request(POLYGON));
  s.answer(sent.seq, 200, { shape: { type: "polygon", vertices: square(5) } }, POLYGON);
  const accepted = s.accept();
  assert.equal(accepted?.snapOf, "u9");
  assert.equal(accepted?.shape.type, "polygon");
  assert.equal(s.busy, false);
  assert.equal(s.status, "idle");
});

test("a polygon becomes its bounding box for a box task, a box a 4-vertex polygon", () => {
  const polygon = { type: "polygon", vertices: [{ x: 10.004, y: 20 }, { x: 60, y: 25 }, { x: 30, y: 70.5 }] };
  assert.deepEqual(shapeForTask(polygon, "box"), { type: "box", left: 10, top: 20, width: 50, height: 50.5 });
  const box = { type: "box", left: 1, top: 2, width: 3, height: 4 };
  assert.deepEqual(shapeForTask(box, "polygon"), {
    type: "polygon", vertices: [{ x: 1, y: 2 }, { x: 4, y: 2 }, { x: 4, y: 6 }, { x: 1, y: 6 }],
  });
  assert.equal(shapeForTask({ type: "polygon", vertices: [{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 1, y: 1 }] }, "box"), null);
  assert.equal(shapeForTask({ type: "ellipse" }, "polygon"), null);
});

test("max_vertices is kept: the flattest vertices go first", () => {
  const ring = square(64);
  const bumpy = [...ring.slice(0, 10), { x: 200, y: 200 }, ...ring.slice(10)];
  const out = /** @type {any} */ (shapeForTask({ type: "polygon", vertices: bumpy }, "polygon", 12));
  assert.equal(out.vertices.length, 12);
  assert.ok(out.vertices.some((/** @type {any} */ v) => v.x === 200 && v.y === 200), "the spike survives");
  assert.equal(simplifyRing(square(5), 2).length, 3, "never below a triangle");
  assert.equal(simplifyRing(square(5), 10).length, 5);
});

test("the assist keys are free everywhere the workbench runs", async () => {
  const { ASSIST_BINDINGS } = await import("../../static/js/workbench/assist.js");
  const { BINDINGS } = await import("../../static/js/workbench/keyboard.js");
  const { AIDS_BINDINGS } = await import("../../static/js/workbench/aids.js");
  const { VIDEO_BINDINGS } = await import("../../static/js/workbench/video-keys.js");
  const { REVIEW_BINDINGS, REWORK_BINDINGS } = await import("../../static/js/workbench/review-keys.js");
  const taken = new Set([...BINDINGS, ...AIDS_BINDINGS, ...VIDEO_BINDINGS, ...REVIEW_BINDINGS, ...REWORK_BINDINGS]
    .map((b) => b.combo));
  assert.deepEqual(ASSIST_BINDINGS.map((b) => b.combo).filter((combo) => taken.has(combo)), []);
  for (const b of ASSIST_BINDINGS) assert.equal(b.help?.[0], "Assist");
});
