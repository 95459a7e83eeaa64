import { test } from "node:test";
import assert from "node:assert/strict";

import { applyOp, deepEqual, deleteOp, diff, invert, OpLog } from "../../static/js/lib/oplog.js";
import { translate } from "../../static/js/lib/geometry.js";

const box = (uuid, left = 0, label = "car") => ({
  uuid, type: "box", label, left, top: 0, width: 10, height: 20, attributes: { occluded: "no" },
});
const model = () => new Map([["a", box("a")], ["b", box("b", 50)], ["c", box("c", 100, "truck")]]);
/** The model as an ordered list, so order matters in comparisons. */
const entries = (m) => structuredClone([...m]);

function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- helpers

test("diff keeps only the changed keys; a missing key is null", () => {
  const before = { ...box("a"), position: { x: 1 } };
  const after = { ...box("a", 5, "bus"), attributes: { occluded: "yes" } };
  assert.deepEqual(diff(before, after), {
    op: "update", uuid: "a",
    before: { left: 0, label: "car", attributes: { occluded: "no" }, position: { x: 1 } },
    after: { left: 5, label: "bus", attributes: { occluded: "yes" }, position: null },
  });
  assert.equal(diff(box("a"), box("a")), null);
});

test("invert swaps add/delete, before/after, and reverses batches", () => {
  const add = { op: "add", annotation: box("d"), index: 1 };
  assert.deepEqual(invert(add), { op: "delete", annotation: box("d"), index: 1 });
  assert.deepEqual(invert(invert(add)), add);
  const update = { op: "update", uuid: "a", before: { left: 0 }, after: { left: 5 } };
  assert.deepEqual(invert(update), { op: "update", uuid: "a", before: { left: 5 }, after: { left: 0 } });
  assert.deepEqual(invert({ op: "batch", ops: [add, update] }),
    { op: "batch", ops: [invert(update), invert(add)] });
  assert.throws(() => invert({ op: "paint" }), /unknown op/);
});

test("applyOp replaces updated annotations with new objects, in place in the order", () => {
  const m = model();
  const old = m.get("b");
  applyOp(m, { op: "update", uuid: "b", before: { left: 50 }, after: { left: 60 } });
  assert.notEqual(m.get("b"), old);
  assert.equal(old.left, 50);
  assert.deepEqual([...m.keys()], ["a", "b", "c"]);
  assert.throws(() => applyOp(m, { op: "update", uuid: "zz", before: {}, after: {} }), /no annotation/);
  assert.throws(() => applyOp(m, { op: "add", annotation: box("a") }), /already exists/);
});

test("a failing batch leaves the model untouched", () => {
  const m = model();
  const before = entries(m);
  const bad = { op: "batch", ops: [deleteOp(m, "a"), { op: "update", uuid: "a", before: {}, after: { left: 1 } }] };
  assert.throws(() => applyOp(m, bad), /no annotation/);
  assert.deepEqual(entries(m), before);
});

// ---------------------------------------------------------------- every op kind

function roundTrip(op) {
  const m = model();
  const log = new OpLog();
  const initial = entries(m);
  log.apply(m, op);
  const changed = entries(m);
  assert.notDeepEqual(changed, initial);
  assert.ok(log.canUndo && !log.canRedo);
  log.undo(m);
  assert.deepEqual(entries(m), initial);
  assert.ok(!log.canUndo && log.canRedo);
  log.redo(m);
  assert.deepEqual(entries(m), changed);
  log.undo(m);
  assert.deepEqual(entries(m), initial);
}

test("undo / redo of add", () => roundTrip({ op: "add", annotation: box("d", 7) }));

test("undo / redo of delete restores the annotation at its place", () => {
  const m = model();
  roundTrip(deleteOp(m, "b"));
  roundTrip({ op: "delete", annotation: m.get("a") }); // index found when applied
});

test("undo / redo of geometry, label and attribute updates", () => {
  const m = model();
  roundTrip(diff(m.get("a"), translate(m.get("a"), 3, 4)));
  roundTrip(diff(m.get("a"), { ...m.get("a"), label: "bus" }));
  roundTrip(diff(m.get("a"), { ...m.get("a"), attributes: { occluded: "yes", note: "x" } }));
  roundTrip({ op: "update", uuid: "a", before: { rotation: null }, after: { rotation: 0.5 } });
});

test("undo / redo of a batch (multi-select move and delete)", () => {
  const m = model();
  roundTrip({ op: "batch", ops: ["a", "b", "c"].map((id) => diff(m.get(id), translate(m.get(id), 1, 1))) });
  roundTrip({ op: "batch", ops: [deleteOp(m, "a"), deleteOp(m, "c")] });
  roundTrip({ op: "batch", ops: [{ op: "add", annotation: box("d") }, deleteOp(m, "b"),
    { op: "update", uuid: "d", before: { label: "car" }, after: { label: "van" } }] });
});

test("the model never shares objects with the log", () => {
  const m = model();
  const log = new OpLog();
  const annotation = box("d");
  log.apply(m, { op: "add", annotation });
  annotation.left = 999;
  assert.equal(m.get("d").left, 0);
  log.undo(m);
  log.redo(m);
  assert.equal(m.get("d").left, 0);
});

// ---------------------------------------------------------------- log behaviour

test("a new op after undo clears the redo stack", () => {
  const m = model();
  const log = new OpLog();
  log.apply(m, diff(m.get("a"), { ...m.get("a"), left: 1 }));
  log.undo(m);
  assert.ok(log.canRedo);
  log.apply(m, diff(m.get("a"), { ...m.get("a"), left: 2 }));
  assert.ok(!log.canRedo);
  assert.equal(log.redo(m), null);
  assert.equal(m.get("a").left, 2);
});

test("undo and redo on an empty log do nothing", () => {
  const m = model();
  const log = new OpLog();
  assert.equal(log.undo(m), null);
  assert.equal(log.redo(m), null);
  assert.deepEqual(entries(m), entries(model()));
});

test("a drag merges into one undo step; another gesture does not", () => {
  const m = model();
  const log = new OpLog();
  for (let x = 1; x <= 5; x++) {
    const start = x === 1;
    log.apply(m, diff(m.get("a"), translate(m.get("a"), 1, 0)), { merge: !start });
  }
  assert.equal(m.get("a").left, 5);
  assert.equal(log.undoStack.length, 1);
  assert.deepEqual(log.undoStack[0].before, { left: 0 });
  assert.deepEqual(log.undoStack[0].after, { left: 5 });
  log.seal(); // the gesture ended
  log.apply(m, diff(m.get("a"), translate(m.get("a"), 1, 0)), { merge: true });
  assert.equal(log.undoStack.length, 2);
  log.undo(m);
  log.undo(m);
  assert.equal(m.get("a").left, 0);
});

test("merging needs the same uuid and keys, and never crosses an undo", () => {
  const m = model();
  const log = new OpLog();
  log.apply(m, { op: "update", uuid: "a", before: { left: 0 }, after: { left: 1 } });
  log.apply(m, { op: "update", uuid: "b", before: { left: 50 }, after: { left: 51 }, merge: true });
  log.apply(m, { op: "update", uuid: "b", before: { left: 51, top: 0 }, after: { left: 52, top: 1 }, merge: true });
  assert.equal(log.undoStack.length, 3);
  assert.ok(!("merge" in log.undoStack[1]));
  log.undo(m);
  log.apply(m, { op: "update", uuid: "b", before: { left: 51 }, after: { left: 60 }, merge: true });
  assert.equal(log.undoStack.length, 3);
  log.undo(m);
  assert.equal(m.get("b").left, 51);
});

test("batches of drag updates merge too (multi-select drag)", () => {
  const m = model();
  const log = new OpLog();
  const step = () => ({ op: "batch", ops: ["a", "b"].map((id) => diff(m.get(id), translate(m.get(id), 2, 0))) });
  log.apply(m, step());
  log.apply(m, step(), { merge: true });
  log.apply(m, step(), { merge: true });
  assert.equal(log.undoStack.length, 1);
  assert.deepEqual(log.undoStack[0].ops.map((op) => [op.before.left, op.after.left]), [[0, 6], [50, 56]]);
  log.undo(m);
  assert.deepEqual(entries(m), entries(model()));
});

test("every change gets the next seq and is reported to onChange", () => {
  const m = model();
  const changes = [];
  const log = new OpLog({ onChange: (change) => changes.push({ ...change, canUndo: log.canUndo }) });
  const first = log.apply(m, { op: "add", annotation: box("d") });
  log.apply(m, { op: "update", uuid: "d", before: { left: 0 }, after: { left: 1 } });
  log.apply(m, { op: "update", uuid: "d", before: { left: 1 }, after: { left: 2 } }, { merge: true });
  const undone = log.undo(m);
  log.redo(m);
  assert.equal(first.seq, 1);
  assert.deepEqual(changes.map((c) => [c.kind, c.seq]), [["apply", 1], ["apply", 2], ["apply", 3], ["undo", 4], ["redo", 5]]);
  // The merged drag step is reported as the increment; its undo as the inverse of the whole drag.
  assert.deepEqual(changes[2].op.after, { left: 2 });
  assert.deepEqual(changes[2].op.before, { left: 1 });
  assert.deepEqual(undone, { op: "update", uuid: "d", before: { left: 2 }, after: { left: 0 }, seq: 4 });
  assert.equal(changes[3].canUndo, true); // the stacks are settled before listeners run
  assert.equal(log.undoStack[1].seq, 5);
});

// ---------------------------------------------------------------- random

function randomOp(m, rand, counter) {
  const ids = [...m.keys()];
  const pick = () => ids[Math.floor(rand() * ids.length)];
  const kind = ids.length < 2 ? 0 : Math.floor(rand() * 5);
  if (kind === 0) return { op: "add", annotation: box(`n${counter.next++}`, Math.round(rand() * 100)), index: rand() < 0.5 ? Math.floor(rand() * (ids.length + 1)) : undefined };
  if (kind === 1) return deleteOp(m, pick());
  if (kind === 2) {
    const id = pick();
    return diff(m.get(id), translate(m.get(id), Math.round(rand() * 10) - 5, 1));
  }
  if (kind === 3) {
    const id = pick();
    const label = ["car", "bus", "van"][Math.floor(rand() * 3)];
    return diff(m.get(id), { ...m.get(id), label: label === m.get(id).label ? "x" : label, attributes: { occluded: rand() < 0.5 ? "yes" : "no" } });
  }
  const [a, b] = [ids[0], ids[ids.length - 1]];
  return { op: "batch", ops: [diff(m.get(a), translate(m.get(a), 1, 1)), deleteOp(m, b), { op: "add", annotation: box(`n${counter.next++}`) }] };
}

test("1,000 random ops, undos and redos; undoing everything returns the initial model", () => {
  const rand = random(2024);
  const m = model();
  const initial = entries(m);
  const log = new OpLog();
  const counter = { next: 0 };
  const seqs = [];
  log.onChange = ({ seq }) => seqs.push(seq);
  for (let i = 0; i < 1000; i++) {
    const r = rand();
    if (r < 0.15) log.undo(m);
    else if (r < 0.2) log.redo(m);
    else log.apply(m, randomOp(m, rand, counter), { merge: rand() < 0.3 });
  }
  const final = entries(m);
  while (log.canUndo) log.undo(m);
  assert.deepEqual(entries(m), initial);
  while (log.canRedo) log.redo(m);
  assert.deepEqual(entries(m), final);
  assert.ok(seqs.every((seq, i) => seq === i + 1));
  assert.ok(deepEqual(Object.fromEntries(m), Object.fromEntries(final)));
});
