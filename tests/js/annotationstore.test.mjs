import { test } from "node:test";
import assert from "node:assert/strict";

import { AnnotationStore, newUuid, opUuids, splitMeta } from "../../static/js/lib/annotationstore.js";
import { translate } from "../../static/js/lib/geometry.js";
import { diff } from "../../static/js/lib/oplog.js";

const box = (uuid, left = 0, extra = {}) => ({
  uuid, type: "box", label: "car", left, top: 0, width: 10, height: 20, attributes: {}, ...extra,
});
const served = () => [
  { ...box("a"), source: "hypothesis", locked: false, version: 1 },
  { ...box("b", 100), source: "base", locked: true, version: 3 },
];

test("the model holds the response shape; the server's keys go to meta", () => {
  const store = new AnnotationStore(served());
  assert.deepEqual(store.get("a"), box("a"));
  assert.deepEqual(store.metaOf("b"), { source: "base", locked: true, version: 3 });
  assert.deepEqual(store.lockable("b").source, "base");
  assert.deepEqual(store.responseAnnotations(), [box("a"), box("b", 100)]);
  assert.deepEqual(splitMeta({ uuid: "x", type: "point", x: 1, y: 2 }).meta,
    { source: "tasker", locked: false, version: 0 });
});

test("apply, undo and redo keep the index and the selection in step", () => {
  const store = new AnnotationStore(served());
  const changes = [];
  store.onChange((change) => changes.push([change.kind, [...change.uuids]]));
  assert.deepEqual(store.index.queryPoint({ x: 105, y: 5 }), ["b"]);

  store.apply(diff(store.get("b"), translate(store.get("b"), 200, 0)));
  assert.deepEqual(store.index.queryPoint({ x: 105, y: 5 }), []);
  assert.deepEqual(store.index.queryPoint({ x: 305, y: 5 }), ["b"]);

  store.select(["b"]);
  store.apply({ op: "delete", annotation: store.get("b") });
  assert.equal(store.selection.size, 0, "a deleted annotation leaves the selection");
  assert.equal(store.index.has("b"), false);
  store.undo();
  assert.equal(store.index.has("b"), true);
  assert.equal(store.metaOf("b").source, "base", "meta survives a delete and its undo");
  assert.deepEqual(store.uuids(), ["a", "b"], "an undone delete goes back in place");
  store.redo();
  assert.deepEqual(store.uuids(), ["a"]);
  assert.deepEqual(changes.map(([kind]) => kind), ["apply", "select", "apply", "undo", "redo"]);
});

test("new annotations are the tasker's; dirty follows the undo stack", () => {
  const store = new AnnotationStore([]);
  assert.equal(store.dirty, false);
  store.apply({ op: "add", annotation: box("n") });
  assert.equal(store.dirty, true);
  assert.deepEqual(store.metaOf("n"), { source: "tasker", locked: false, version: 0 });
  store.undo();
  assert.equal(store.dirty, false);
  assert.equal(store.undo(), null);
});

test("merged updates are one undo step until sealed", () => {
  const store = new AnnotationStore([{ ...box("a"), source: "tasker" }]);
  for (let i = 1; i <= 3; i++) {
    store.apply({ op: "update", uuid: "a", before: { left: i - 1 }, after: { left: i } }, { merge: true });
  }
  assert.equal(store.get("a").left, 3);
  store.undo();
  assert.equal(store.get("a").left, 0);
  store.redo();
  store.seal();
  store.apply({ op: "update", uuid: "a", before: { left: 3 }, after: { left: 4 } }, { merge: true });
  store.undo();
  assert.equal(store.get("a").left, 3);
});

test("select ignores unknown uuids and reports whether it changed", () => {
  const store = new AnnotationStore(served());
  assert.equal(store.select(["a", "zzz"]), true);
  assert.deepEqual([...store.selection], ["a"]);
  assert.equal(store.selected, "a");
  assert.equal(store.select(["a"]), false);
  store.select(["a", "b"]);
  assert.equal(store.selected, null);
});

test("malformed geometry stays listed but out of the index", () => {
  const store = new AnnotationStore([{ uuid: "m", type: "box", label: "car", left: "x" }]);
  assert.equal(store.size, 1);
  assert.equal(store.index.has("m"), false);
});

test("opUuids walks batches; newUuid makes v4 uuids", () => {
  const op = { op: "batch", ops: [{ op: "add", annotation: box("x") },
    { op: "update", uuid: "y", before: {}, after: {} }] };
  assert.deepEqual([...opUuids(op)], ["x", "y"]);
  const ids = new Set(Array.from({ length: 50 }, newUuid));
  assert.equal(ids.size, 50);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("a set_extras op touches no annotation", () => {
  assert.deepEqual([...opUuids({ op: "set_extras", key: "events", after: [] })], []);
  const batch = { op: "batch", ops: [{ op: "set_extras", key: "links", after: [] },
    { op: "add", annotation: { uuid: "n", type: "point", x: 1, y: 1 } }] };
  assert.deepEqual([...opUuids(batch)], ["n"]);
});
