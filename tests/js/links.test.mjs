import { test } from "node:test";
import assert from "node:assert/strict";

import { allowedLinks, pruneLinks, ruleAllows, validateLink } from "../../static/js/lib/links.js";

const LINKS = {
  follows: [{ is_bidirectional: false, from_allowed_labels: ["child"], to_allowed_labels: ["adult"] }],
  walks_with: [{ is_bidirectional: true, from_allowed_labels: ["child", "adult"], to_allowed_labels: ["adult"] }],
  carries: [
    { from_allowed_labels: ["adult"], to_allowed_labels: ["bag"] },
    { from_allowed_labels: ["adult"], to_allowed_labels: ["child"] },
  ],
};

test("ruleAllows one way, and both ways when bidirectional", () => {
  assert.ok(ruleAllows(LINKS.follows[0], "child", "adult"));
  assert.ok(!ruleAllows(LINKS.follows[0], "adult", "child"));
  assert.ok(ruleAllows(LINKS.walks_with[0], "adult", "child"));
  assert.ok(!ruleAllows({ to_allowed_labels: ["x"] }, "x", "x"));
});

test("allowedLinks lists every link label with a rule allowing from → to", () => {
  assert.deepEqual(allowedLinks(LINKS, "child", "adult"), ["follows", "walks_with"]);
  assert.deepEqual(allowedLinks(LINKS, "adult", "child"), ["walks_with", "carries"]);
  assert.deepEqual(allowedLinks(LINKS, "adult", "bag"), ["carries"]);
  assert.deepEqual(allowedLinks(LINKS, "bag", "adult"), []);
  assert.deepEqual(allowedLinks(LINKS, "child", "child"), []);
  assert.deepEqual(allowedLinks(null, "child", "adult"), []);
});

const MODEL = new Map([
  ["c1", { uuid: "c1", type: "box", label: "child" }],
  ["a1", { uuid: "a1", type: "box", label: "adult" }],
  ["b1", { uuid: "b1", type: "box", label: "bag" }],
]);

test("validateLink accepts allowed links and explains refusals", () => {
  assert.deepEqual(validateLink(LINKS, { label: "follows", from: "c1", to: "a1" }, MODEL), { valid: true, reason: "", field: "" });
  assert.deepEqual(validateLink(LINKS, { label: "walks_with", from: "a1", to: "c1" }, MODEL).valid, true);
  const reason = (link, existing) => validateLink(LINKS, link, MODEL, existing).reason;
  assert.equal(reason({ label: "follows", from: "a1", to: "c1" }),
    '"follows" cannot link a "adult" annotation to a "child" one');
  assert.equal(reason({ label: "hugs", from: "c1", to: "a1" }), '"hugs" is not a link of this task');
  assert.equal(reason({ label: "follows", from: "c1", to: "zz" }), "Both ends of a link must be annotations of this task");
  assert.equal(reason({ label: "walks_with", from: "a1", to: "a1" }), "An annotation cannot be linked to itself");
  const link = { label: "follows", from: "c1", to: "a1" };
  assert.equal(reason(link, [{ ...link }]), "This link already exists");
  assert.equal(reason(link, [{ ...link, label: "walks_with" }]), "");
});

test("pruneLinks drops links to deleted annotations", () => {
  const links = [{ label: "follows", from: "c1", to: "a1" }, { label: "carries", from: "a1", to: "gone" }];
  assert.deepEqual(pruneLinks(links, MODEL), [links[0]]);
});
