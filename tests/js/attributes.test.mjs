import { test } from "node:test";
import assert from "node:assert/strict";

import {
  instanceProblems,
  attributeProblems, checkValue, choiceText, connectionSegments, globalProblems, isMissing,
  lineExtent, lineHit, lineSegment, linkedCandidates, linkedTo, offsetAt, settleAttributes,
  settleGlobals, shownAttributes, shownGlobals,
} from "../../static/js/lib/attributes.js";

const DEFS = {
  occlusion: { type: "category", default: "visible",
    choices: ["visible", { choice: "Occluded", subchoices: [{ choice: "partly", display: "Partly" }, "mostly"] }] },
  parked: { type: "category", choices: ["yes", "no"], required: true,
    conditions: { label_condition: { label: ["car", "truck"] } } },
  speed: { type: "number", min: 0, max: 130, step: 5, default: 50,
    conditions: { label_condition: { label: ["car", "truck"] }, attribute_conditions: [{ parked: "no" }] } },
  colors: { type: "category", choices: ["red", "blue"], allow_multiple: true },
  heading: { type: "angle" },
  note: { type: "text" },
  centre: { type: "x_line", required: true },
  horizon: { type: "y_line" },
  owner: { type: "linked", allowed_labels: ["car"], required: true,
    conditions: { label_condition: { label: "head" } } },
  weather: { type: "category", choices: ["sun", "rain"], required: true, default: "sun",
    conditions: { is_global: true } },
  rain: { type: "category", choices: ["light", "heavy"], required: true,
    conditions: { is_global: true, attribute_conditions: [{ weather: "rain" }] } },
};
const car = (attributes = {}, extra = {}) => ({ uuid: "c", type: "box", label: "car", left: 10, top: 20, width: 100, height: 50, attributes, ...extra });

test("x_line / y_line show on boxes and cuboids only; globals never on annotations", () => {
  assert.deepEqual(shownAttributes(DEFS, car({ parked: "yes" })),
    ["occlusion", "parked", "colors", "heading", "note", "centre", "horizon"]);
  assert.deepEqual(shownAttributes(DEFS, car({ parked: "no" })),
    ["occlusion", "parked", "speed", "colors", "heading", "note", "centre", "horizon"]);
  const road = { uuid: "r", type: "polygon", label: "road", vertices: [], attributes: {} };
  assert.deepEqual(shownAttributes(DEFS, road), ["occlusion", "colors", "heading", "note"]);
  assert.deepEqual(shownGlobals(DEFS, {}), ["weather"]);
  assert.deepEqual(shownGlobals(DEFS, { weather: "rain" }), ["weather", "rain"]);
});

test("a new annotation gets the defaults that apply; a change fills only what came into view", () => {
  assert.deepEqual(settleAttributes(DEFS, car()), { occlusion: "visible" });
  // parked "no" brings speed into view, with its default
  const before = car({ occlusion: "visible", parked: "yes" });
  const shown = new Set(shownAttributes(DEFS, before));
  assert.deepEqual(settleAttributes(DEFS, car({ occlusion: "visible", parked: "no" }), shown),
    { occlusion: "visible", parked: "no", speed: 50 });
  // a cleared value in view stays cleared
  const cleared = car({ parked: "no", speed: 50 });
  const shownNow = new Set(shownAttributes(DEFS, cleared));
  assert.deepEqual(settleAttributes(DEFS, car({ parked: "no" }), shownNow), { parked: "no" });
  // hidden values go at once: parked "yes" hides speed
  assert.deepEqual(settleAttributes(DEFS, car({ parked: "yes", speed: 50 }), shownNow), { parked: "yes" });
  // relabelled out of the label condition: parked and speed go, defaults of the others stay
  const truckToRoad = { uuid: "x", type: "polygon", label: "road", vertices: [], attributes: { parked: "no", speed: 5, centre: 3 } };
  assert.deepEqual(settleAttributes(DEFS, truckToRoad, new Set(["parked", "speed", "centre"])), { occlusion: "visible" });
  assert.deepEqual(settleGlobals(DEFS, {}), { weather: "sun" });
  assert.deepEqual(settleGlobals(DEFS, { weather: "sun", rain: "light" }, new Set(["weather", "rain"])), { weather: "sun" });
});

test("checkValue mirrors the server's rules for every type", () => {
  const cases = [
    ["occlusion", "partly", ""], ["occlusion", "Occluded", /^must be one of the choices: "/],
    ["colors", ["red", "blue"], ""], ["colors", "red", "must be a list of choices"],
    ["colors", ["red", "red"], "must not repeat a choice"],
    ["speed", 55, ""], ["speed", 52, "must go in steps of 5"], ["speed", 135, "must be a number >= 0 and <= 130"],
    ["speed", -5, "must be a number >= 0 and <= 130"], ["speed", "5", "must be a number >= 0 and <= 130"],
    ["heading", 360, ""], ["heading", 361, "must be a number >= 0 and <= 360"],
    ["note", "", ""], ["note", 3, "must be a string"],
  ];
  for (const [id, value, reason] of cases) {
    const got = checkValue(DEFS[id], value);
    if (reason instanceof RegExp) assert.match(got, reason, `${id} = ${JSON.stringify(value)}`);
    else assert.equal(got, reason, `${id} = ${JSON.stringify(value)}`);
  }
  assert.equal(checkValue({ type: "number", step: 0.1 }, 0.3), "");
  assert.equal(checkValue({ type: "number", min: 2, step: 5 }, 5), "must go in steps of 5 from 2");
  const box = car();
  assert.equal(checkValue(DEFS.centre, 100, { annotation: box }), "");
  assert.match(checkValue(DEFS.centre, 100.5, { annotation: box }), /inside the box: an offset from its left edge between 0 and 100$/);
  assert.match(checkValue(DEFS.horizon, 51, { annotation: box }), /from its top edge between 0 and 50$/);
  const model = new Map([["c", box], ["t", { ...car(), uuid: "t", label: "truck" }], ["h", { uuid: "h", type: "point", label: "head", x: 0, y: 0 }]]);
  const head = model.get("h");
  assert.equal(checkValue(DEFS.owner, "c", { annotation: head, model }), "");
  assert.equal(checkValue(DEFS.owner, "t", { annotation: head, model }), "must link to an annotation labelled car");
  assert.equal(checkValue(DEFS.owner, "gone", { annotation: head, model }), "must be the uuid of another annotation in the same list");
  assert.equal(checkValue(DEFS.owner, "h", { annotation: head, model }), "cannot link an annotation to itself");
  assert.deepEqual(linkedCandidates(DEFS.owner, head, model), ["c"]);
  assert.deepEqual(linkedTo(DEFS, { attributes: { owner: "c", note: "c" } }, new Set(["c"])), ["owner"]);
  assert.equal(choiceText(DEFS.occlusion, "partly"), "Occluded › Partly");
});

test("problems: missing required and invalid values of shown attributes only", () => {
  const model = new Map([["c", car()]]);
  assert.deepEqual(attributeProblems(DEFS, car({ occlusion: "visible" }), model), [
    { id: "parked", reason: "is required" }, { id: "centre", reason: "is required" },
  ]);
  assert.deepEqual(attributeProblems(DEFS, car({ parked: "no", speed: 3, centre: 0, colors: [] }), model), [
    { id: "speed", reason: "must go in steps of 5" },
  ]);
  assert.deepEqual(globalProblems(DEFS, { weather: "rain" }), [{ id: "rain", reason: "is required" }]);
  assert.deepEqual(globalProblems(DEFS, { weather: "sun" }), []);
  assert.ok(isMissing([]) && isMissing(null) && isMissing(undefined) && !isMissing("") && !isMissing(0));
});

test("line offsets on a box, a rotated box and a cuboid's front face", () => {
  const box = car();
  assert.deepEqual(lineSegment(box, "x_line", 30), [{ x: 40, y: 20 }, { x: 40, y: 70 }]);
  assert.deepEqual(lineSegment(box, "y_line", 10), [{ x: 10, y: 30 }, { x: 110, y: 30 }]);
  assert.equal(offsetAt(box, "x_line", { x: 43.04, y: 0 }), 33);
  assert.equal(offsetAt(box, "x_line", { x: 500, y: 0 }), 100, "kept inside");
  assert.equal(offsetAt(box, "y_line", { x: 0, y: -5 }), 0);
  assert.ok(lineHit(box, "x_line", 30, { x: 41, y: 45 }, 2));
  assert.ok(!lineHit(box, "x_line", 30, { x: 45, y: 45 }, 2));
  assert.ok(!lineHit(box, "x_line", 30, { x: 40, y: 90 }, 2));
  // a box turned 90° clockwise about its centre (60, 45): its left edge is now at the top
  const turned = car({}, { rotation: Math.PI / 2 });
  const [a, b] = lineSegment(turned, "x_line", 0);
  assert.ok(Math.abs(a.x - 85) < 1e-9 && Math.abs(a.y + 5) < 1e-9, JSON.stringify(a));
  assert.ok(Math.abs(b.x - 35) < 1e-9 && Math.abs(b.y + 5) < 1e-9, JSON.stringify(b));
  assert.equal(offsetAt(turned, "x_line", { x: 60, y: 45 }), 50);
  assert.equal(lineExtent(turned, "x_line"), 100);
  const cuboid = { type: "cuboid", vertices: [
    { x: 10, y: 10, description: "face-topleft" }, { x: 10, y: 30, description: "face-bottomleft" },
    { x: 40, y: 10, description: "face-topright" }, { x: 40, y: 30, description: "face-bottomright" },
    { x: 50, y: 5, description: "side-topcorner" }, { x: 50, y: 25, description: "side-bottomcorner" }] };
  assert.equal(lineExtent(cuboid, "x_line"), 30);
  assert.equal(lineExtent(cuboid, "y_line"), 20);
  assert.deepEqual(lineSegment(cuboid, "y_line", 5), [{ x: 10, y: 15 }, { x: 40, y: 15 }]);
  assert.equal(offsetAt(cuboid, "x_line", { x: 45, y: 0 }), 30);
});

test("connections join pairs within each connection_attribute group, or all points without one", () => {
  const p = (uuid, label, person) => ({ uuid, type: "point", label, x: 0, y: 0, attributes: person ? { person } : {} });
  const points = [p("h1", "head", "A"), p("f1", "foot", "A"), p("h2", "head", "B"), p("f2", "foot", "B"),
    p("f3", "foot", "B"), p("lonely", "head"), { uuid: "box", type: "box", label: "head" }];
  const grouped = connectionSegments([{ pair: ["head", "foot"], connection_attribute: "person" }], points);
  assert.deepEqual(grouped.map(([a, b]) => `${a.uuid}-${b.uuid}`), ["h1-f1", "h2-f2", "h2-f3"]);
  const all = connectionSegments([{ pair: ["head", "foot"] }], points.slice(0, 2).concat(points.slice(5)));
  assert.deepEqual(all.map(([a, b]) => `${a.uuid}-${b.uuid}`), ["h1-f1", "lonely-f1"]);
  assert.deepEqual(connectionSegments([{ pair: ["head"] }, null], points), []);
});

test("pruning for the submit drops hidden values and adds no defaults", async () => {
  const { pruneAttributes, pruneGlobals } = await import("../../static/js/lib/attributes.js");
  assert.deepEqual(pruneAttributes(DEFS, car({ parked: "yes", speed: 50, weather: "sun" })), { parked: "yes" });
  const road = { uuid: "r", type: "polygon", label: "road", vertices: [], attributes: { centre: 4, note: "x" } };
  assert.deepEqual(pruneAttributes(DEFS, road), { note: "x" });
  assert.deepEqual(pruneGlobals(DEFS, { rain: "heavy" }), {});
  assert.deepEqual(pruneGlobals(DEFS, { weather: "rain", rain: "heavy", parked: "no" }), { weather: "rain", rain: "heavy" });
});

test("instanceProblems: a painted instance's required attribute, per its label's conditions", () => {
  const defs = {
    occluded: { type: "category", choices: ["yes", "no"], required: true, conditions: { label_condition: { label: "car" } } },
    seats: { type: "number", min: 1, max: 9 },
  };
  const instances = new Map([
    [5, { label: "person", attributes: { seats: 20 } }],
    [4, { label: "car", attributes: {} }],
    [6, { label: "car", attributes: { occluded: "no", seats: 2 } }],
  ]);
  const problems = instanceProblems(defs, instances);
  assert.deepEqual(problems.map((p) => [p.index, p.id]), [[4, "occluded"], [5, "seats"]]);
  assert.match(problems[0].reason, /required/);
  assert.deepEqual(instanceProblems(defs, new Map()), []);
});
