// Pure geometry of the workbench, in image pixels (x right, y down, floats).
//
// Annotations use exactly the response shapes (docs/task-format.md). A positive angle turns
// CLOCKWISE on screen (y points down), as the server's `box_corners` and `ellipse_extremes`.
// Every function returns new objects; none mutates its arguments.

import { LIMITS, TOLERANCES } from "./ruletext.js";

/** @typedef {{x: number, y: number}} Point */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */
/** @typedef {{left: number, top: number, width: number, height: number, rotation?: number, vertices?: Point[]}} Box */
/** @typedef {{cx: number, cy: number, rx: number, ry: number, rotation: number}} Ellipse */
/** @typedef {{x: number, y: number, description: string, type: "vertex"}} CuboidVertex */
/** @typedef {{x1: number, y1: number, x2: number, y2: number, description: string, type: "edge"}} CuboidEdge */
/** @typedef {{type: string, [key: string]: any}} Annotation */

/** Box handles, clockwise from the top-left corner. */
export const BOX_HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];

export const CUBOID_VERTEX_NAMES = [
  "face-topleft",
  "face-bottomleft",
  "face-topright",
  "face-bottomright",
  "side-topcorner",
  "side-bottomcorner",
];

export const CUBOID_EDGE_NAMES = [
  "face-top",
  "face-right",
  "face-bottom",
  "face-left",
  "side-bottom",
  "side-top",
];

/** Keys of a 3D cuboid, stale once its 2D vertices are edited (they are dropped then). */
export const CUBOID_3D_KEYS = ["position", "dimensions", "yaw"];

const SIZE_TOLERANCE = TOLERANCES.min_size;

// ---------------------------------------------------------------- points and angles

/**
 * Rotate a vector clockwise on screen by `angle` radians.
 * @param {Point} v @param {number} angle @returns {Point}
 */
export function rotateVector(v, angle) {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return { x: v.x * cos - v.y * sin, y: v.x * sin + v.y * cos };
}

/**
 * Rotate `point` clockwise on screen by `angle` radians about `centre`.
 * @param {Point} point @param {Point} centre @param {number} angle @returns {Point}
 */
export function rotatePoint(point, centre, angle) {
  const v = rotateVector({ x: point.x - centre.x, y: point.y - centre.y }, angle);
  return { x: centre.x + v.x, y: centre.y + v.y };
}

/**
 * An angle brought into (-π, π].
 * @param {number} angle @returns {number}
 */
export function normalizeAngle(angle) {
  const turn = 2 * Math.PI;
  let a = angle % turn;
  if (a <= -Math.PI) a += turn;
  if (a > Math.PI) a -= turn;
  return a;
}

/** @param {Point} a @param {Point} b @returns {number} */
export function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * The bounding rectangle of points (null for none).
 * @param {Point[]} points @returns {Rect | null}
 */
export function pointsBounds(points) {
  if (!points.length) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { minX, minY, maxX, maxY };
}

// ---------------------------------------------------------------- boxes

/** @param {Box} box @returns {Point} */
export function boxCentre(box) {
  return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
}

/**
 * Corners TL, TR, BR, BL of the unrotated box, turned clockwise by `rotation` about its centre.
 * @param {Box} box @returns {Point[]}
 */
export function boxCorners(box) {
  const offsets = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
  return offsets.map(([sx, sy]) => fromBoxFrame(box, {
    x: (sx * box.width) / 2,
    y: (sy * box.height) / 2,
  }));
}

/**
 * The box with `vertices` recomputed when it carries `rotation` (a can_rotate box).
 * @template {Box} B @param {B} box @returns {B}
 */
export function withBoxVertices(box) {
  if (!("rotation" in box)) return { ...box };
  return { ...box, vertices: boxCorners(box) };
}

/**
 * The axis-aligned box spanned by two drag points, with a non-negative size.
 * @param {Point} p0 @param {Point} p1 @returns {Box}
 */
export function boxFromDrag(p0, p1) {
  return {
    left: Math.min(p0.x, p1.x),
    top: Math.min(p0.y, p1.y),
    width: Math.abs(p1.x - p0.x),
    height: Math.abs(p1.y - p0.y),
  };
}

/**
 * Image point → the box's own frame: origin at its centre, axes along its unrotated sides.
 * @param {Box} box @param {Point} point @returns {Point}
 */
export function toBoxFrame(box, point) {
  const c = boxCentre(box);
  return rotateVector({ x: point.x - c.x, y: point.y - c.y }, -(box.rotation || 0));
}

/**
 * The box's own frame → image point (inverse of toBoxFrame).
 * @param {Box} box @param {Point} local @returns {Point}
 */
export function fromBoxFrame(box, local) {
  const c = boxCentre(box);
  const v = rotateVector(local, box.rotation || 0);
  return { x: c.x + v.x, y: c.y + v.y };
}

const HANDLE_SIGNS = {
  nw: [-1, -1], n: [0, -1], ne: [1, -1], e: [1, 0],
  se: [1, 1], s: [0, 1], sw: [-1, 1], w: [-1, 0],
};

/**
 * Image positions of the 8 resize handles (corners and side midpoints).
 * @param {Box} box @returns {Record<string, Point>}
 */
export function boxHandlePoints(box) {
  /** @type {Record<string, Point>} */
  const result = {};
  for (const name of BOX_HANDLES) {
    const [sx, sy] = HANDLE_SIGNS[name];
    result[name] = fromBoxFrame(box, { x: (sx * box.width) / 2, y: (sy * box.height) / 2 });
  }
  return result;
}

/**
 * Image position of the rotation handle: `offset` px above the middle of the top edge.
 * @param {Box} box @param {number} offset @returns {Point}
 */
export function rotateHandlePoint(box, offset) {
  return fromBoxFrame(box, { x: 0, y: -box.height / 2 - offset });
}

/**
 * Resize a box by dragging one handle to `point`; the opposite side or corner stays put.
 *
 * Works in the box's rotated frame. Call it with the box as it was when the drag STARTED:
 * dragging past the opposite side then simply mirrors the box. `keepRotation` (default true)
 * keeps the rotation; false resizes in image axes and returns the box unrotated (rotation 0).
 * A box with a `rotation` key gets its `vertices` recomputed.
 * @param {Box} box @param {string} handle one of BOX_HANDLES
 * @param {Point} point @param {{keepRotation?: boolean}} [options] @returns {Box}
 */
export function resizeBox(box, handle, point, { keepRotation = true } = {}) {
  const signs = HANDLE_SIGNS[handle];
  if (!signs) throw new Error(`unknown box handle ${handle}`);
  const frame = keepRotation ? box : { ...box, rotation: 0 };
  const u = toBoxFrame(frame, point);
  const [x0, x1] = resizedSpan(-box.width / 2, box.width / 2, signs[0], u.x);
  const [y0, y1] = resizedSpan(-box.height / 2, box.height / 2, signs[1], u.y);
  const centre = fromBoxFrame(frame, { x: (x0 + x1) / 2, y: (y0 + y1) / 2 });
  const width = x1 - x0;
  const height = y1 - y0;
  const result = { ...box, left: centre.x - width / 2, top: centre.y - height / 2, width, height };
  if ("rotation" in box) result.rotation = frame.rotation || 0;
  return withBoxVertices(result);
}

/** The span [low, high] after moving its low (sign -1) or high (sign 1) end to `to`. */
function resizedSpan(low, high, sign, to) {
  if (sign < 0) return to <= high ? [to, high] : [high, to];
  if (sign > 0) return to >= low ? [low, to] : [to, low];
  return [low, high];
}

/**
 * Turn a box so that its rotation handle (above the top edge) points at `point`.
 * `snap` (radians, optional) rounds the angle to a multiple of it.
 * @param {Box} box @param {Point} point @param {{snap?: number}} [options] @returns {Box}
 */
export function rotateBoxTo(box, point, { snap } = {}) {
  const c = boxCentre(box);
  let angle = Math.atan2(point.x - c.x, -(point.y - c.y));
  if (snap) angle = Math.round(angle / snap) * snap;
  return withBoxVertices({ ...box, rotation: normalizeAngle(angle) });
}

/**
 * Round a box for `integer_pixels`, as the server does: each of left, top, width, height to
 * the nearest integer (halves up), width and height at least 1. Rotated boxes are unchanged.
 * @template {Box} B @param {B} box @returns {B}
 */
export function roundBoxPixels(box) {
  if (box.rotation) return { ...box };
  const round = (/** @type {number} */ v) => Math.floor(v + 0.5);
  return withBoxVertices({
    ...box,
    left: round(box.left),
    top: round(box.top),
    width: Math.max(round(box.width), 1),
    height: Math.max(round(box.height), 1),
  });
}

/**
 * Whether a box or a cuboid's front face meets `min_width` / `min_height` (other types: true).
 * @param {Annotation} annotation @param {{min_width?: number, min_height?: number}} [options]
 * @returns {boolean}
 */
export function meetsMinSize(annotation, options = {}) {
  const size = annotationSize(annotation);
  if (!size) return true;
  const fits = (/** @type {number} */ v, /** @type {number | undefined} */ min) =>
    v > 0 && v + SIZE_TOLERANCE >= (min || 0);
  return fits(size.width, options.min_width) && fits(size.height, options.min_height);
}

/**
 * The fewest and most vertices a polygon or line of these options may have: min_vertices
 * (never below the type's floor) and max_vertices (never above the server's cap), as the
 * server's `vertex_limits` (tasks/rules/annotations.py).
 * @param {string} type @param {{min_vertices?: number, max_vertices?: number | null}} [options]
 * @returns {{min: number, max: number}}
 */
export function vertexLimits(type, options = {}) {
  const floor = /** @type {Record<string, number>} */ (LIMITS.floor_vertices)[type] || 1;
  const max = options.max_vertices;
  return {
    min: Math.max(floor, options.min_vertices || 1),
    max: Number.isFinite(max) ? Math.min(/** @type {number} */ (max), LIMITS.max_vertices) : LIMITS.max_vertices,
  };
}

/** Width and height that min sizes apply to: a box's own, a cuboid face's extent. */
function annotationSize(annotation) {
  if (annotation.type === "box") return { width: annotation.width, height: annotation.height };
  if (annotation.type !== "cuboid") return null;
  const face = cuboidFace(annotation.vertices);
  return { width: face.width, height: face.height };
}

// ---------------------------------------------------------------- ellipses

/**
 * The 4 axis ends of an ellipse, as the response's `vertices`: [+rx end (along `rotation`),
 * +ry end, -rx end, -ry end]. With rotation 0: right, bottom, left, top.
 * @param {Ellipse} e @returns {Point[]}
 */
export function ellipseToVertices(e) {
  const u = rotateVector({ x: 1, y: 0 }, e.rotation || 0);
  const v = { x: -u.y, y: u.x };
  return [
    { x: e.cx + e.rx * u.x, y: e.cy + e.rx * u.y },
    { x: e.cx + e.ry * v.x, y: e.cy + e.ry * v.y },
    { x: e.cx - e.rx * u.x, y: e.cy - e.rx * u.y },
    { x: e.cx - e.ry * v.x, y: e.cy - e.ry * v.y },
  ];
}

/**
 * Inverse of ellipseToVertices: centre = middle of vertices 0 and 2, rx and rotation from
 * vertex 0, ry from vertex 1. Rotation in (-π, π].
 * @param {Point[]} vertices @returns {Ellipse}
 */
export function ellipseFromVertices(vertices) {
  const [a, b, c] = vertices;
  const cx = (a.x + c.x) / 2;
  const cy = (a.y + c.y) / 2;
  const rx = Math.hypot(a.x - cx, a.y - cy);
  const ry = Math.hypot(b.x - cx, b.y - cy);
  const rotation = rx > 0
    ? Math.atan2(a.y - cy, a.x - cx)
    : Math.atan2(-(b.x - cx), b.y - cy);
  return { cx, cy, rx, ry, rotation: ry > 0 || rx > 0 ? normalizeAngle(rotation) : 0 };
}

/**
 * The box circumscribing an ellipse in its own frame (same centre and rotation).
 * @param {Ellipse} e @returns {Box}
 */
export function ellipseToBox(e) {
  return {
    left: e.cx - e.rx, top: e.cy - e.ry, width: 2 * e.rx, height: 2 * e.ry,
    rotation: e.rotation || 0,
  };
}

/**
 * The ellipse inscribed in a (rotated) box.
 * @param {Box} box @returns {Ellipse}
 */
export function ellipseFromBox(box) {
  const c = boxCentre(box);
  return { cx: c.x, cy: c.y, rx: box.width / 2, ry: box.height / 2, rotation: box.rotation || 0 };
}

/**
 * The unrotated ellipse inscribed in the box spanned by a drag.
 * @param {Point} p0 @param {Point} p1 @returns {Ellipse}
 */
export function ellipseFromDrag(p0, p1) {
  return ellipseFromBox({ ...boxFromDrag(p0, p1), rotation: 0 });
}

/**
 * Resize an ellipse by a handle of its circumscribing box (see resizeBox).
 * @param {Ellipse} e @param {string} handle @param {Point} point @returns {Ellipse}
 */
export function resizeEllipse(e, handle, point) {
  return ellipseFromBox(resizeBox(ellipseToBox(e), handle, point));
}

/**
 * Turn an ellipse so that its rotation handle (above its -ry end) points at `point`.
 * @param {Ellipse} e @param {Point} point @param {{snap?: number}} [options] @returns {Ellipse}
 */
export function rotateEllipseTo(e, point, options = {}) {
  return ellipseFromBox(rotateBoxTo(ellipseToBox(e), point, options));
}

/**
 * Exact axis-aligned bounds of an ellipse.
 * @param {Ellipse} e @returns {Rect}
 */
export function ellipseBounds(e) {
  const cos = Math.cos(e.rotation || 0);
  const sin = Math.sin(e.rotation || 0);
  const hw = Math.hypot(e.rx * cos, e.ry * sin);
  const hh = Math.hypot(e.rx * sin, e.ry * cos);
  return { minX: e.cx - hw, minY: e.cy - hh, maxX: e.cx + hw, maxY: e.cy + hh };
}

// ---------------------------------------------------------------- cuboids

/** @param {number} x @param {number} y @param {string} description @returns {CuboidVertex} */
function vertex(x, y, description) {
  return { x, y, description, type: "vertex" };
}

/**
 * A cuboid's vertices by description.
 * @param {CuboidVertex[]} vertices @returns {Record<string, CuboidVertex>}
 */
export function cuboidVertexMap(vertices) {
  /** @type {Record<string, CuboidVertex>} */
  const map = {};
  for (const v of vertices) map[v.description] = v;
  for (const name of CUBOID_VERTEX_NAMES) {
    if (!map[name]) throw new Error(`cuboid vertices lack ${name}`);
  }
  return map;
}

/**
 * The axis-aligned box of a cuboid's front face (its 4 face-* vertices).
 * @param {CuboidVertex[]} vertices @returns {Box}
 */
export function cuboidFace(vertices) {
  const m = cuboidVertexMap(vertices);
  const face = ["face-topleft", "face-bottomleft", "face-topright", "face-bottomright"];
  const r = /** @type {Rect} */ (pointsBounds(face.map((name) => m[name])));
  return { left: r.minX, top: r.minY, width: r.maxX - r.minX, height: r.maxY - r.minY };
}

/**
 * Which side of the face the side corners hang on: "right" when their mean x is greater
 * than the face centre's x, else "left" (as the server decides).
 * @param {CuboidVertex[]} vertices @returns {"left" | "right"}
 */
export function cuboidSide(vertices) {
  const m = cuboidVertexMap(vertices);
  const faceX = (m["face-topleft"].x + m["face-bottomleft"].x
    + m["face-topright"].x + m["face-bottomright"].x) / 4;
  return (m["side-topcorner"].x + m["side-bottomcorner"].x) / 2 > faceX ? "right" : "left";
}

/**
 * The 6 edges of a cuboid, as the server computes them: the face edges clockwise round the
 * face (top TL→TR, right TR→BR, bottom BR→BL, left BL→TL), then side-bottom and side-top
 * from the attached face corner to the side corner.
 * @param {CuboidVertex[]} vertices @returns {CuboidEdge[]}
 */
export function cuboidEdges(vertices) {
  const m = cuboidVertexMap(vertices);
  const right = cuboidSide(vertices) === "right";
  const tl = m["face-topleft"], tr = m["face-topright"];
  const bl = m["face-bottomleft"], br = m["face-bottomright"];
  return [
    edge(tl, tr, "face-top"),
    edge(tr, br, "face-right"),
    edge(br, bl, "face-bottom"),
    edge(bl, tl, "face-left"),
    edge(right ? br : bl, m["side-bottomcorner"], "side-bottom"),
    edge(right ? tr : tl, m["side-topcorner"], "side-top"),
  ];
}

/** @param {Point} a @param {Point} b @param {string} description @returns {CuboidEdge} */
function edge(a, b, description) {
  return { x1: a.x, y1: a.y, x2: b.x, y2: b.y, description, type: "edge" };
}

/** Cuboid geometry {vertices, edges} from a face box and the two side corners. */
function cuboidGeometry(face, sideTop, sideBottom) {
  const right = face.left + face.width;
  const bottom = face.top + face.height;
  const vertices = [
    vertex(face.left, face.top, "face-topleft"),
    vertex(face.left, bottom, "face-bottomleft"),
    vertex(right, face.top, "face-topright"),
    vertex(right, bottom, "face-bottomright"),
    vertex(sideTop.x, sideTop.y, "side-topcorner"),
    vertex(sideBottom.x, sideBottom.y, "side-bottomcorner"),
  ];
  return { vertices, edges: cuboidEdges(vertices) };
}

/** The face corners a side hangs on: [top, bottom]. */
function attachedCorners(face, side) {
  const x = side === "right" ? face.left + face.width : face.left;
  return [{ x, y: face.top }, { x, y: face.top + face.height }];
}

/**
 * A cuboid from its front face (drawn as a box) and the depth point: the side corners go on
 * the face's right side when depthPoint.x > face centre x, else its left side, both shifted by
 * (depthPoint − the nearer corner of that side), so the depth point is one of them.
 * @param {Box} faceBox @param {Point} depthPoint
 * @returns {{vertices: CuboidVertex[], edges: CuboidEdge[]}}
 */
export function cuboidFromFaceAndDepth(faceBox, depthPoint) {
  const face = boxFromDrag(
    { x: faceBox.left, y: faceBox.top },
    { x: faceBox.left + faceBox.width, y: faceBox.top + faceBox.height },
  );
  const side = depthPoint.x > face.left + face.width / 2 ? "right" : "left";
  const [top, bottom] = attachedCorners(face, side);
  const near = distance(depthPoint, top) <= distance(depthPoint, bottom) ? top : bottom;
  const dx = depthPoint.x - near.x;
  const dy = depthPoint.y - near.y;
  const shift = (/** @type {Point} */ p) => ({ x: p.x + dx, y: p.y + dy });
  return cuboidGeometry(face, shift(top), shift(bottom));
}

/**
 * Move one cuboid vertex to `point`, keeping the front face an axis-aligned rectangle.
 *
 * A face corner resizes the face (the opposite corner stays put); the side corners keep their
 * offsets from the face corners they hang on. A side corner moves the depth: both side
 * corners take point.x (the back edge stays vertical), the dragged one also takes point.y.
 * Returns a new annotation with `vertices` and `edges`; 3D keys (position, dimensions, yaw)
 * are dropped as stale.
 * @template {Annotation} A @param {A} cuboid @param {string} description @param {Point} point
 * @returns {A}
 */
export function moveCuboidVertex(cuboid, description, point) {
  const m = cuboidVertexMap(cuboid.vertices);
  const geometry = description.startsWith("side-")
    ? moveSideCorner(m, cuboidFace(cuboid.vertices), description, point)
    : moveFaceCorner(m, cuboid.vertices, description, point);
  return { ...withoutCuboid3d(cuboid), ...geometry };
}

const OPPOSITE_CORNER = {
  "face-topleft": "face-bottomright",
  "face-bottomright": "face-topleft",
  "face-topright": "face-bottomleft",
  "face-bottomleft": "face-topright",
};

function moveFaceCorner(m, vertices, description, point) {
  const opposite = OPPOSITE_CORNER[description];
  if (!opposite) throw new Error(`unknown cuboid vertex ${description}`);
  const side = cuboidSide(vertices);
  const [oldTop, oldBottom] = attachedCorners(cuboidFace(vertices), side);
  const face = boxFromDrag(m[opposite], point);
  const [top, bottom] = attachedCorners(face, side);
  const st = m["side-topcorner"], sb = m["side-bottomcorner"];
  return cuboidGeometry(
    face,
    { x: top.x + st.x - oldTop.x, y: top.y + st.y - oldTop.y },
    { x: bottom.x + sb.x - oldBottom.x, y: bottom.y + sb.y - oldBottom.y },
  );
}

function moveSideCorner(m, face, description, point) {
  const st = m["side-topcorner"], sb = m["side-bottomcorner"];
  const isTop = description === "side-topcorner";
  if (!isTop && description !== "side-bottomcorner") {
    throw new Error(`unknown cuboid vertex ${description}`);
  }
  return cuboidGeometry(
    face,
    { x: point.x, y: isTop ? point.y : st.y },
    { x: point.x, y: isTop ? sb.y : point.y },
  );
}

/** A copy of a cuboid without its 3D keys. */
function withoutCuboid3d(cuboid) {
  const copy = { ...cuboid };
  for (const key of CUBOID_3D_KEYS) delete copy[key];
  return copy;
}

// ---------------------------------------------------------------- any annotation

/** @param {Point} p @param {number} dx @param {number} dy */
function shifted(p, dx, dy) {
  return { ...p, x: p.x + dx, y: p.y + dy };
}

/**
 * The annotation moved by (dx, dy), as a new object (every type; cuboid 3D keys dropped).
 * @template {Annotation} A @param {A} annotation @param {number} dx @param {number} dy
 * @returns {A}
 */
export function translate(annotation, dx, dy) {
  const a = /** @type {any} */ (annotation);
  switch (a.type) {
    case "box":
      return withBoxVertices({ ...a, left: a.left + dx, top: a.top + dy });
    case "point":
      return { ...a, x: a.x + dx, y: a.y + dy };
    case "polygon":
    case "line":
    case "ellipse":
      return { ...a, vertices: a.vertices.map((/** @type {Point} */ p) => shifted(p, dx, dy)) };
    case "cuboid": {
      const vertices = a.vertices.map((/** @type {Point} */ p) => shifted(p, dx, dy));
      return { ...withoutCuboid3d(a), vertices, edges: cuboidEdges(vertices) };
    }
    default:
      throw new Error(`unknown annotation type ${a.type}`);
  }
}

/**
 * Axis-aligned bounds of any annotation (rotated boxes and ellipses exactly).
 * @param {Annotation} annotation @returns {Rect}
 */
export function bounds(annotation) {
  const a = /** @type {any} */ (annotation);
  switch (a.type) {
    case "box":
      return /** @type {Rect} */ (pointsBounds(boxCorners(a)));
    case "point":
      return { minX: a.x, minY: a.y, maxX: a.x, maxY: a.y };
    case "ellipse":
      return ellipseBounds(ellipseFromVertices(a.vertices));
    case "polygon":
    case "line":
    case "cuboid":
      return /** @type {Rect} */ (pointsBounds(a.vertices));
    default:
      throw new Error(`unknown annotation type ${a.type}`);
  }
}

// ---------------------------------------------------------------- polygons and polylines

/**
 * Signed shoelace area: positive when the vertices turn clockwise on screen (y down).
 * @param {Point[]} vertices @returns {number}
 */
export function signedArea(vertices) {
  let sum = 0;
  for (let i = 0, n = vertices.length; i < n; i++) {
    const a = vertices[i];
    const b = vertices[(i + 1) % n];
    sum += a.x * b.y - b.x * a.y;
  }
  return sum / 2;
}

/**
 * Area enclosed by a polygon (absolute value; self-intersecting parts may cancel).
 * @param {Point[]} vertices @returns {number}
 */
export function polygonArea(vertices) {
  return Math.abs(signedArea(vertices));
}

/**
 * Even-odd test: is `point` inside the polygon?
 * @param {Point} point @param {Point[]} vertices @returns {boolean}
 */
export function pointInPolygon(point, vertices) {
  let inside = false;
  for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
    const a = vertices[i];
    const b = vertices[j];
    if ((a.y > point.y) !== (b.y > point.y)
      && point.x < ((b.x - a.x) * (point.y - a.y)) / (b.y - a.y) + a.x) {
      inside = !inside;
    }
  }
  return inside;
}

/**
 * The point of segment a–b nearest `p`.
 * @param {Point} p @param {Point} a @param {Point} b @returns {Point}
 */
export function closestPointOnSegment(p, a, b) {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return { x: a.x, y: a.y };
  const t = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return { x: a.x + t * dx, y: a.y + t * dy };
}

/**
 * Distance from `p` to segment a–b.
 * @param {Point} p @param {Point} a @param {Point} b @returns {number}
 */
export function distanceToSegment(p, a, b) {
  return distance(p, closestPointOnSegment(p, a, b));
}

/**
 * The edge nearest `point`: edge `index` runs from vertices[index] to vertices[index + 1]
 * (the last edge of a closed ring wraps to vertex 0). Insert a vertex there with
 * insertVertex(vertices, index + 1, result.point). Null with fewer than 2 vertices.
 * @param {Point[]} vertices @param {Point} point @param {boolean} closed
 * @returns {{index: number, distance: number, point: Point} | null}
 */
export function nearestEdge(vertices, point, closed) {
  const n = vertices.length;
  const count = closed && n > 2 ? n : n - 1;
  /** @type {{index: number, distance: number, point: Point} | null} */
  let best = null;
  for (let i = 0; i < count; i++) {
    const q = closestPointOnSegment(point, vertices[i], vertices[(i + 1) % n]);
    const d = distance(point, q);
    if (!best || d < best.distance) best = { index: i, distance: d, point: q };
  }
  return best;
}

/**
 * A new vertex list with `point` inserted at position `index`.
 * @param {Point[]} vertices @param {number} index @param {Point} point @returns {Point[]}
 */
export function insertVertex(vertices, index, point) {
  return [...vertices.slice(0, index), { x: point.x, y: point.y }, ...vertices.slice(index)];
}

/**
 * A new vertex list without the vertex at `index`.
 * @param {Point[]} vertices @param {number} index @returns {Point[]}
 */
export function removeVertex(vertices, index) {
  return vertices.filter((_, i) => i !== index);
}

// Pixel coordinates to two decimals, as the server stores a submit (docs/task-format.md
// "Coordinates", tasks/rules/precision.py): left/top/width/height/x/y anywhere in the
// geometry; never attributes, a rotation, or a cuboid's 3D keys.
const PIXEL_KEYS = new Set(["left", "top", "width", "height", "x", "y"]);
const KEEP_KEYS = new Set(["attributes", "position", "dimensions", "rotation", "yaw", "camera", "metadata"]);

/** `value` rounded to a hundredth (a size stays ≥ 0.01 when it was > 0). */
export function roundPixel(value, key = "") {
  if (typeof value !== "number" || !Number.isFinite(value) || Number.isInteger(value)) return value;
  let rounded = Math.round(value * 100) / 100;
  if ((key === "width" || key === "height") && value > 0) rounded = Math.max(rounded, 0.01);
  return rounded === 0 ? 0 : rounded;  // no -0
}

/** A copy of `item` (an annotation) with its pixel coordinates rounded. */
export function roundCoordinates(item, key = "") {
  // a 3D cuboid's vertices are the projection of its 3D keys: kept whole
  if (!key && item && typeof item === "object" && !Array.isArray(item) && "position" in item) return item;
  if (Array.isArray(item)) return item.map((v) => roundCoordinates(v, key));
  if (item && typeof item === "object") {
    const out = {};
    for (const [k, v] of Object.entries(item)) out[k] = KEEP_KEYS.has(k) ? v : roundCoordinates(v, k);
    return out;
  }
  return PIXEL_KEYS.has(key) ? roundPixel(item, key) : item;
}
