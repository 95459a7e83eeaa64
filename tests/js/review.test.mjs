// The review's state in the page (static/js/lib/review.js) and the op registry it travels
// through (lib/oplog.js registerOp, lib/sync.js, lib/annotationstore.js).
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  bannerText, canSendBack, describeVerdict, invertVerdict, issueActionOp, issueRefusal,
  openIssueOp, ReviewState, SEND_BACK_REFUSAL, stepTarget,
  wholeTaskHint, WHOLE_TASK_SEND_BACK_REFUSAL,
} from "../../static/js/lib/review.js";
import { applyOp, invert, OpLog, opKind, registerOp, registeredOps } from "../../static/js/lib/oplog.js";
import { stamp, SyncClient, touchedUuids, MemoryStore } from "../../static/js/lib/sync.js";
import { AnnotationStore } from "../../static/js/lib/annotationstore.js";

const QUALITY = {
  mode: "review",
  round: 2,
  banner: { by: "rev1", comment: "the fifth box is a van", at: "2026-12-06T09:00:00Z" },
  verdicts: {
    a1: { verdict: "accepted", reason: "", revised: false },
    a2: { verdict: "rejected", reason: "not a car", revised: false },
    junk: { verdict: "maybe" },
  },
  issues: [
    { uuid: "i1", x: 10, y: 20, frame: null, annotation_uuid: "a2", status: "open",
      comments: [{ author: "rev1", text: "look here", at: "2026-12-06T09:00:00Z" }] },
    { uuid: "i2", x: 30, y: 40, status: "closed", comments: [] },
    { uuid: "i3", x: 50, y: 60, status: "open", comments: [] },
  ],
};

test("the state from GET /data: verdicts and issues in order, malformed ones dropped", () => {
  const state = new ReviewState(QUALITY);
  assert.equal(state.mode, "review");
  assert.equal(state.round, 2);
  assert.deepEqual([...state.verdicts.keys()], ["a1", "a2"]);
  assert.deepEqual(state.verdictOf("a2"), { verdict: "rejected", reason: "not a car", revised: false });
  assert.equal(state.verdictOf("junk"), null);
  assert.deepEqual(state.issueList().map((i) => i.uuid), ["i1", "i2", "i3"]);
  assert.equal(state.issueNumber("i3"), 3);
  assert.equal(state.issueNumber("nope"), 0);
  assert.deepEqual(state.openIssues().map((i) => i.uuid), ["i1", "i3"]);
  assert.equal(new ReviewState(null).mode, "work");
  assert.equal(new ReviewState({ mode: "admin" }).mode, "work");
});

test("verdict ops: made from the current verdict, applied, inverted, none when unchanged", () => {
  const state = new ReviewState(QUALITY);
  assert.equal(state.verdictOp("a1", { verdict: "accepted" }), null, "already accepted");
  const reject = state.verdictOp("a1", { verdict: "rejected", reason: "wrong label" });
  assert.deepEqual(reject, { op: "verdict", uuid: "a1", before: { verdict: "accepted" },
    after: { verdict: "rejected", reason: "wrong label" } });
  state.applyVerdict(reject);
  assert.equal(state.verdictOf("a1").reason, "wrong label");
  assert.equal(describeVerdict(reject), "reject");
  const undo = invertVerdict(reject);
  assert.deepEqual(undo, { op: "verdict", uuid: "a1", before: reject.after, after: reject.before });
  state.applyVerdict(undo);
  assert.deepEqual(state.verdictOf("a1"), { verdict: "accepted", reason: "", revised: false });
  const fresh = state.verdictOp("a9", { verdict: "accepted" });
  assert.deepEqual(fresh, { op: "verdict", uuid: "a9", before: null, after: { verdict: "accepted" } });
  state.applyVerdict(fresh);
  state.applyVerdict(invertVerdict(fresh));
  assert.equal(state.verdictOf("a9"), null, "undoing a first verdict clears it");
  assert.equal(describeVerdict(invertVerdict(fresh)), "verdict cleared");
});

test("counts and the annotations without a verdict", () => {
  const state = new ReviewState(QUALITY);
  assert.deepEqual(state.counts(["a1", "a2", "a3", "a4"]), { accepted: 1, rejected: 1, none: 2 });
  assert.deepEqual(state.unjudged(["a1", "a2", "a3", "a4"]), ["a3", "a4"]);
});

test("issue ops: open, comment, resolve, close, reopen follow the lifecycle", () => {
  const state = new ReviewState({ mode: "review" });
  const open = openIssueOp({ uuid: "p1", x: 10.123, y: 20.987, annotation_uuid: "a2", text: "  the wheel  " });
  assert.deepEqual(open, { op: "issue", uuid: "p1", action: "open", x: 10.12, y: 20.99,
    annotation_uuid: "a2", text: "the wheel" });
  assert.deepEqual(openIssueOp({ uuid: "p2", x: 1, y: 2, frame: 4, text: "t" }),
    { op: "issue", uuid: "p2", action: "open", x: 1, y: 2, frame: 4, text: "t" });
  const issue = state.applyIssue(open, { author: "rev1", at: "t0" });
  assert.equal(issue.status, "open");
  assert.deepEqual(issue.comments, [{ author: "rev1", text: "the wheel", at: "t0" }]);
  state.applyIssue(open, { author: "rev1" });
  assert.equal(state.issues.get("p1").comments.length, 1, "a replayed open adds nothing");
  state.applyIssue(issueActionOp("p1", "comment", "fixed it"), { author: "t1" });
  state.applyIssue(issueActionOp("p1", "resolve"), { author: "t1" });
  assert.equal(state.issues.get("p1").status, "resolved");
  state.applyIssue(issueActionOp("p1", "reopen", "not quite"), { author: "rev1" });
  assert.equal(state.issues.get("p1").status, "open");
  state.applyIssue(issueActionOp("p1", "close"), { author: "rev1" });
  assert.equal(state.issues.get("p1").status, "closed");
  assert.deepEqual(state.issues.get("p1").comments.map((c) => c.text), ["the wheel", "fixed it", "not quite"]);
  assert.deepEqual(issueActionOp("p1", "close", "   "), { op: "issue", uuid: "p1", action: "close" });
});

test("issue actions: who may take which, and when", () => {
  const open = { uuid: "i", status: "open" };
  const closed = { uuid: "i", status: "closed" };
  assert.equal(issueRefusal(null, "open", "review", "look"), "");
  assert.equal(issueRefusal(null, "open", "review", " "), "An issue needs a comment");
  assert.equal(issueRefusal(null, "open", "rework", "look"), "Only the reviewer opens, closes or reopens issues");
  assert.equal(issueRefusal(open, "resolve", "rework"), "");
  assert.equal(issueRefusal(open, "comment", "rework", "done"), "");
  assert.equal(issueRefusal(open, "comment", "rework", ""), "Write a reply first");
  assert.equal(issueRefusal(open, "close", "rework"), "Only the reviewer opens, closes or reopens issues");
  assert.equal(issueRefusal(closed, "resolve", "review"), "This issue is closed: it cannot be resolved");
  assert.equal(issueRefusal(closed, "reopen", "review"), "");
  assert.equal(issueRefusal(open, "reopen", "review"), "This issue is open: it cannot be reopened");
  assert.equal(issueRefusal(null, "close", "review"), "No such issue");
  assert.equal(issueRefusal(open, "comment", "work", "x"), "Issues are for the review");
});

test("N walks the open issues, and in rework the rejected annotations not yet revised", () => {
  const review = new ReviewState(QUALITY);
  assert.deepEqual(review.targets(["a1", "a2"]), [{ kind: "issue", uuid: "i1" }, { kind: "issue", uuid: "i3" }]);
  const rework = new ReviewState({ ...QUALITY, mode: "rework",
    verdicts: { ...QUALITY.verdicts, a4: { verdict: "rejected", reason: "", revised: true } } });
  const targets = rework.targets(["a4", "a2", "a1"]);
  assert.deepEqual(targets, [{ kind: "issue", uuid: "i1" }, { kind: "issue", uuid: "i3" },
    { kind: "annotation", uuid: "a2" }]);
  const is = (uuid) => (t) => t.uuid === uuid;
  assert.deepEqual(stepTarget(targets, is("none"), 1), targets[0]);
  assert.deepEqual(stepTarget(targets, is("none"), -1), targets[2]);
  assert.deepEqual(stepTarget(targets, is("i3"), 1), targets[2]);
  assert.deepEqual(stepTarget(targets, is("a2"), 1), targets[0], "wraps round");
  assert.deepEqual(stepTarget(targets, is("i1"), -1), targets[2]);
  assert.equal(stepTarget([], is("i1"), 1), null);
});

test("in rework a fix revises the rejected annotation and resolves its open issues", () => {
  const rework = new ReviewState({ ...QUALITY, mode: "rework" });
  assert.equal(rework.revise(["a1"]), false, "an accepted one: nothing");
  assert.equal(rework.revise(["a2"]), true);
  assert.equal(rework.verdictOf("a2").revised, true);
  assert.equal(rework.issues.get("i1").status, "resolved");
  assert.equal(rework.issues.get("i3").status, "open", "an issue naming no annotation stays open");
  const review = new ReviewState(QUALITY);
  assert.equal(review.revise(["a2"]), false, "the reviewer's fixes revise nothing");
});

test("send back needs something to fix", () => {
  const empty = new ReviewState({ mode: "review" });
  assert.deepEqual(empty.canSendBack(""), { allowed: false, reason: SEND_BACK_REFUSAL });
  assert.equal(empty.canSendBack("redo the boxes").allowed, true);
  const rejected = new ReviewState({ mode: "review", verdicts: { a: { verdict: "rejected", reason: "x" } } });
  assert.equal(rejected.canSendBack("").allowed, true);
  assert.equal(rejected.canSendBack("", ["b"]).allowed, false, "a rejected annotation that is gone does not count");
  const pinned = new ReviewState({ mode: "review", issues: [{ uuid: "i", x: 1, y: 1, status: "open" }] });
  assert.equal(pinned.canSendBack("").allowed, true);
  const closed = new ReviewState({ mode: "review", issues: [{ uuid: "i", x: 1, y: 1, status: "closed" }] });
  assert.equal(closed.canSendBack("").allowed, false);
  assert.equal(canSendBack({ verdicts: new Map(), issues: [], comment: " " }).allowed, false);
});

test("the banner names the reviewer, or the customer", () => {
  assert.equal(bannerText({ by: "rev1", comment: "  the fifth box is a van " }), "Sent back by rev1: the fifth box is a van");
  assert.equal(bannerText({ by: null, comment: "wrong labels" }), "Sent back by the customer: wrong labels");
  assert.equal(bannerText({ by: "rev1", comment: "" }), "Sent back by rev1");
  assert.equal(bannerText(null), "");
});

// ---------------------------------------------------------------- the op registry

test("a registered kind is applied, inverted, described and found inside batches", () => {
  const seen = [];
  registerOp("test_mark", {
    apply: (model, op) => seen.push(["apply", op.uuid, op.after]),
    invert: (op) => ({ ...op, before: op.after, after: op.before }),
    describe: (op) => `mark ${op.after}`,
    uuids: (op) => [op.uuid],
  });
  assert.throws(() => registerOp("update", {}), /built-in/);
  const model = new Map([["u1", { uuid: "u1", type: "point", x: 1, y: 1 }]]);
  const op = { op: "test_mark", uuid: "u1", before: null, after: "ok" };
  assert.deepEqual(applyOp(model, op), op);
  assert.deepEqual(invert(op), { op: "test_mark", uuid: "u1", before: "ok", after: null });
  assert.equal(opKind("test_mark").describe(op), "mark ok");
  const batch = { op: "batch", ops: [{ op: "update", uuid: "u1", before: { x: 1 }, after: { x: 2 } }, op] };
  assert.deepEqual(registeredOps(batch), [op]);
  const log = new OpLog();
  log.apply(model, batch);
  assert.equal(model.get("u1").x, 2);
  log.undo(model);
  assert.equal(model.get("u1").x, 1);
  assert.deepEqual(seen, [["apply", "u1", "ok"], ["apply", "u1", "ok"], ["apply", "u1", null]]);
  registerOp("test_talk", { apply: () => {} });
  assert.throws(() => invert({ op: "test_talk" }), /cannot be undone/);
  assert.throws(() => applyOp(model, { op: "never_registered" }), /unknown op/);
});

test("the store redraws the annotations a registered op names; sync sends it without a version", () => {
  registerOp("test_verdict", { apply: () => {}, invert: (op) => op, uuids: (op) => [op.uuid] });
  const store = new AnnotationStore([{ uuid: "b1", type: "point", x: 1, y: 2, version: 3 }]);
  const changes = [];
  store.onChange((change) => changes.push([...change.uuids]));
  store.apply({ op: "test_verdict", uuid: "b1", after: { verdict: "accepted" } });
  assert.deepEqual(changes, [["b1"]]);
  assert.equal(store.get("b1").x, 1, "the annotation itself is unchanged");
  const versions = new Map([["b1", 3]]);
  const sent = stamp({ op: "test_verdict", uuid: "b1", after: null, seq: 4 }, versions);
  assert.deepEqual(sent, { op: "test_verdict", uuid: "b1", after: null });
  assert.deepEqual([...versions], [["b1", 3]], "the annotation's version does not move");
  assert.equal(touchedUuids({ op: "batch", ops: [sent, { op: "update", uuid: "b1", before: {}, after: {} }] }).size, 1);
});

test("the sync client reports the ack of a registered op with the op", async () => {
  registerOp("test_issue", { apply: () => {} });
  const sentMessages = [];
  let handlers = null;
  const transport = {
    connect: (h) => { handlers = h; },
    send: (m) => { sentMessages.push(m); return true; },
    close: () => {},
  };
  const acks = [];
  const client = new SyncClient({ key: "t", transport, store: new MemoryStore(), onAck: (message, op) => acks.push([message.seq, op.op, message.issues]) });
  await client.start();
  handlers.open();
  await client.received({ type: "welcome", role: "editor", annotations: [], last_seq: 0 });
  const seq = client.push({ op: "test_issue", uuid: "i9", action: "open", x: 1, y: 2, text: "hi" });
  assert.deepEqual(sentMessages.at(-1), { type: "op", seq, op: { op: "test_issue", uuid: "i9", action: "open", x: 1, y: 2, text: "hi" } });
  await client.received({ type: "ack", seq, versions: {}, issues: { i9: { uuid: "i9", status: "open" } } });
  assert.deepEqual(acks, [[seq, "test_issue", { i9: { uuid: "i9", status: "open" } }]]);
  assert.equal(client.state.unsent, 0);
  client.stop();
});

// ---------------------------------------------------------------- the keys

test("the review keys take none of the key map's or the video's, and all are in the help", async () => {
  const { BINDINGS } = await import("../../static/js/workbench/keyboard.js");
  const { VIDEO_BINDINGS } = await import("../../static/js/workbench/video-keys.js");
  const { REVIEW_BINDINGS, REWORK_BINDINGS, matchReview, reviewHelpRows } = await import("../../static/js/workbench/review-keys.js");
  const taken = new Set([...BINDINGS, ...VIDEO_BINDINGS].map((b) => b.combo));
  for (const b of [...REVIEW_BINDINGS, ...REWORK_BINDINGS]) assert.ok(!taken.has(b.combo), `${b.combo} is free`);
  const rows = new Map(reviewHelpRows("review"));
  for (const keys of ["A", "X", "Shift+A", "I", "N / Shift+N", "Shift+Enter", "Shift+X"]) assert.ok(rows.has(keys), keys);
  assert.deepEqual(matchReview({ key: "Enter", shiftKey: true }, "review")?.command, "reviewAcceptTask");
  assert.equal(matchReview({ key: "Enter" }, "review"), null, "Enter alone is the key map's");
  assert.deepEqual(matchReview({ key: "X", shiftKey: true }, "review")?.command, "reviewSendBack");
  assert.equal(matchReview({ key: "a" }, "rework"), null, "the tasker does not judge");
  assert.deepEqual(matchReview({ key: "N", shiftKey: true }, "rework")?.args, [-1]);
  assert.deepEqual([...new Map(reviewHelpRows("rework")).keys()], ["N / Shift+N", "Click a pin"]);
});

test("a whole-task review (a mask): no verdict rows nor verdicts, a refusal without annotations", async () => {
  const { reviewHelpRows } = await import("../../static/js/workbench/review-keys.js");
  const rows = new Map(reviewHelpRows("review", "task"));
  assert.ok(!rows.has("A") && !rows.has("X") && !rows.has("Shift+A"), [...rows.keys()].join(", "));
  assert.match(rows.get("Shift+Enter"), /whole mask/);
  assert.match(rows.get("A / X"), /No verdicts on a mask/);
  assert.ok(rows.has("I") && rows.has("Shift+X"));
  assert.ok(new Map(reviewHelpRows("review")).has("A"), "the image review keeps its verdicts");
  const empty = new ReviewState({ mode: "review", verdicts: {}, issues: [] });
  assert.deepEqual(empty.canSendBack("", [], "task"), { allowed: false, reason: WHOLE_TASK_SEND_BACK_REFUSAL });
  assert.equal(empty.canSendBack("the sky is short", [], "task").allowed, true);
  assert.doesNotMatch(WHOLE_TASK_SEND_BACK_REFUSAL, /annotation/);
  assert.match(wholeTaskHint("review", 1), /^The whole mask is judged.*1 open issue\./);
  assert.doesNotMatch(wholeTaskHint("review", 2), /verdict|Every annotation/);
  assert.match(wholeTaskHint("rework", 0), /^0 open issues: repaint/);
});
