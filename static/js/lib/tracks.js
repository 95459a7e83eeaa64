// Video tracks as the workbench edits them (no DOM). A track is one annotation of the draft:
// {uuid, type, label?, keyframes: [...]} (see interpolate.js for the keyframe rules).
//
// The workbench's tools edit flat shapes on the current frame ({uuid, type, label, <geometry
// keys>, attributes}, the image response shape). `frameOpToTrackOp` turns the op a tool makes
// on such a shape into the op of its track: an edit on frame f adds or replaces the keyframe
// at f (`update` with `after: {keyframes: [...]}`), a new shape becomes a track with one
// keyframe at f, a relabel changes the whole track.

import { clone } from "./oplog.js";
import { frameGeometry, isOutside, keyframeIndexAt } from "./interpolate.js";

/** Keys of a flat shape that are not geometry. */
const NON_GEOMETRY = new Set(["uuid", "type", "label", "attributes", "keyframes", "outside", "frame"]);

/** The geometry keys of a flat shape (a copy). */
export function geometryOf(shape) {
  const result = {};
  for (const [key, value] of Object.entries(shape)) {
    if (!NON_GEOMETRY.has(key)) result[key] = clone(value);
  }
  return result;
}

/** Is this annotation a track (it has keyframes)? */
export function isTrack(annotation) {
  return Array.isArray(annotation?.keyframes);
}

/** The flat shape of a track on `frame`, or null where it is absent. */
export function trackAt(track, frame, geometries = {}) {
  const geometry = frameGeometry(track, frame, geometries);
  if (!geometry) return null;
  return withIdentity(track, geometry);
}

function withIdentity(track, geometry) {
  const shape = { uuid: track.uuid, type: track.type };
  if (track.label !== undefined && track.label !== null) shape.label = track.label;
  return Object.assign(shape, geometry);
}

/**
 * Where a track is absent on `frame`, the shape it would come back with: its last visible
 * keyframe before the frame, else its first visible one (null when it has none).
 */
export function heldShape(track, frame, geometries = {}) {
  const keyframes = track.keyframes || [];
  const index = keyframeIndexAt(keyframes, frame);
  for (let i = index; i >= 0; i--) {
    if (!isOutside(keyframes[i])) return trackAt(track, keyframes[i].frame, geometries);
  }
  const first = keyframes.find((k) => !isOutside(k));
  return first ? trackAt(track, first.frame, geometries) : null;
}

/** The keyframe at exactly `frame`, or null. */
export function keyframeAt(track, frame) {
  const keyframes = track.keyframes || [];
  const index = keyframeIndexAt(keyframes, frame);
  return index >= 0 && keyframes[index].frame === frame ? keyframes[index] : null;
}

/** A new keyframe list with `keyframe` (its `frame` key says where) added or replacing. */
export function setKeyframe(keyframes, keyframe) {
  const result = keyframes.filter((k) => k.frame !== keyframe.frame);
  result.push(keyframe);
  result.sort((a, b) => a.frame - b.frame);
  return result;
}

/** Why a keyframe list cannot stand ("" when it can): at least one visible keyframe. */
export function keyframesProblem(keyframes) {
  if (!keyframes.some((k) => !isOutside(k))) return "A track needs at least one keyframe where the object is in view";
  return "";
}

/**
 * The keyframes without the one at `frame`: {keyframes} or {error} (none there, or it is the
 * last visible one).
 */
export function removeKeyframe(track, frame) {
  if (!keyframeAt(track, frame)) return { error: `Frame ${frame + 1} is not a keyframe of this track` };
  const keyframes = track.keyframes.filter((k) => k.frame !== frame);
  const problem = keyframesProblem(keyframes);
  return problem ? { error: `${problem}: delete the track instead` } : { keyframes };
}

/**
 * The object leaves the view from `frame` on: {keyframes} or {error}. Since nothing is
 * interpolated towards an outside keyframe, the shape shown on the frame before is kept there
 * as a keyframe, so the frames before look as they did.
 */
export function markOutside(track, frame, geometries = {}) {
  let keyframes = track.keyframes;
  if (interpolatedAt(track, frame - 1)) {
    keyframes = setKeyframe(keyframes, { frame: frame - 1, ...geometryOf(trackAt(track, frame - 1, geometries)) });
  }
  keyframes = setKeyframe(keyframes, { frame, outside: true });
  const problem = keyframesProblem(keyframes);
  return problem ? { error: problem } : { keyframes };
}

/** Is the track's shape on `frame` interpolated between two visible keyframes? */
export function interpolatedAt(track, frame) {
  const keyframes = track.keyframes || [];
  const index = keyframeIndexAt(keyframes, frame);
  const current = keyframes[index], following = keyframes[index + 1];
  return index >= 0 && current.frame !== frame && !isOutside(current) && Boolean(following) && !isOutside(following);
}

/** The object (absent on `frame`) comes back there with its held shape: {keyframes} or {error}. */
export function markVisible(track, frame, geometries = {}) {
  const held = heldShape(track, frame, geometries);
  if (!held) return { error: "This track has no shape to bring back" };
  return { keyframes: setKeyframe(track.keyframes, { frame, ...geometryOf(held) }) };
}

/** The keyframes as the timeline marks them: [{frame, outside}]. */
export function keyframeMarks(track) {
  return (track.keyframes || []).map((k) => ({ frame: k.frame, outside: isOutside(k) }));
}

/** The frame ranges [start, end] (inclusive) where the track is in view. */
export function visibleRanges(track, frameCount) {
  const ranges = [];
  const keyframes = track.keyframes || [];
  keyframes.forEach((k, i) => {
    if (isOutside(k) || k.frame >= frameCount) return;
    const end = i + 1 < keyframes.length ? keyframes[i + 1].frame - 1 : frameCount - 1;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === k.frame - 1) last[1] = end;
    else ranges.push([k.frame, end]);
  });
  return ranges;
}

/**
 * The frames to load, most urgent first: the current one, `ahead` frames after it, then
 * `behind` frames before it (within 0 … frameCount - 1), skipping those `have(frame)` says
 * are there.
 * @param {number} current @param {number} frameCount
 * @param {{ahead?: number, behind?: number, have?: (frame: number) => boolean}} [options]
 * @returns {number[]}
 */
export function preloadOrder(current, frameCount, { ahead = 20, behind = 3, have = () => false } = {}) {
  const order = [];
  const add = (f) => {
    if (f >= 0 && f < frameCount && !have(f)) order.push(f);
  };
  for (let f = current; f <= current + ahead; f++) add(f);
  for (let f = current - 1; f >= current - behind; f--) add(f);
  return order;
}

// ---------------------------------------------------------------- frame ops → track ops

/**
 * The track op for an op a tool made on the flat shapes of `frame`, or null when it cannot
 * apply (an edit of a track that is absent on that frame). Track ops (adds and updates of
 * keyframes, deletes) pass unchanged.
 * @param {Map<string, any>} model uuid → track
 * @param {any} op
 * @param {{frame: number, geometries?: object,
 *   relabel?: (track: any, attributes: object, label: any) => object}} context relabel: the
 *   attributes one keyframe keeps when the track gets `label`
 */
export function frameOpToTrackOp(model, op, context) {
  switch (op.op) {
    case "batch": {
      const ops = op.ops.map((item) => frameOpToTrackOp(model, item, context));
      if (ops.some((item) => item === null)) return null;
      return { ...op, ops };
    }
    case "add":
      return isTrack(op.annotation) ? op : { ...op, annotation: newTrack(op.annotation, context.frame) };
    case "update":
      return updateOp(model, op, context);
    default:
      return op;
  }
}

/** A new track from a flat shape drawn on `frame`. */
export function newTrack(shape, frame) {
  const track = { uuid: shape.uuid, type: shape.type };
  if (shape.label !== undefined && shape.label !== null) track.label = shape.label;
  /** @type {Record<string, any>} */
  const keyframe = { frame, ...geometryOf(shape) };
  if (shape.attributes && Object.keys(shape.attributes).length) keyframe.attributes = clone(shape.attributes);
  track.keyframes = [keyframe];
  return track;
}

function updateOp(model, op, context) {
  const keys = Object.keys(op.after);
  if (keys.every((key) => key === "keyframes" || key === "label")) return op;
  const track = model.get(op.uuid);
  if (!track || !isTrack(track)) return op;
  const shape = trackAt(track, context.frame, context.geometries);
  if (!shape) return null;
  const next = { ...shape };
  for (const [key, value] of Object.entries(op.after)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  const before = { keyframes: clone(track.keyframes) };
  /** @type {Record<string, any>} */
  const after = {};
  let keyframes = track.keyframes;
  if ("label" in op.after) {
    before.label = track.label ?? null;
    after.label = op.after.label;
    if (context.relabel) keyframes = keyframes.map((k) => relabelled(track, k, op.after.label, context.relabel));
  }
  const geometryChanged = keys.some((key) => !NON_GEOMETRY.has(key));
  const attributesChanged = keys.includes("attributes") && !("label" in op.after);
  if (geometryChanged || attributesChanged) {
    const existing = keyframeAt({ keyframes }, context.frame);
    /** @type {Record<string, any>} */
    const keyframe = { frame: context.frame, ...geometryOf(geometryChanged ? next : shape) };
    if (attributesChanged) keyframe.attributes = clone(next.attributes || {});
    else if (existing?.attributes) keyframe.attributes = clone(existing.attributes);
    keyframes = setKeyframe(keyframes, keyframe);
  }
  after.keyframes = clone(keyframes);
  if (!("label" in after) && JSON.stringify(before.keyframes) === JSON.stringify(after.keyframes)) return null;
  const result = { op: "update", uuid: op.uuid, before, after };
  if (op.merge) result.merge = op.merge;
  return result;
}

function relabelled(track, keyframe, label, relabel) {
  if (isOutside(keyframe) || !keyframe.attributes) return keyframe;
  return { ...keyframe, attributes: relabel(track, keyframe.attributes, label) };
}

// ---------------------------------------------------------------- read-only layers per frame

const LAYER_TYPES = { boxes: "box", polygons: "polygon", lines: "line", cuboids: "cuboid", points: "point", ellipses: "ellipse" };

/**
 * The shapes of frame `frame`'s Layer object ({boxes, polygons, ...}; GET /data
 * `video.layers`, one per frame), each with its `type`, as the renderer draws image layers.
 * @param {any[] | null | undefined} layers @param {number} frame @returns {any[]}
 */
export function frameLayerShapes(layers, frame) {
  const layer = Array.isArray(layers) ? layers[frame] : null;
  const result = [];
  if (!layer || typeof layer !== "object") return result;
  for (const [key, list] of Object.entries(layer)) {
    if (!LAYER_TYPES[key] || !Array.isArray(list)) continue;
    for (const shape of list) if (shape && typeof shape === "object") result.push({ type: LAYER_TYPES[key], ...shape });
  }
  return result;
}

/** Does any frame have a layer shape? */
export function hasFrameLayers(layers) {
  return Array.isArray(layers) && layers.some((_, frame) => frameLayerShapes(layers, frame).length > 0);
}
