// Base-annotation locks on video tracks (lib/locks.js trackChanges / trackUpdateActions, the
// VideoStore's check of every per-frame edit) and the read-only layers of each frame.
import { test } from "node:test";
import assert from "node:assert/strict";

import { can, trackChanges, trackUpdateActions } from "../../static/js/lib/locks.js";
import { frameLayerShapes, hasFrameLayers } from "../../static/js/lib/tracks.js";
import { VideoStore } from "../../static/js/workbench/video-store.js";

const KEYFRAMES = [
  { frame: 0, left: 10, top: 20, width: 30, height: 40, attributes: { moving: "no" } },
  { frame: 9, left: 70, top: 20, width: 30, height: 40 },
];
const track = (extra = {}) => ({ uuid: "base-1", type: "box", label: "car", keyframes: structuredClone(KEYFRAMES), ...extra });

test("trackChanges tells geometry from attributes", () => {
  assert.deepEqual([...trackChanges(KEYFRAMES, structuredClone(KEYFRAMES))], []);
  const moved = [{ ...KEYFRAMES[0], left: 11 }, KEYFRAMES[1]];
  assert.deepEqual([...trackChanges(KEYFRAMES, moved)], ["keyframes"]);
  const added = [KEYFRAMES[0], { frame: 4, left: 40, top: 20, width: 30, height: 40 }, KEYFRAMES[1]];
  assert.deepEqual([...trackChanges(KEYFRAMES, added)], ["keyframes"]);
  const outside = [KEYFRAMES[0], { frame: 9, outside: true }];
  assert.deepEqual([...trackChanges(KEYFRAMES, outside)], ["keyframes"]);
  const answered = [{ ...KEYFRAMES[0], attributes: { moving: "yes" } }, KEYFRAMES[1]];
  assert.deepEqual([...trackChanges(KEYFRAMES, answered)], ["attributes"]);
  assert.deepEqual([...trackChanges(KEYFRAMES, [KEYFRAMES[1]])].sort(), ["attributes", "keyframes"]);
  assert.deepEqual([...trackChanges(KEYFRAMES, [{ ...KEYFRAMES[0], left: 10.0000001 }, KEYFRAMES[1]])], []);
});

test("trackUpdateActions: relabel, attributes, geometry (the server's order)", () => {
  const t = track();
  assert.deepEqual(trackUpdateActions(t, { label: "bus", keyframes: t.keyframes }), ["relabel"]);
  assert.deepEqual(trackUpdateActions(t, { label: "car" }), []);
  assert.deepEqual(trackUpdateActions(t, { keyframes: [{ ...KEYFRAMES[0], left: 1 }, KEYFRAMES[1]] }), ["edit_geometry"]);
  assert.deepEqual(trackUpdateActions(t, { keyframes: [KEYFRAMES[1]] }), ["edit_attributes", "edit_geometry"]);
});

function store(meta, params) {
  const refused = [];
  const s = new VideoStore([{ ...track(), ...meta }], {}, {
    frameCount: 10,
    can: (action, uuid) => can(action, s.lockable(uuid), params),
    onRefused: (reason) => refused.push(reason),
  });
  return { s, refused };
}

test("a per-frame move of a locked base track is refused; an ordinary track's makes a keyframe", () => {
  const { s, refused } = store({ source: "base", locked: true }, { base_annotations: { annotations: [track()] } });
  s.setFrame(5);
  const shape = s.get("base-1");
  assert.equal(s.apply({ op: "update", uuid: "base-1", before: { left: shape.left }, after: { left: shape.left + 5 } }), null);
  assert.deepEqual(refused, ["This base annotation is locked"]);
  assert.equal(s.track("base-1").keyframes.length, 2);
  assert.equal(s.apply({ op: "delete", annotation: track() }), null);
  assert.equal(refused.at(-1), "This base annotation is locked");

  const free = store({ source: "tasker", locked: false }, {});
  free.s.setFrame(5);
  const left = free.s.get("base-1").left;
  assert.ok(free.s.apply({ op: "update", uuid: "base-1", before: { left }, after: { left: left + 5 } }));
  assert.deepEqual(free.s.track("base-1").keyframes.map((k) => k.frame), [0, 5, 9]);
  assert.deepEqual(free.refused, []);
});

test("can_edit_base_annotations false: no keyframe may be added, the label follows its flag", () => {
  const params = { base_annotations: { annotations: [track()] }, can_edit_base_annotations: false };
  const { s, refused } = store({ source: "base", locked: false }, params);
  s.setFrame(3);
  const shape = s.get("base-1");
  assert.equal(s.apply({ op: "update", uuid: "base-1", before: { top: shape.top }, after: { top: shape.top + 1 } }), null);
  assert.equal(s.apply({ op: "update", uuid: "base-1", before: { attributes: {} }, after: { attributes: { moving: "yes" } } }), null);
  assert.deepEqual(refused, ["Base annotations cannot be edited in this task", "Base annotations cannot be edited in this task"]);

  const labels = store({ source: "base", locked: false }, { ...params, can_edit_base_annotations: true, can_edit_base_annotation_labels: false });
  labels.s.setFrame(3);
  const top = labels.s.get("base-1").top;
  assert.ok(labels.s.apply({ op: "update", uuid: "base-1", before: { top }, after: { top: top + 1 } }));
  assert.equal(labels.s.apply({ op: "update", uuid: "base-1", before: { label: "car" }, after: { label: "bus" } }), null);
  assert.deepEqual(labels.refused, ["The labels of base annotations cannot be changed in this task"]);
});

test("frameLayerShapes gives each frame's own shapes, typed", () => {
  const layers = [
    { boxes: [{ left: 1, top: 2, width: 3, height: 4 }], polygons: [] },
    {},
    { lines: [{ vertices: [{ x: 0, y: 0 }, { x: 5, y: 5 }] }], points: [{ x: 1, y: 1 }], unknown: [{}] },
  ];
  assert.deepEqual(frameLayerShapes(layers, 0), [{ type: "box", left: 1, top: 2, width: 3, height: 4 }]);
  assert.deepEqual(frameLayerShapes(layers, 1), []);
  assert.deepEqual(frameLayerShapes(layers, 2).map((a) => a.type), ["line", "point"]);
  assert.deepEqual(frameLayerShapes(layers, 7), []);
  assert.deepEqual(frameLayerShapes(null, 0), []);
  assert.equal(hasFrameLayers(layers), true);
  assert.equal(hasFrameLayers([{}, { boxes: [] }]), false);
});
