import test from "node:test";
import assert from "node:assert/strict";
import { invert } from "../../static/js/lib/oplog.js";
import { describe, redoneText, undoneText } from "../../static/js/lib/undotext.js";

const BOX = { uuid: "b1", type: "box", label: "car", left: 1, top: 2, width: 3, height: 4 };

test("undoing a new box says so (the undo applied its delete)", () => {
  const step = { op: "add", annotation: BOX };
  assert.equal(undoneText(invert(step)), "Undone: new box");
  assert.equal(redoneText(step), "Redone: new box");
});

test("undoing a delete names the delete", () => {
  const step = { op: "delete", annotation: BOX };
  assert.equal(undoneText(invert(step)), "Undone: delete box");
  assert.equal(redoneText(step), "Redone: delete box");
});

test("edits, relabels and batches", () => {
  const relabel = { op: "update", uuid: "b1", before: { label: "car" }, after: { label: "bus" } };
  assert.equal(undoneText(invert(relabel)), "Undone: label change");
  const two = { op: "batch", ops: [{ op: "add", annotation: BOX }, { op: "add", annotation: { ...BOX, uuid: "b2" } }] };
  assert.equal(undoneText(invert(two)), "Undone: 2 changes");
  assert.equal(describe({ op: "batch", ops: [{ op: "add", annotation: BOX }] }), "new box");
});

test("a video track's keyframes changed (a keyframe, outside from here) say so", () => {
  const outside = { op: "update", uuid: "t1", before: { keyframes: [{ frame: 0 }] },
    after: { keyframes: [{ frame: 0 }, { frame: 5, outside: true }] } };
  assert.equal(undoneText(invert(outside)), "Undone: keyframe change");
  assert.equal(redoneText(outside), "Redone: keyframe change");
});
