import { test } from "node:test";
import assert from "node:assert/strict";
import { hashText, hslHex, labelColorMap, labelHues } from "../../static/js/lib/labelcolors.js";
import { borderBetween, nearestVertex, snapVertices } from "../../static/js/lib/snap.js";
import { AidState, clockText, imageFilter, problemUuids, stepThrough } from "../../static/js/lib/aidstate.js";
import { parseLabels } from "../../static/js/lib/labeltree.js";

const tree = () => parseLabels([
  { choice: "Vehicle", subchoices: ["car", "bus", "truck", "van", "motorbike"] },
  { choice: "Person", subchoices: ["adult", "child"] },
  "sign", "light", "pole", "tree", "building", "road", "sky", "water", "grass", "fence",
  "wall", "bench", "bin", "hydrant",
]);

const hueDistance = (a, b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

test("hashText is stable and differs between names", () => {
  assert.equal(hashText("car"), hashText("car"));
  assert.notEqual(hashText("car"), hashText("bus"));
});

test("hslHex converts known colours", () => {
  assert.equal(hslHex(0, 1, 0.5), "#ff0000");
  assert.equal(hslHex(120, 1, 0.5), "#00ff00");
  assert.equal(hslHex(240, 1, 0.5), "#0000ff");
});

test("every leaf of a 21-leaf tree has its own colour (no 14-colour palette repeats)", () => {
  const colors = labelColorMap({ box: tree() });
  assert.equal(colors.size, 21);
  assert.equal(new Set(colors.values()).size, 21);
});

test("colours are stable across tasks: the same tree in another order gives the same colours", () => {
  const a = labelColorMap({ box: tree() });
  const b = labelColorMap({ polygon: [...tree()].reverse() });
  for (const [choice, color] of a) assert.equal(b.get(choice), color, choice);
});

test("sibling labels are spread evenly over the hue circle", () => {
  const hues = labelHues(tree());
  const kids = ["car", "bus", "truck", "van", "motorbike"].map((c) => hues.get(c).hue);
  for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) {
    assert.ok(Math.abs(hueDistance(kids[i], kids[j]) - 72) < 1e-9 || Math.abs(hueDistance(kids[i], kids[j]) - 144) < 1e-9, String(kids));
  }
  const [adult, child] = ["adult", "child"].map((c) => hues.get(c).hue);
  assert.ok(Math.abs(hueDistance(adult, child) - 180) < 1e-9);
  const roots = ["sign", "light", "pole", "tree", "sky", "road"].map((c) => hues.get(c).hue);
  for (let i = 0; i < roots.length; i++) for (let j = i + 1; j < roots.length; j++) {
    assert.ok(hueDistance(roots[i], roots[j]) >= 360 / 16 - 1e-9);
  }
});

test("nearestVertex snaps within the radius to polygon vertices and box corners, not to itself", () => {
  const shapes = [
    { uuid: "p", type: "polygon", vertices: [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }] },
    { uuid: "b", type: "box", left: 200, top: 50, width: 40, height: 30 },
  ];
  assert.deepEqual(nearestVertex({ x: 103, y: 2 }, shapes, 5), { x: 100, y: 0, uuid: "p", index: 1, distance: Math.hypot(3, 2) });
  const corner = nearestVertex({ x: 238, y: 79 }, shapes, 5);
  assert.equal(corner.uuid, "b");
  assert.deepEqual([corner.x, corner.y], [240, 80]);
  assert.equal(nearestVertex({ x: 150, y: 150 }, shapes, 5), null);
  assert.equal(nearestVertex({ x: 103, y: 2 }, shapes, 5, "p"), null);
  assert.equal(snapVertices({ type: "ellipse", vertices: [] }).length, 0);
});

test("borderBetween follows the shorter way round the ring", () => {
  const ring = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ x: i, y: 0 }));
  assert.deepEqual(borderBetween(ring, 1, 4).map((v) => v.x), [2, 3]);
  assert.deepEqual(borderBetween(ring, 1, 6).map((v) => v.x), [0, 7]);
  assert.deepEqual(borderBetween(ring, 6, 1).map((v) => v.x), [7, 0]);
  assert.deepEqual(borderBetween(ring, 2, 3), []);
  assert.deepEqual(borderBetween(ring, 2, 2), []);
});

function memoryStorage() {
  const data = new Map();
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, String(v)), data };
}

test("AidState keeps hidden and locked per task key in the storage", () => {
  const storage = memoryStorage();
  const state = new AidState("task-1", storage);
  assert.equal(state.toggle("hidden", ["a", "b"]), true);
  assert.equal(state.toggle("locked", ["b"]), true);
  assert.equal(state.toggle("hidden", ["a"]), false);
  const again = new AidState("task-1", storage);
  assert.deepEqual([...again.hidden], ["b"]);
  assert.deepEqual([...again.locked], ["b"]);
  assert.equal(new AidState("task-2", storage).hidden.size, 0);
  again.prune(["a"]);
  assert.equal(new AidState("task-1", storage).locked.size, 0);
  again.setAllHidden(true, ["a", "c"]);
  assert.deepEqual([...new AidState("task-1", storage).hidden], ["a", "c"]);
  again.setAllHidden(false);
  assert.equal(new AidState("task-1", storage).hidden.size, 0);
});

test("AidState survives a broken storage", () => {
  const state = new AidState("k", { getItem: () => "{not json", setItem: () => { throw new Error("full"); } });
  assert.equal(state.hidden.size, 0);
  assert.equal(state.toggle("hidden", ["x"]), true);
});

test("problemUuids and stepThrough find the next problem, wrapping round", () => {
  const order = ["a", "b", "c", "d", "e"];
  const problems = problemUuids(order, (u) => (u === "b" || u === "d" ? [{ id: "x" }] : []));
  assert.deepEqual(problems, ["b", "d"]);
  assert.equal(stepThrough(order, problems, null, 1), "b");
  assert.equal(stepThrough(order, problems, "b", 1), "d");
  assert.equal(stepThrough(order, problems, "c", 1), "d");
  assert.equal(stepThrough(order, problems, "d", 1), "b");
  assert.equal(stepThrough(order, problems, "c", -1), "b");
  assert.equal(stepThrough(order, problems, "a", -1), "d");
  assert.equal(stepThrough(order, [], "a", 1), null);
});

test("clockText and imageFilter", () => {
  assert.equal(clockText(0), "0:00");
  assert.equal(clockText(725), "12:05");
  assert.equal(clockText(3729), "1:02:09");
  assert.equal(imageFilter({}), "none");
  assert.equal(imageFilter({ brightness: 120, contrast: 90, saturation: 0 }), "brightness(120%) contrast(90%) saturate(0%)");
});

test("the aids' keys are free: not in the key map, the video keys or the review keys", async () => {
  const { AIDS_BINDINGS } = await import("../../static/js/workbench/aids.js");
  const { BINDINGS } = await import("../../static/js/workbench/keyboard.js");
  const { VIDEO_BINDINGS } = await import("../../static/js/workbench/video-keys.js");
  const { REVIEW_BINDINGS, REWORK_BINDINGS } = await import("../../static/js/workbench/review-keys.js");
  const taken = new Set([...BINDINGS, ...VIDEO_BINDINGS, ...REVIEW_BINDINGS, ...REWORK_BINDINGS].map((b) => b.combo));
  const mine = AIDS_BINDINGS.map((b) => b.combo);
  assert.deepEqual(mine.filter((combo) => taken.has(combo)), []);
  assert.equal(new Set(mine).size, mine.length);
  // every binding has a help row or shares one (the row names its key)
  for (const b of AIDS_BINDINGS.filter((x) => x.help)) assert.equal(b.help[0], "Aids");
});
