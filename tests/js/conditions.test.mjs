import { test } from "node:test";
import assert from "node:assert/strict";

import { attributeApplies, isGlobal, pruneHidden, visibleAttributes } from "../../static/js/lib/conditions.js";

const withConditions = (conditions) => ({ type: "category", choices: ["a"], conditions });

test("no conditions: always applies", () => {
  assert.ok(attributeApplies({ type: "text" }, "Car", {}));
  assert.ok(attributeApplies({ type: "text", conditions: null }, null, {}));
  assert.ok(attributeApplies(withConditions({ attribute_conditions: [] }), "Car", {}));
});

test("label_condition: a string or a list of labels", () => {
  const one = withConditions({ label_condition: { label: "Car" } });
  const many = withConditions({ label_condition: { label: ["Car", "Truck"] } });
  assert.ok(attributeApplies(one, "Car", {}));
  assert.ok(!attributeApplies(one, "Truck", {}));
  assert.ok(attributeApplies(many, "Truck", {}));
  assert.ok(!attributeApplies(many, "Bus", {}));
  assert.ok(!attributeApplies(many, null, {}));
  assert.ok(!attributeApplies(many, undefined, {}));
});

test("attribute_conditions: OR of objects, AND of keys inside one object", () => {
  const def = withConditions({
    attribute_conditions: [{ is_moving: "No" }, { is_parked: "Yes", color: ["red", "blue"] }],
  });
  assert.ok(attributeApplies(def, "Car", { is_moving: "No" }));
  assert.ok(!attributeApplies(def, "Car", { is_moving: "Yes" }));
  assert.ok(!attributeApplies(def, "Car", { is_parked: "Yes" })); // color missing
  assert.ok(attributeApplies(def, "Car", { is_parked: "Yes", color: "blue" }));
  assert.ok(!attributeApplies(def, "Car", { is_parked: "Yes", color: "green" }));
  assert.ok(attributeApplies(def, "Car", { is_moving: "Yes", is_parked: "Yes", color: "red" }));
  assert.ok(!attributeApplies(def, "Car", {}));
});

test("label and attribute conditions must both hold", () => {
  const def = withConditions({ label_condition: { label: "Car" }, attribute_conditions: [{ moving: "No" }] });
  assert.ok(attributeApplies(def, "Car", { moving: "No" }));
  assert.ok(!attributeApplies(def, "Truck", { moving: "No" }));
  assert.ok(!attributeApplies(def, "Car", { moving: "Yes" }));
});

test("multiple values (allow_multiple): any chosen value may match; empty matches nothing", () => {
  const def = withConditions({ attribute_conditions: [{ damage: ["dent", "scratch"] }] });
  assert.ok(attributeApplies(def, "Car", { damage: ["rust", "scratch"] }));
  assert.ok(!attributeApplies(def, "Car", { damage: ["rust"] }));
  assert.ok(!attributeApplies(def, "Car", { damage: [] }));
  assert.ok(!attributeApplies(def, "Car", { damage: null }));
});

test("values compare by type: numbers to numbers, strings to strings, booleans never", () => {
  const def = withConditions({ attribute_conditions: [{ lanes: [2, "2"] }] });
  assert.ok(attributeApplies(def, "Car", { lanes: 2 }));
  assert.ok(attributeApplies(def, "Car", { lanes: "2" }));
  const numberOnly = withConditions({ attribute_conditions: [{ lanes: 2 }] });
  assert.ok(!attributeApplies(numberOnly, "Car", { lanes: "2" }));
  const truthy = withConditions({ attribute_conditions: [{ flag: 1 }] });
  assert.ok(!attributeApplies(truthy, "Car", { flag: true }));
});

test("global attributes ignore label_condition", () => {
  const def = withConditions({ is_global: true, label_condition: { label: "Car" } });
  assert.ok(isGlobal(def));
  assert.ok(!isGlobal(withConditions({ is_global: false })));
  assert.ok(!isGlobal({ type: "text" }));
  assert.ok(attributeApplies(def, null, {}));
});

const DEFS = {
  vehicle_type: { type: "category", choices: ["sedan", "van"], conditions: { label_condition: { label: "Car" } } },
  sliding_door: { type: "category", choices: ["yes", "no"], conditions: { attribute_conditions: [{ vehicle_type: "van" }] } },
  door_open: { type: "category", choices: ["yes", "no"], conditions: { attribute_conditions: [{ sliding_door: "yes" }] } },
  note: { type: "text" },
  weather: { type: "category", choices: ["sun", "rain"], conditions: { is_global: true } },
  wet_road: { type: "category", choices: ["yes", "no"], conditions: { is_global: true, attribute_conditions: [{ weather: "rain" }] } },
};

test("visibleAttributes follows chains to a fixed point", () => {
  const values = { vehicle_type: "van", sliding_door: "yes", door_open: "no" };
  assert.deepEqual(visibleAttributes(DEFS, "Car", values), ["vehicle_type", "sliding_door", "door_open", "note"]);
  // A Truck hides vehicle_type; sliding_door depends on it, door_open on sliding_door.
  assert.deepEqual(visibleAttributes(DEFS, "Truck", values), ["note"]);
  assert.deepEqual(visibleAttributes(DEFS, "Car", { ...values, vehicle_type: "sedan" }), ["vehicle_type", "note"]);
  assert.deepEqual(visibleAttributes(DEFS, "Car", {}), ["vehicle_type", "note"]);
});

test("visibleAttributes of the global scope", () => {
  assert.deepEqual(visibleAttributes(DEFS, null, {}, { global: true }), ["weather"]);
  assert.deepEqual(visibleAttributes(DEFS, null, { weather: "rain" }, { global: true }), ["weather", "wet_road"]);
  assert.deepEqual(visibleAttributes({}, "Car", {}), []);
});

test("pruneHidden drops hidden, unknown and out-of-scope values", () => {
  const values = { vehicle_type: "van", sliding_door: "yes", door_open: "no", note: "x", weather: "sun", bogus: 1 };
  assert.deepEqual(pruneHidden(DEFS, "Car", values), { vehicle_type: "van", sliding_door: "yes", door_open: "no", note: "x" });
  assert.deepEqual(pruneHidden(DEFS, "Truck", values), { note: "x" });
  assert.deepEqual(pruneHidden(DEFS, null, { weather: "sun", wet_road: "yes" }, { global: true }), { weather: "sun" });
  assert.equal(values.bogus, 1); // not mutated
});
