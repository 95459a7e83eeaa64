// The page's side of the shared rule cases (tests/fixtures/rules/*.json, docs/rules.md).
// tests/rules/test_rule_cases.py runs the very same cases through the server's tasks/rules/,
// so a rule that drifts on one side fails there or here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { attributeApplies } from "../../static/js/lib/conditions.js";
import { attributeProblems, checkValue, globalProblems } from "../../static/js/lib/attributes.js";
import { eventAttributeDefs, eventProblems } from "../../static/js/lib/eventattributes.js";
import { meetsMinSize, vertexLimits } from "../../static/js/lib/geometry.js";
import { leaves, parseLabels } from "../../static/js/lib/labeltree.js";
import { validateLink } from "../../static/js/lib/links.js";
import { can, trackChanges } from "../../static/js/lib/locks.js";
import { eventError } from "../../static/js/lib/timeline.js";
import { TOLERANCES, message } from "../../static/js/lib/ruletext.js";

const load = (family) => JSON.parse(readFileSync(new URL(`../fixtures/rules/${family}.json`, import.meta.url), "utf8"));

/** One node test per case, named after it. */
function each(cases, run) {
  assert.ok(cases.length > 0);
  for (const item of cases) test(item.name, () => run(item));
}

test("the page loads the same constants as the server", () => {
  const shared = JSON.parse(readFileSync(new URL("../../static/js/lib/rules-constants.json", import.meta.url), "utf8"));
  assert.deepEqual(TOLERANCES, shared.tolerances);
  assert.equal(TOLERANCES.line_offset, 1e-6);
  assert.equal(message("number_step_from", { step: "5", origin: "2" }), "must go in steps of 5 from 2");
});

// ---------------------------------------------------------------- conditions

each(load("conditions").cases, (c) => {
  assert.equal(attributeApplies(c.definition, c.label, c.values), c.applies);
});

// ---------------------------------------------------------------- labels

const LABELS = load("labels").cases;
test("label trees the server refuses are the server's alone", () => {
  // The page is only given trees the server accepted (docs/rules.md); it does not check them.
  assert.ok(LABELS.every((c) => ("error" in c) === Boolean(c.server_only)));
});
each(LABELS.filter((c) => !c.server_only), (c) => {
  const got = leaves(parseLabels(c.objects)).map((node) => ({ choice: node.choice, path: node.path }));
  assert.deepEqual(got, c.leaves);
});

// ---------------------------------------------------------------- attributes

const ATTRIBUTES = load("attributes");
const MODEL = new Map(ATTRIBUTES.annotations.map((a) => [a.uuid, a]));

each(ATTRIBUTES.values, (c) => {
  const value = "value" in c ? c.value : c.value_repeat[0].repeat(c.value_repeat[1]);
  const annotation = c.on ? MODEL.get(c.on) : undefined;
  assert.equal(checkValue(ATTRIBUTES.definitions[c.attribute], value, { annotation, model: MODEL }), c.message);
});

each(ATTRIBUTES.problems, (c) => {
  const model = new Map([[c.annotation.uuid, c.annotation]]);
  const [first] = attributeProblems(ATTRIBUTES.problems_definitions, c.annotation, model);
  assert.deepEqual(first ? { field: first.id, message: first.reason } : null, c.problem);
});

each(ATTRIBUTES.line_offsets, (c) => {
  const annotation = { ...c.annotation, uuid: "a", label: "car" };
  assert.equal(checkValue(ATTRIBUTES.definitions[c.attribute], c.value, { annotation, model: new Map() }), c.message);
});

each(ATTRIBUTES.global_problems, (c) => {
  const [first] = globalProblems(ATTRIBUTES.global_definitions, c.values);
  assert.deepEqual(first ? { field: first.id, message: first.reason } : null, c.problem);
});

each(ATTRIBUTES.defaults, (c) => {
  assert.equal(checkValue(c.definition, c.definition.default), c.message);
});

// ---------------------------------------------------------------- geometry

const GEOMETRY = load("geometry");
each(GEOMETRY.min_size, (c) => {
  // The page marks a shape below the minimum (no message of its own): only the verdict.
  assert.equal(meetsMinSize(c.annotation, c.options), c.error === null);
});
each(GEOMETRY.vertex_limits, (c) => {
  assert.deepEqual(vertexLimits(c.geometry, c.options), { min: c.min, max: c.max });
});
each(GEOMETRY.vertex_counts, (c) => {
  // The drawing tools stop at these limits: only the verdict.
  const { min, max } = vertexLimits(c.geometry, c.options);
  assert.equal(c.count >= min && c.count <= max, c.error === null);
});

// ---------------------------------------------------------------- locks

const LOCKS = load("locks");
each(LOCKS.can, (c) => {
  const params = { ...c.params, ...(c.with_base ? LOCKS.base : {}) };
  assert.deepEqual(can(c.action, c.annotation, params), { allowed: c.allowed, reason: c.reason });
});
each(LOCKS.track_changes, (c) => {
  assert.deepEqual([...trackChanges(c.before, c.after)].sort(), [...c.changes].sort());
});

// ---------------------------------------------------------------- links

const LINKS = load("links");
const LINKED = new Map(LINKS.annotations.map((a) => [a.uuid, a]));
each(LINKS.cases, (c) => {
  const got = validateLink(LINKS.rules, c.link, LINKED, c.existing || []);
  if (c.error === null) {
    assert.deepEqual(got, { valid: true, reason: "", field: "" });
  } else {
    assert.deepEqual(got, { valid: false, reason: c.page_reason ?? c.error.message, field: c.error.field });
  }
});

// ---------------------------------------------------------------- events

const EVENTS = load("events");
const EVENT_DEFS = eventAttributeDefs(EVENTS.definitions, EVENTS.labels);
each(EVENTS.cases, (c) => {
  const frame = eventError(c.event, EVENTS.labels, EVENTS.frame_count);
  const [attribute] = frame ? [] : eventProblems(EVENT_DEFS, c.event);
  const got = frame || (attribute ? { field: `attributes.${attribute.id}`, reason: attribute.reason } : null);
  const expected = c.error && { field: c.error.field, reason: c.page_reason ?? c.error.message };
  assert.deepEqual(got, expected);
});
