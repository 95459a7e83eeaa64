import { test } from "node:test";
import assert from "node:assert/strict";

import {
  frameOpToTrackOp, geometryOf, heldShape, keyframeAt, keyframeMarks, markOutside, markVisible,
  newTrack, preloadOrder, removeKeyframe, setKeyframe, trackAt, visibleRanges,
} from "../../static/js/lib/tracks.js";
import {
  eventProblem, eventRows, frameToX, makeEvent, nextMark, rangeToSpan, sortEvents, xToFrame,
} from "../../static/js/lib/timeline.js";
import { VideoStore } from "../../static/js/workbench/video-store.js";
import { diff } from "../../static/js/lib/oplog.js";

const kf = (frame, left, extra = {}) => ({ frame, left, top: 10, width: 20, height: 20, ...extra });
const car = () => ({ uuid: "t1", type: "box", label: "car", keyframes: [kf(0, 0, { attributes: { moving: "no" } }), kf(10, 100)] });

test("trackAt: the flat shape on a frame, with uuid, type, label and attributes", () => {
  assert.deepEqual(trackAt(car(), 5), {
    uuid: "t1", type: "box", label: "car", left: 50, top: 10, width: 20, height: 20, attributes: { moving: "no" },
  });
  assert.equal(trackAt({ ...car(), keyframes: [kf(3, 0)] }, 2), null);
});

test("geometryOf keeps only geometry keys", () => {
  assert.deepEqual(geometryOf({ uuid: "a", type: "box", label: "x", left: 1, top: 2, width: 3, height: 4, attributes: { a: 1 } }),
    { left: 1, top: 2, width: 3, height: 4 });
});

test("setKeyframe replaces the keyframe of a frame and keeps the list sorted", () => {
  const list = setKeyframe(car().keyframes, kf(5, 7));
  assert.deepEqual(list.map((k) => k.frame), [0, 5, 10]);
  const again = setKeyframe(list, kf(5, 9));
  assert.deepEqual(again.map((k) => [k.frame, k.left]), [[0, 0], [5, 9], [10, 100]]);
});

test("removeKeyframe refuses a frame without one and the last visible keyframe", () => {
  const track = car();
  assert.deepEqual(removeKeyframe(track, 10).keyframes.map((k) => k.frame), [0]);
  assert.match(removeKeyframe(track, 4).error, /not a keyframe/);
  const single = { ...track, keyframes: [kf(0, 0), { frame: 4, outside: true }] };
  assert.match(removeKeyframe(single, 0).error, /at least one keyframe/);
  assert.deepEqual(removeKeyframe(single, 4).keyframes.map((k) => k.frame), [0]);
});

test("markOutside then markVisible: leave and re-enter with the held shape", () => {
  const track = car();
  const out = markOutside(track, 12);
  assert.deepEqual(out.keyframes.at(-1), { frame: 12, outside: true });
  assert.deepEqual(out.keyframes.map((k) => k.frame), [0, 10, 12]); // held after 10: nothing to keep
  const gone = { ...track, keyframes: out.keyframes };
  assert.equal(trackAt(gone, 15), null);
  assert.equal(heldShape(gone, 15).left, 100);
  const back = markVisible(gone, 20);
  assert.deepEqual(back.keyframes.map((k) => k.frame), [0, 10, 12, 20]);
  assert.equal(trackAt({ ...track, keyframes: back.keyframes }, 25).left, 100);
  assert.match(markOutside({ ...track, keyframes: [kf(0, 0)] }, 0).error, /at least one/);
});

test("markOutside keeps the frames before it as they were (a keyframe on the frame before)", () => {
  const track = car();
  const out = markOutside(track, 6);
  assert.deepEqual(out.keyframes.map((k) => k.frame), [0, 5, 6, 10]);
  const after = { ...track, keyframes: out.keyframes };
  for (let f = 0; f <= 5; f++) assert.deepEqual(trackAt(after, f), trackAt(track, f), `frame ${f}`);
  assert.equal(trackAt(after, 7), null);
  assert.equal(trackAt(after, 10).left, 100);
});

test("keyframeMarks and visibleRanges for the timeline", () => {
  const track = { ...car(), keyframes: [kf(2, 0), kf(5, 5), { frame: 8, outside: true }, kf(12, 3)] };
  assert.deepEqual(keyframeMarks(track).map((m) => [m.frame, m.outside]), [[2, false], [5, false], [8, true], [12, false]]);
  assert.deepEqual(visibleRanges(track, 20), [[2, 7], [12, 19]]);
  assert.deepEqual(keyframeAt(track, 5).left, 5);
  assert.equal(keyframeAt(track, 6), null);
});

test("preloadOrder: the current frame, then ahead, then a few behind, skipping loaded ones", () => {
  assert.deepEqual(preloadOrder(5, 10, { ahead: 3, behind: 2 }), [5, 6, 7, 8, 4, 3]);
  assert.deepEqual(preloadOrder(8, 10, { ahead: 5, behind: 1, have: (f) => f === 9 }), [8, 7]);
});

test("a new shape becomes a track with one keyframe on its frame", () => {
  const shape = { uuid: "n", type: "point", label: "p", x: 1, y: 2, attributes: { a: 1 } };
  assert.deepEqual(newTrack(shape, 7), { uuid: "n", type: "point", label: "p", keyframes: [{ frame: 7, x: 1, y: 2, attributes: { a: 1 } }] });
  const op = frameOpToTrackOp(new Map(), { op: "add", annotation: shape }, { frame: 7 });
  assert.deepEqual(op.annotation.keyframes, [{ frame: 7, x: 1, y: 2, attributes: { a: 1 } }]);
});

test("a geometry edit between keyframes adds a keyframe there; on a keyframe it replaces it", () => {
  const model = new Map([["t1", car()]]);
  const shape = trackAt(car(), 4);
  const op = frameOpToTrackOp(model, diff(shape, { ...shape, top: 50 }), { frame: 4 });
  assert.equal(op.op, "update");
  assert.deepEqual(Object.keys(op.after), ["keyframes"]);
  assert.deepEqual(op.after.keyframes.map((k) => [k.frame, k.left, k.top]), [[0, 0, 10], [4, 40, 50], [10, 100, 10]]);
  assert.deepEqual(op.before.keyframes, car().keyframes);
  const onKey = frameOpToTrackOp(model, diff(trackAt(car(), 0), { ...trackAt(car(), 0), left: 3 }), { frame: 0 });
  assert.deepEqual(onKey.after.keyframes[0], kf(0, 3, { attributes: { moving: "no" } }));
});

test("an attribute change sets the attributes of the frame's keyframe", () => {
  const model = new Map([["t1", car()]]);
  const shape = trackAt(car(), 10);
  const op = frameOpToTrackOp(model, diff(shape, { ...shape, attributes: { moving: "yes" } }), { frame: 10 });
  assert.deepEqual(op.after.keyframes[1].attributes, { moving: "yes" });
  assert.equal(op.after.keyframes[1].left, 100);
});

test("a relabel changes the track's label and settles every keyframe's attributes", () => {
  const model = new Map([["t1", car()]]);
  const shape = trackAt(car(), 3);
  const relabel = (track, attributes, label) => (label === "bus" ? {} : attributes);
  const op = frameOpToTrackOp(model, diff(shape, { ...shape, label: "bus", attributes: {} }), { frame: 3, relabel });
  assert.equal(op.after.label, "bus");
  assert.equal(op.before.label, "car");
  assert.deepEqual(op.after.keyframes.map((k) => k.frame), [0, 10]);
  assert.deepEqual(op.after.keyframes[0].attributes, {});
});

test("an edit of a track that is absent on the frame is refused (null)", () => {
  const track = { ...car(), keyframes: [kf(5, 0)] };
  const model = new Map([["t1", track]]);
  const op = { op: "update", uuid: "t1", before: { left: 0 }, after: { left: 3 } };
  assert.equal(frameOpToTrackOp(model, op, { frame: 2 }), null);
  assert.equal(frameOpToTrackOp(model, { op: "batch", ops: [op] }, { frame: 2 }), null);
});

test("track ops (keyframes, deletes) pass unchanged", () => {
  const model = new Map([["t1", car()]]);
  const op = { op: "update", uuid: "t1", before: { keyframes: [] }, after: { keyframes: [kf(0, 1)] } };
  assert.equal(frameOpToTrackOp(model, op, { frame: 3 }), op);
  const del = { op: "delete", annotation: car() };
  assert.equal(frameOpToTrackOp(model, del, { frame: 3 }), del);
});

// ---------------------------------------------------------------- VideoStore

const store = () => new VideoStore([{ ...car(), attributes: {}, source: "tasker", locked: false, version: 1 }], {},
  { frameCount: 30 });

test("VideoStore: get() is the frame's shape; the index follows the frame", () => {
  const s = store();
  assert.equal(s.get("t1").left, 0);
  assert.ok(s.index.queryPoint({ x: 5, y: 15 }, 1).includes("t1"));
  assert.equal(s.setFrame(10), true);
  assert.equal(s.get("t1").left, 100);
  assert.equal(s.index.queryPoint({ x: 5, y: 15 }, 1).length, 0);
  assert.ok(s.index.queryPoint({ x: 105, y: 15 }, 1).includes("t1"));
  assert.equal(s.setFrame(10), false);
  assert.equal(s.setFrame(99), true);
  assert.equal(s.frame, 29);
});

test("VideoStore: an edit is one track op, undone and redone as one step", () => {
  const s = store();
  s.setFrame(5);
  const shape = s.get("t1");
  const entry = s.apply(diff(shape, { ...shape, top: 40 }));
  assert.deepEqual(Object.keys(entry.after), ["keyframes"]);
  assert.deepEqual(s.track("t1").keyframes.map((k) => k.frame), [0, 5, 10]);
  assert.equal(s.get("t1").top, 40);
  s.undo();
  assert.deepEqual(s.track("t1").keyframes.map((k) => k.frame), [0, 10]);
  assert.equal(s.get("t1").top, 10);
  s.redo();
  assert.equal(s.get("t1").top, 40);
});

test("VideoStore: a track out of view is hidden, not indexed, and its edits are refused", () => {
  const refused = [];
  const s = new VideoStore([{ uuid: "t2", type: "point", label: "p", keyframes: [{ frame: 3, x: 1, y: 1 }] }], {},
    { frameCount: 10, onRefused: (r) => refused.push(r) });
  assert.equal(s.hidden("t2"), true);
  assert.equal(s.get("t2").x, 1); // its held shape, for the panels
  assert.equal(s.index.queryPoint({ x: 1, y: 1 }, 1).length, 0);
  assert.equal(s.apply({ op: "update", uuid: "t2", before: { x: 1 }, after: { x: 2 } }), null);
  assert.equal(refused.length, 1);
  s.setFrame(3);
  assert.equal(s.hidden("t2"), false);
  assert.equal([...s.frameShapes()].length, 1);
});

test("VideoStore: a new shape on frame 7 is added as a track", () => {
  const s = store();
  s.setFrame(7);
  s.apply({ op: "add", annotation: { uuid: "n", type: "box", label: "car", left: 1, top: 2, width: 3, height: 4, attributes: {} } });
  assert.deepEqual(s.track("n").keyframes, [{ frame: 7, left: 1, top: 2, width: 3, height: 4 }]);
  assert.equal(s.responseAnnotations().length, 2);
  assert.ok(s.responseAnnotations().every((t) => Array.isArray(t.keyframes)));
});

// ---------------------------------------------------------------- timeline

test("frames ↔ x positions", () => {
  assert.equal(frameToX(0, 10, 100), 5);
  assert.equal(frameToX(9, 10, 100), 95);
  assert.equal(xToFrame(0, 10, 100), 0);
  assert.equal(xToFrame(99.9, 10, 100), 9);
  assert.equal(xToFrame(150, 10, 100), 9);
  assert.equal(xToFrame(-3, 10, 100), 0);
  assert.deepEqual(rangeToSpan(2, 4, 10, 100), { left: 20, width: 30 });
  assert.equal(nextMark([0, 5, 9], 5, 1), 9);
  assert.equal(nextMark([0, 5, 9], 5, -1), 0);
  assert.equal(nextMark([0, 5, 9], 9, 1), null);
});

test("events: made, checked, sorted and laid out in rows", () => {
  assert.deepEqual(makeEvent("Turn", 8, 3), { label: "Turn", type: "range", start: 3, end: 8, attributes: {} });
  assert.deepEqual(makeEvent("Stop", 4), { label: "Stop", type: "point", start: 4, attributes: {} });
  assert.equal(eventProblem(makeEvent("Stop", 4), ["Stop"], 10), "");
  assert.match(eventProblem(makeEvent("Nope", 4), ["Stop"], 10), /not one of/);
  assert.match(eventProblem(makeEvent("Stop", 12), ["Stop"], 10), /start/);
  const events = sortEvents([makeEvent("B", 5), makeEvent("A", 1, 6), makeEvent("C", 2, 3)]);
  assert.deepEqual(events.map((e) => e.label), ["A", "C", "B"]);
  const { placed, rows } = eventRows(events);
  assert.equal(rows, 2);
  assert.deepEqual(placed.map((p) => p.row), [0, 1, 1]);
});
