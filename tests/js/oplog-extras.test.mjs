// The OpLog's ops on the response's other parts: global attributes and links (model.extras).
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  applyOp, extrasKeys, extrasOf, extrasOps, globalsOp, invert, OpLog, sameLink,
} from "../../static/js/lib/oplog.js";
import { AnnotationStore, opHas, opUuids } from "../../static/js/lib/annotationstore.js";

const box = (uuid, left = 0) => ({ uuid, type: "box", label: "car", left, top: 0, width: 10, height: 10, attributes: {} });
const link = (from, to, label = "tows") => ({ label, from, to });
const model = () => {
  const m = new Map([["a", box("a")], ["b", box("b", 20)], ["c", box("c", 40)]]);
  m.extras = { global_attributes: { weather: "sun" }, links: [link("a", "b")] };
  return m;
};
const snapshot = (m) => structuredClone({ entries: [...m], extras: m.extras });

test("globalsOp keeps only the changed keys; a missing key is null", () => {
  assert.deepEqual(globalsOp({ weather: "sun", note: "x" }, { weather: "rain", tags: ["a"] }), {
    op: "globals",
    before: { weather: "sun", note: "x", tags: null },
    after: { weather: "rain", note: null, tags: ["a"] },
  });
  assert.equal(globalsOp({ a: [1] }, { a: [1] }), null);
  assert.equal(globalsOp({}, {}), null);
});

test("a globals op sets and removes keys, and its inverse restores them", () => {
  const m = model();
  const before = m.extras.global_attributes;
  const op = globalsOp(before, { time: "dusk" });
  applyOp(m, op);
  assert.deepEqual(m.extras.global_attributes, { time: "dusk" });
  assert.notEqual(m.extras.global_attributes, before, "a new object, never mutated in place");
  assert.deepEqual(before, { weather: "sun" });
  applyOp(m, invert(op));
  assert.deepEqual(m.extras.global_attributes, { weather: "sun" });
});

test("link_add appends (or inserts at index); link_delete records its index; inverses restore order", () => {
  const m = model();
  applyOp(m, { op: "link_add", link: link("b", "c") });
  applyOp(m, { op: "link_add", link: link("c", "a"), index: 0 });
  assert.deepEqual(m.extras.links, [link("c", "a"), link("a", "b"), link("b", "c")]);
  const applied = applyOp(m, { op: "link_delete", link: link("a", "b") });
  assert.equal(applied.index, 1);
  assert.deepEqual(m.extras.links, [link("c", "a"), link("b", "c")]);
  applyOp(m, invert(applied));
  assert.deepEqual(m.extras.links, [link("c", "a"), link("a", "b"), link("b", "c")]);
  assert.deepEqual(invert(invert(applied)), applied);
});

test("duplicate links and deleting a missing link throw, leaving the model as it was", () => {
  const m = model();
  const before = snapshot(m);
  assert.throws(() => applyOp(m, { op: "link_add", link: link("a", "b") }), /already exists/);
  assert.throws(() => applyOp(m, { op: "link_delete", link: link("b", "a") }), /no link/);
  // a batch that fails half-way is rolled back
  assert.throws(() => applyOp(m, { op: "batch", ops: [
    { op: "delete", annotation: box("c", 40) },
    { op: "link_delete", link: link("a", "b") },
    { op: "link_delete", link: link("a", "b") },
  ] }));
  assert.deepEqual(snapshot(m), before);
  assert.ok(sameLink(link("a", "b"), { to: "b", from: "a", label: "tows" }));
});

test("deleting an annotation with its links is one undo step; undo restores both in place", () => {
  const m = model();
  m.extras.links = [link("a", "b"), link("b", "c"), link("c", "a")];
  const before = snapshot(m);
  const log = new OpLog();
  log.apply(m, { op: "batch", ops: [
    { op: "delete", annotation: box("b", 20) },
    { op: "link_delete", link: link("a", "b") },
    { op: "link_delete", link: link("b", "c") },
  ] });
  assert.deepEqual([...m.keys()], ["a", "c"]);
  assert.deepEqual(m.extras.links, [link("c", "a")]);
  log.undo(m);
  assert.deepEqual(snapshot(m), before);
  log.redo(m);
  assert.deepEqual(m.extras.links, [link("c", "a")]);
  log.undo(m);
  assert.deepEqual(snapshot(m), before);
});

test("random sequences of every op kind undo to the start and redo to the end", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const m = model();
  const start = snapshot(m);
  const log = new OpLog();
  const ends = ["a", "b", "c"];
  for (let i = 0; i < 300; i++) {
    const r = random();
    if (r < 0.4) {
      const next = random() < 0.5 ? { weather: ["sun", "rain"][i % 2], n: i } : { time: "day" };
      const op = globalsOp(m.extras.global_attributes, next);
      if (op) log.apply(m, op);
    } else if (r < 0.7) {
      const candidate = link(ends[i % 3], ends[(i + 1 + (i % 2)) % 3], i % 4 ? "tows" : "near");
      if (!m.extras.links.some((l) => sameLink(l, candidate))) log.apply(m, { op: "link_add", link: candidate });
    } else if (m.extras.links.length) {
      const victim = m.extras.links[Math.floor(random() * m.extras.links.length)];
      log.apply(m, { op: "link_delete", link: victim });
    }
  }
  const end = snapshot(m);
  while (log.undo(m));
  assert.deepEqual(snapshot(m), start);
  while (log.redo(m));
  assert.deepEqual(snapshot(m), end);
});

test("globals ops are never merged into the previous entry", () => {
  const m = model();
  const log = new OpLog();
  log.apply(m, globalsOp(m.extras.global_attributes, { weather: "rain" }), { merge: true });
  log.apply(m, globalsOp(m.extras.global_attributes, { weather: "fog" }), { merge: true });
  assert.equal(log.undoStack.length, 2);
});

test("extrasOf creates empty extras on a bare Map", () => {
  const m = new Map();
  assert.deepEqual(extrasOf(m), { global_attributes: {}, links: [] });
  applyOp(m, { op: "link_add", link: link("x", "y") });
  assert.deepEqual(m.extras.links, [link("x", "y")]);
});

test("the store loads, exposes and reports the extras", () => {
  const store = new AnnotationStore([box("a"), box("b", 20)], {
    global_attributes: { weather: "sun" }, links: [link("a", "b")],
  });
  const changes = [];
  store.onChange((change) => changes.push([change.kind, change.op.op, [...change.uuids]]));
  assert.deepEqual(store.globals, { weather: "sun" });
  assert.deepEqual(store.links, [link("a", "b")]);
  store.apply(globalsOp(store.globals, { weather: "rain" }));
  store.apply({ op: "link_delete", link: link("a", "b") });
  assert.deepEqual(changes, [["apply", "globals", []], ["apply", "link_delete", ["a", "b"]]]);
  assert.ok(store.dirty);
  store.undo();
  store.undo();
  assert.deepEqual(store.globals, { weather: "sun" });
  assert.deepEqual(store.links, [link("a", "b")]);
  assert.deepEqual([...opUuids({ op: "batch", ops: [{ op: "globals", before: {}, after: {} }, { op: "link_add", link: link("a", "c") }] })], ["a", "c"]);
  assert.ok(opHas({ op: "batch", ops: [{ op: "update", uuid: "a", before: {}, after: {} }, { op: "link_add", link: link("a", "c") }] }, ["link_add"]));
  assert.ok(!opHas({ op: "update", uuid: "a", before: {}, after: {} }, ["globals"]));
});

test("set_extras replaces one key's whole value; with `before` it can be undone", () => {
  const m = model();
  const op = { op: "set_extras", key: "links", before: [link("a", "b")], after: [link("b", "c")] };
  applyOp(m, op);
  assert.deepEqual(m.extras.links, [link("b", "c")]);
  op.after.push(link("c", "a"));
  assert.equal(m.extras.links.length, 1, "a copy, not the op's own value");
  applyOp(m, invert({ ...op, after: [link("b", "c")] }));
  assert.deepEqual(m.extras.links, [link("a", "b")]);
  applyOp(m, { op: "set_extras", key: "events", after: [{ label: "turn" }] });
  assert.deepEqual(m.extras.events, [{ label: "turn" }]);
  assert.throws(() => invert({ op: "set_extras", key: "links", after: [] }), /cannot be undone/);
});

test("extrasKeys and extrasOps name what a page op changed", () => {
  const m = model();
  const op = { op: "batch", ops: [{ op: "link_delete", link: link("a", "b") }, globalsOp({}, { x: 1 }),
    { op: "delete", annotation: box("c", 40) }] };
  assert.deepEqual([...extrasKeys(op)], ["links", "global_attributes"]);
  assert.deepEqual(extrasOps(m, op), [
    { op: "set_extras", key: "links", after: [link("a", "b")] },
    { op: "set_extras", key: "global_attributes", after: { weather: "sun" } },
  ]);
  assert.deepEqual(extrasOps(m, { op: "delete", annotation: box("c") }), []);
});
