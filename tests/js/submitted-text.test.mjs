// The status line after a submit the server took (static/js/workbench/commands.js): the
// submit answer's `status` says whether the task went to review (docs/workbench.md).

import { test } from "node:test";
import assert from "node:assert/strict";

import { submittedText } from "../../static/js/workbench/commands.js";

test("a submit into review says so", () => {
  assert.equal(submittedText("review"), "Submitted for review.");
});

test("any other submit is just submitted", () => {
  assert.equal(submittedText("completed"), "Submitted.");
  assert.equal(submittedText(undefined), "Submitted.");
});
