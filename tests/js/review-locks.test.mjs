// The page's side of tests/fixtures/rules/review_lock_cases.json: annotations a reviewer
// accepted come back locked in rework. tests/quality/test_rework_locks.py runs the very same
// cases through tasks/rules/locks.py, so the page and the server refuse the same changes with
// the same sentences (docs/quality.md).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { can, checkAccepted } from "../../static/js/lib/locks.js";

const CASES = JSON.parse(readFileSync(new URL("../fixtures/rules/review_lock_cases.json", import.meta.url), "utf8"));

/** The annotations of a `check` case, built from the file's response as the case says. */
export function annotationsOf(c, file) {
  if (c.annotations !== "response") return c.annotations;
  let items = structuredClone(file.response).filter((a) => !(c.without || []).includes(a.uuid));
  items = items.map((a) => {
    const changes = c.set?.[a.uuid] || {};
    const result = { ...a };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete result[key];
      else result[key] = value;
    }
    return result;
  });
  items.push(...(c.extra || []));
  return c.reverse ? items.reverse() : items;
}

for (const c of CASES.can) {
  test(`can: ${c.name}`, () => {
    assert.deepEqual(can(c.action, c.annotation, c.params), { allowed: c.allowed, reason: c.reason });
  });
}

for (const c of CASES.check) {
  test(`check: ${c.name}`, () => {
    const got = checkAccepted(annotationsOf(c, CASES), c.accepted ?? CASES.accepted, "response.annotations");
    assert.deepEqual(got, c.error);
  });
}

test("the file has enough cases of each family", () => {
  assert.ok(CASES.can.length >= 8 && CASES.check.length >= 15);
});
