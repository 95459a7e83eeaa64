// A video track's geometry on each frame: the interpolation rules of the video interface,
// the same as the server's tasks/rules/interpolation.py (tests/fixtures/
// tests/fixtures/rules/interpolation.json keeps the two in step). No DOM.
//
// A track is {uuid, type, label, keyframes: [{frame, <geometry keys>, attributes?} or
// {frame, outside: true}, ...]}, keyframes sorted by frame.
// * Before the first keyframe, and from an outside keyframe up to the next visible one, the
//   object is absent (null). After its last visible keyframe it holds that geometry.
// * Between visible keyframes a and b (t = (f - fa) / (fb - fa)): box, point and cuboid
//   numbers linear; ellipses through centre, radii and rotation; angles the short way round;
//   polygons and lines vertex by vertex when the counts match, else keyframe a holds.
// * Attributes: each keyframe's `attributes` update those before it, key by key.
// * Numbers are rounded half up: angles to 4 decimals, the rest to 2; an unrotated box with
//   integer_pixels to whole pixels (size at least 1). Computed keys (a rotated box's vertices,
//   a cuboid's edges) come from the rounded values.

import { CUBOID_VERTEX_NAMES, boxCorners, cuboidEdges } from "./geometry.js";

const TAU = 2 * Math.PI;

/** floor(v * 10^d + 0.5) / 10^d, as the server rounds. */
export function roundHalfUp(value, decimals) {
  const scale = 10 ** decimals;
  return Math.floor(value * scale + 0.5) / scale;
}

const coordinate = (v) => roundHalfUp(v, 2);
const angle = (v) => roundHalfUp(v, 4);

export function lerp(a, b, t) {
  return a + (b - a) * t;
}

/** From angle a towards b (radians) the short way round; a half turn goes backwards. */
export function lerpAngle(a, b, t) {
  let delta = b - a;
  delta -= TAU * Math.floor((delta + Math.PI) / TAU);
  return a + delta * t;
}

export function isOutside(keyframe) {
  return keyframe?.outside === true;
}

/** The attributes in force at each keyframe: every earlier keyframe's, updated key by key. */
export function keyframeAttributes(keyframes) {
  let current = {};
  return keyframes.map((keyframe) => {
    const given = keyframe.attributes;
    if (given && typeof given === "object" && !Array.isArray(given) && !isOutside(keyframe)) {
      current = { ...current, ...given };
    }
    return current;
  });
}

/** Index of the last keyframe at or before `frame` (-1 when none). */
export function keyframeIndexAt(keyframes, frame) {
  let lo = 0, hi = keyframes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyframes[mid].frame <= frame) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The track on one frame: its geometry keys plus `attributes`, or null where it is absent.
 * @param {{type: string, keyframes: any[]}} track @param {number} frame
 * @param {Record<string, any>} [geometries] the task's geometry options (integer_pixels)
 * @param {any[] | null} [attributes] keyframeAttributes(track.keyframes), when already known
 */
export function frameGeometry(track, frame, geometries = {}, attributes = null) {
  const keyframes = track.keyframes || [];
  const index = keyframeIndexAt(keyframes, frame);
  if (index < 0 || isOutside(keyframes[index])) return null;
  const kind = track.type;
  const current = keyframes[index];
  const following = keyframes[index + 1];
  let geometry;
  if (frame === current.frame || !following || isOutside(following)) {
    geometry = copyKeys(kind, current);
  } else {
    const t = (frame - current.frame) / (following.frame - current.frame);
    geometry = INTERPOLATORS[kind](current, following, t);
  }
  const held = (attributes || keyframeAttributes(keyframes))[index];
  return { ...finish(kind, geometry, geometries?.[kind] || {}), attributes: { ...held } };
}

/** Every frame of a track (frameGeometry for 0 … frameCount - 1). */
export function trackFrames(track, frameCount, geometries = {}) {
  const attributes = keyframeAttributes(track.keyframes || []);
  const result = [];
  for (let f = 0; f < frameCount; f++) result.push(frameGeometry(track, f, geometries, attributes));
  return result;
}

// ---------------------------------------------------------------- per geometry

/** Geometry keys a keyframe of each type carries (computed ones are recomputed). */
export const KEYFRAME_KEYS = {
  box: ["left", "top", "width", "height", "rotation"],
  point: ["x", "y"],
  polygon: ["vertices"],
  line: ["vertices"],
  ellipse: ["vertices"],
  cuboid: ["vertices", "position", "dimensions", "yaw"],
};

function copyKeys(kind, keyframe) {
  const result = {};
  for (const key of KEYFRAME_KEYS[kind] || []) if (key in keyframe) result[key] = keyframe[key];
  return result;
}

function box(a, b, t) {
  const result = {};
  for (const key of ["left", "top", "width", "height"]) result[key] = lerp(a[key], b[key], t);
  if ("rotation" in a) result.rotation = lerpAngle(a.rotation, b.rotation ?? 0, t);
  return result;
}

function point(a, b, t) {
  return { x: lerp(a.x, b.x, t), y: lerp(a.y, b.y, t) };
}

function vertices(a, b, t) {
  return a.map((p, i) => ({ x: lerp(p.x, b[i].x, t), y: lerp(p.y, b[i].y, t) }));
}

function polyline(a, b, t) {
  if (a.vertices.length !== b.vertices.length) return { vertices: a.vertices };
  return { vertices: vertices(a.vertices, b.vertices, t) };
}

/** [cx, cy, rx, ry, rotation] of an ellipse from its 4 axis ends (not normalized). */
function ellipseParts(points) {
  const [a, b, c] = points;
  const cx = (a.x + c.x) / 2, cy = (a.y + c.y) / 2;
  const rx = Math.hypot(a.x - cx, a.y - cy);
  const ry = Math.hypot(b.x - cx, b.y - cy);
  const rotation = rx > 0 ? Math.atan2(a.y - cy, a.x - cx) : Math.atan2(-(b.x - cx), b.y - cy);
  return [cx, cy, rx, ry, rotation];
}

function ellipseExtremes(cx, cy, rx, ry, rotation) {
  const cos = Math.cos(rotation), sin = Math.sin(rotation);
  return [
    { x: cx + rx * cos, y: cy + rx * sin },
    { x: cx + ry * -sin, y: cy + ry * cos },
    { x: cx - rx * cos, y: cy - rx * sin },
    { x: cx - ry * -sin, y: cy - ry * cos },
  ];
}

function ellipse(a, b, t) {
  const ea = ellipseParts(a.vertices), eb = ellipseParts(b.vertices);
  const [cx, cy, rx, ry] = [0, 1, 2, 3].map((i) => lerp(ea[i], eb[i], t));
  return { vertices: ellipseExtremes(cx, cy, rx, ry, lerpAngle(ea[4], eb[4], t)) };
}

function cuboid(a, b, t) {
  const ends = new Map(b.vertices.map((v) => [v.description, v]));
  const result = {
    vertices: a.vertices.map((v) => {
      const end = ends.get(v.description);
      return { x: lerp(v.x, end.x, t), y: lerp(v.y, end.y, t), description: v.description, type: "vertex" };
    }),
  };
  if ("position" in a && "position" in b) {
    result.position = {};
    for (const k of ["x", "y", "z"]) result.position[k] = lerp(a.position[k], b.position[k], t);
    result.dimensions = {};
    for (const k of ["length", "width", "height"]) result.dimensions[k] = lerp(a.dimensions[k], b.dimensions[k], t);
    result.yaw = lerpAngle(a.yaw, b.yaw, t);
  } else if ("position" in a) {
    for (const key of ["position", "dimensions", "yaw"]) result[key] = a[key];
  }
  return result;
}

const INTERPOLATORS = { box, point, polygon: polyline, line: polyline, ellipse, cuboid };

// ---------------------------------------------------------------- rounding

const points = (list) => list.map((v) => ({ x: coordinate(v.x), y: coordinate(v.y) }));

function finish(kind, geometry, options) {
  if (kind === "box") return finishBox(geometry, options);
  if (kind === "point") return { x: coordinate(geometry.x), y: coordinate(geometry.y) };
  if (kind === "cuboid") return finishCuboid(geometry);
  return { vertices: points(geometry.vertices) };
}

function finishBox(geometry, options) {
  const sides = ["left", "top", "width", "height"];
  const result = /** @type {import("./geometry.js").Box} */ ({}); // its sides are filled in below
  if (!("rotation" in geometry) && options.integer_pixels) {
    for (const key of sides) result[key] = Math.floor(geometry[key] + 0.5);
    result.width = Math.max(result.width, 1);
    result.height = Math.max(result.height, 1);
    return result;
  }
  for (const key of sides) result[key] = coordinate(geometry[key]);
  if ("rotation" in geometry) {
    result.rotation = angle(geometry.rotation);
    result.vertices = points(boxCorners(result));
  }
  return result;
}

function finishCuboid(geometry) {
  const byName = new Map(geometry.vertices.map((v) => [v.description, v]));
  /** @type {import("./geometry.js").CuboidVertex[]} */
  const vertices = CUBOID_VERTEX_NAMES.map((name) => {
    const v = byName.get(name);
    return { x: coordinate(v.x), y: coordinate(v.y), description: name, type: "vertex" };
  });
  const result = { vertices, edges: cuboidEdges(vertices) };
  if ("position" in geometry) {
    const { position, dimensions } = geometry;
    result.position = { x: coordinate(position.x), y: coordinate(position.y), z: coordinate(position.z) };
    result.dimensions = {
      length: coordinate(dimensions.length), width: coordinate(dimensions.width), height: coordinate(dimensions.height),
    };
    result.yaw = angle(geometry.yaw);
  }
  return result;
}
