import { test } from "node:test";
import assert from "node:assert/strict";

import { findLeaf, isLeaf, leaves, parseLabels, pathText, recentKeyIndex, RecentLabels, search } from "../../static/js/lib/labeltree.js";

const OBJECTS = [
  "Car",
  { choice: "pedestrian", display: "Pedestrian", subchoices: [
    { choice: "ped_adult", display: "Adult" },
    { choice: "ped_child", display: "Child" },
    { choice: "cyclist_group", display: "On a bike", subchoices: ["Cyclist", "Carrier cyclist"] },
  ] },
  { choice: "Truck" },
  "Cart",
  { choice: "car park sign", display: "Sign: car park" },
];

const choices = (results) => results.map((r) => r.choice);

test("parseLabels builds nodes with display defaults and display paths", () => {
  const tree = parseLabels(OBJECTS);
  assert.deepEqual(tree[0], { choice: "Car", display: "Car", children: [], path: ["Car"] });
  assert.equal(tree[1].display, "Pedestrian");
  assert.ok(!isLeaf(tree[1]));
  assert.deepEqual(tree[1].children[2].children[1],
    { choice: "Carrier cyclist", display: "Carrier cyclist", children: [], path: ["Pedestrian", "On a bike", "Carrier cyclist"] });
  assert.deepEqual(tree[2], { choice: "Truck", display: "Truck", children: [], path: ["Truck"] });
  assert.deepEqual(parseLabels(null), []);
  assert.deepEqual(parseLabels(undefined), []);
});

test("leaves in tree order; groups are never leaves", () => {
  const tree = parseLabels(OBJECTS);
  assert.deepEqual(leaves(tree).map((n) => n.choice),
    ["Car", "ped_adult", "ped_child", "Cyclist", "Carrier cyclist", "Truck", "Cart", "car park sign"]);
  assert.equal(findLeaf(tree, "ped_child").display, "Child");
  assert.equal(findLeaf(tree, "pedestrian"), null);
  assert.equal(pathText(findLeaf(tree, "ped_adult")), "Pedestrian › Adult");
});

test("search matches display or choice, case-insensitively, and shows the path", () => {
  const tree = parseLabels(OBJECTS);
  const [adult] = search(tree, "adult");
  assert.deepEqual({ ...adult, node: undefined },
    { node: undefined, choice: "ped_adult", display: "Adult", path: "Pedestrian › Adult" });
  assert.deepEqual(choices(search(tree, "PED_")), ["ped_adult", "ped_child"]); // by choice
  assert.deepEqual(choices(search(tree, "child")), ["ped_child"]);
  // a group's name finds its leaves (the group itself cannot be picked)
  assert.deepEqual(choices(search(tree, "pedestrian")), ["ped_adult", "ped_child", "Cyclist", "Carrier cyclist"]);
  assert.deepEqual(choices(search(tree, "bike")), ["Cyclist", "Carrier cyclist"]);
  assert.deepEqual(choices(search(tree, "zebra")), []);
});

test("search needs every word in the display, or every word in the choice", () => {
  const tree = parseLabels(OBJECTS);
  assert.deepEqual(choices(search(tree, "  park   CAR ")), ["car park sign"]);
  assert.deepEqual(choices(search(tree, "sign car")), ["car park sign"]);
  assert.deepEqual(choices(search(tree, "carrier cyc")), ["Carrier cyclist"]);
  const tram = parseLabels([{ choice: "tram_01", display: "Streetcar" }]);
  assert.deepEqual(choices(search(tram, "street")), ["tram_01"]);
  assert.deepEqual(choices(search(tram, "01 TRAM")), ["tram_01"]);
  assert.deepEqual(choices(search(tram, "streetcar 01")), []); // one word in each: no match
});

test("search ranks exact, then prefix, then substring, then tree order", () => {
  const tree = parseLabels(OBJECTS);
  // "car": exact Car; prefixes Cart, Carrier cyclist, car park sign (by choice); substrings none.
  assert.deepEqual(choices(search(tree, "car")), ["Car", "Carrier cyclist", "Cart", "car park sign"]);
  // "cycl": prefix of Cyclist, substring of Carrier cyclist.
  assert.deepEqual(choices(search(tree, "cycl")), ["Cyclist", "Carrier cyclist"]);
  // "ca": prefixes only, so tree order.
  assert.deepEqual(choices(search(tree, "cart")), ["Cart"]);
  assert.deepEqual(choices(search(tree, "ca")), ["Car", "Carrier cyclist", "Cart", "car park sign"]);
  // "t": prefix Truck first, then substrings in tree order, then Child through its group
  // Pedestrian (the sign has no t).
  assert.deepEqual(choices(search(tree, "t")), ["Truck", "ped_adult", "Cyclist", "Carrier cyclist", "Cart", "ped_child"]);
  // An exact match later in the tree beats an earlier prefix match.
  const order = parseLabels(["Busy", "Bus stop", "Bus"]);
  assert.deepEqual(choices(search(order, "bus")), ["Bus", "Busy", "Bus stop"]);
  const sub = parseLabels(["Minibus", "Bus lane"]);
  assert.deepEqual(choices(search(sub, "bus")), ["Bus lane", "Minibus"]);
});

test("an empty query lists every leaf in tree order", () => {
  const tree = parseLabels(OBJECTS);
  assert.deepEqual(choices(search(tree, "")), leaves(tree).map((n) => n.choice));
  assert.deepEqual(choices(search(tree, "   ")), leaves(tree).map((n) => n.choice));
});

test("a group's name finds its leaves after the direct matches", () => {
  const tree = parseLabels([
    { choice: "car", display: "Car", subchoices: ["sedan", "suv", "van", "pickup"] },
    { choice: "bus", display: "Bus", subchoices: ["coach", "minibus"] },
  ]);
  assert.deepEqual(choices(search(tree, "car")), ["sedan", "suv", "van", "pickup"]);
  assert.deepEqual(choices(search(tree, "bus")), ["minibus", "coach"]);  // direct first
  assert.deepEqual(choices(search(tree, "bus coach")), ["coach"]);
  assert.deepEqual(choices(search(tree, "car coach")), []);
});

test("recentKeyIndex: Alt with a digit picks a recent label; a plain digit searches", () => {
  assert.equal(recentKeyIndex({ key: "1", code: "Digit1" }), -1);
  assert.equal(recentKeyIndex({ key: "1", code: "Digit1", altKey: true }), 0);
  assert.equal(recentKeyIndex({ key: "¡", code: "Digit1", altKey: true }), 0);  // macOS layout
  assert.equal(recentKeyIndex({ key: "9", code: "Numpad9", altKey: true }), 8);
  assert.equal(recentKeyIndex({ key: "0", code: "Digit0", altKey: true }), -1);
  assert.equal(recentKeyIndex({ key: "2", code: "Digit2", altKey: true, ctrlKey: true }), -1);
  assert.equal(recentKeyIndex({ key: "a", code: "KeyA", altKey: true }), -1);
});

test("RecentLabels keeps 9 per geometry, most recent first, without repeats", () => {
  const recent = new RecentLabels();
  for (let i = 1; i <= 12; i++) recent.use("box", `L${i}`);
  recent.use("polygon", "road");
  recent.use("box", "L5");
  assert.deepEqual(recent.list("box"), ["L5", "L12", "L11", "L10", "L9", "L8", "L7", "L6", "L4"]);
  assert.deepEqual(recent.list("polygon"), ["road"]);
  assert.deepEqual(recent.list("point"), []);
  assert.equal(recent.pick("box", 1), "L5");
  assert.equal(recent.pick("box", 9), "L4");
  assert.equal(recent.pick("polygon", 2), null);
  assert.equal(recent.pick("box", 2, ["L5", "L11"]), "L11");
  const restored = new RecentLabels({ data: JSON.parse(JSON.stringify(recent)) });
  assert.deepEqual(restored.list("box"), recent.list("box"));
});
