// A training copy's page header (static/js/workbench/training-title.js): "Training task n of
// N" from GET /data's `training` key; nothing for any other task (a gold copy has no key).

import { test } from "node:test";
import assert from "node:assert/strict";

import { showTraining, trainingTitle } from "../../static/js/workbench/training-title.js";

function page() {
  const label = { textContent: "Task 6b15", classList: new Set() };
  label.classList.add = label.classList.add.bind(label.classList);
  return { label, doc: { querySelector: (s) => (s === ".wb-task-id" ? label : null) } };
}

test("a training copy's header says which of how many", () => {
  const { label, doc } = page();
  assert.equal(showTraining(doc, { number: 2, of: 3 }), true);
  assert.equal(label.textContent, "Training task 2 of 3");
  assert.ok(label.classList.has("wb-task-training"));
});

test("any other task keeps its header", () => {
  for (const training of [undefined, null, {}, { number: 0, of: 2 }, { number: 3, of: 2 }]) {
    const { label, doc } = page();
    assert.equal(showTraining(doc, training), false);
    assert.equal(label.textContent, "Task 6b15");
  }
  assert.equal(trainingTitle({ number: 1, of: 1 }), "Training task 1 of 1");
});
