import { test } from "node:test";
import assert from "node:assert/strict";

import { ACTIONS, baseFlags, can, hasBaseAnnotations } from "../../static/js/lib/locks.js";

const base = { uuid: "b", type: "box", source: "base", locked: false };
const locked = { ...base, locked: true };
const hypothesis = { uuid: "h", type: "box", source: "hypothesis" };
const tasker = { uuid: "t", type: "box", source: "tasker" };
const withBase = (flags = {}) => ({ base_annotations: { annotations: [{ type: "box" }] }, ...flags });
const ALL_FALSE = {
  can_add_base_annotations: false, can_edit_base_annotations: false,
  can_edit_base_annotation_labels: false, can_delete_base_annotations: false,
};
const EDITS = ACTIONS.filter((a) => a !== "add");

test("flags default to true, null included", () => {
  assert.deepEqual(baseFlags({}), { canAdd: true, canEdit: true, canEditLabels: true, canDelete: true });
  assert.deepEqual(baseFlags(null), baseFlags({}));
  assert.deepEqual(baseFlags({ can_add_base_annotations: null, can_delete_base_annotations: false }),
    { canAdd: true, canEdit: true, canEditLabels: true, canDelete: false });
  assert.ok(hasBaseAnnotations(withBase()));
  assert.ok(!hasBaseAnnotations({ base_annotations: { annotations: [] } }));
  assert.ok(!hasBaseAnnotations({}));
});

test("by default everything is allowed", () => {
  for (const action of EDITS) {
    for (const annotation of [base, hypothesis, tasker]) {
      assert.deepEqual(can(action, annotation, withBase()), { allowed: true, reason: "" });
    }
  }
  assert.deepEqual(can("add", null, withBase()), { allowed: true, reason: "" });
});

test("locked beats every flag", () => {
  for (const action of EDITS) {
    assert.deepEqual(can(action, locked, withBase()), { allowed: false, reason: "This base annotation is locked" });
  }
  assert.equal(can("move", { ...tasker, locked: true }, {}).reason, "This annotation was accepted in review and is locked");
});

test("the flags only restrict base annotations", () => {
  for (const action of EDITS) {
    assert.ok(can(action, hypothesis, withBase(ALL_FALSE)).allowed, action);
    assert.ok(can(action, tasker, withBase(ALL_FALSE)).allowed, action);
  }
});

test("can_edit_base_annotations false locks geometry, attributes and label", () => {
  const params = withBase({ can_edit_base_annotations: false });
  for (const action of ["move", "edit_geometry", "edit_attributes", "relabel"]) {
    assert.deepEqual(can(action, base, params),
      { allowed: false, reason: "Base annotations cannot be edited in this task" });
  }
  assert.ok(can("delete", base, params).allowed);
});

test("can_edit_base_annotation_labels false locks only the label", () => {
  const params = withBase({ can_edit_base_annotation_labels: false });
  assert.deepEqual(can("relabel", base, params),
    { allowed: false, reason: "The labels of base annotations cannot be changed in this task" });
  assert.ok(can("move", base, params).allowed);
  assert.ok(can("edit_attributes", base, params).allowed);
});

test("can_delete_base_annotations false forbids deleting base annotations only", () => {
  const params = withBase({ can_delete_base_annotations: false });
  assert.deepEqual(can("delete", base, params),
    { allowed: false, reason: "Base annotations cannot be deleted in this task" });
  assert.ok(can("delete", tasker, params).allowed);
  assert.ok(can("move", base, params).allowed);
});

test("can_add_base_annotations false forbids any new annotation once base annotations exist", () => {
  const verdict = can("add", null, withBase({ can_add_base_annotations: false }));
  assert.equal(verdict.allowed, false);
  assert.match(verdict.reason, /does not allow adding/);
  assert.ok(can("add", tasker, { can_add_base_annotations: false }).allowed); // no base annotations
});

test("unknown actions are a programming error", () => {
  assert.throws(() => can("fly", base, {}), /unknown action/);
});
