// The pinhole camera of a 3D cuboid geometry and the math of cuboids standing on the ground
// (contract "Product decisions"; the same model as the server's tasks/rules/geometry.py).
//
// Camera frame: x right, y down, z forward. World frame: z up, ground z = 0, camera at
// (0, 0, height). `rotation` (w, x, y, z) turns camera-frame vectors into world vectors. A
// camera-frame point (X, Y, Z), Z > 0, projects to u = (fx·X + skew·Y) / Z + cx,
// v = fy·Y / Z + cy, both divided by scalefactor (image pixels).
//
// A cuboid is {position, dimensions, yaw}: position {x, y, z} the centre of its bottom face in
// the camera frame (metres), dimensions {length, width, height} (length along its heading),
// yaw (radians) its heading about the world's up axis, 0 = the camera's forward direction on
// the ground, counter-clockwise seen from above. Pure: no DOM, every function returns new
// objects.

/** @typedef {[number, number, number]} Vec3 */
/** @typedef {{x: number, y: number}} Point */
/**
 * @typedef {{fx: number, fy: number, cx: number, cy: number, skew: number,
 *   scalefactor: number, rotation: [number, number, number, number], height: number,
 *   matrix: [Vec3, Vec3, Vec3]}} Camera
 * @typedef {{position: {x: number, y: number, z: number},
 *   dimensions: {length: number, width: number, height: number}, yaw: number}} Box3d
 */

export const CUBOID_VERTEX_NAMES = [
  "face-topleft", "face-bottomleft", "face-topright", "face-bottomright",
  "side-topcorner", "side-bottomcorner",
];
/** Smallest length, width or height the editor gives a cuboid (metres). */
export const MIN_SIZE = 0.05;

/**
 * The camera of normalized cuboid options, or null when the three camera fields are not all
 * given (a camera_intrinsics whose every value is null is "not given").
 * @param {any} options @returns {Camera | null}
 */
export function cameraFromOptions(options) {
  const intrinsics = options?.camera_intrinsics;
  const q = options?.camera_rotation_quaternion;
  const height = options?.camera_height;
  if (!intrinsics || !q || height === null || height === undefined) return null;
  const numbers = [intrinsics.fx, intrinsics.fy, intrinsics.cx, intrinsics.cy, q.w, q.x, q.y, q.z, height];
  if (!numbers.every((n) => typeof n === "number" && Number.isFinite(n))) return null;
  const scale = intrinsics.scalefactor ?? intrinsics.scale_factor ?? 1;
  const rotation = /** @type {[number, number, number, number]} */ ([q.w, q.x, q.y, q.z]);
  return {
    fx: intrinsics.fx, fy: intrinsics.fy, cx: intrinsics.cx, cy: intrinsics.cy,
    skew: intrinsics.skew ?? 0, scalefactor: scale, rotation, height,
    matrix: quaternionMatrix(rotation),
  };
}

/**
 * The rotation matrix (rows) of quaternion (w, x, y, z), normalized first.
 * @param {number[]} q @returns {[Vec3, Vec3, Vec3]}
 */
export function quaternionMatrix(q) {
  const norm = Math.hypot(...q);
  const [w, x, y, z] = q.map((c) => c / norm);
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** @param {Vec3[]} m @param {number[]} v @returns {Vec3} */
function mul(m, v) {
  return /** @type {Vec3} */ (m.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]));
}

/** @param {Vec3[]} m @param {number[]} v @returns {Vec3} transpose(m) · v */
function mulT(m, v) {
  return /** @type {Vec3} */ ([0, 1, 2].map((c) => m[0][c] * v[0] + m[1][c] * v[1] + m[2][c] * v[2]));
}

/** Camera-frame point → world point. @param {Camera} camera @param {number[]} p @returns {Vec3} */
export function toWorld(camera, p) {
  const r = mul(camera.matrix, p);
  return [r[0], r[1], r[2] + camera.height];
}

/** World point → camera-frame point. @param {Camera} camera @param {number[]} p @returns {Vec3} */
export function toCamera(camera, p) {
  return /** @type {Vec3} */ (mulT(camera.matrix, [p[0], p[1], p[2] - camera.height]));
}

/**
 * Image pixel of a camera-frame point, or null when it is not in front of the camera.
 * @param {Camera} camera @param {number[]} p @returns {Point | null}
 */
export function projectPoint(camera, p) {
  const [x, y, z] = p;
  if (!(z > 0)) return null;
  const u = (camera.fx * x + camera.skew * y) / z + camera.cx;
  const v = (camera.fy * y) / z + camera.cy;
  return { x: u / camera.scalefactor, y: v / camera.scalefactor };
}

/**
 * The camera-frame direction (Z = 1) of the ray through an image pixel.
 * @param {Camera} camera @param {Point} pixel @returns {Vec3}
 */
export function pixelRay(camera, pixel) {
  const u = pixel.x * camera.scalefactor, v = pixel.y * camera.scalefactor;
  const yz = (v - camera.cy) / camera.fy;
  const xz = (u - camera.cx - camera.skew * yz) / camera.fx;
  return [xz, yz, 1];
}

/**
 * The ground point (camera frame) seen at an image pixel, or null when the pixel's ray does
 * not meet the ground in front of the camera (at or above the horizon, or behind).
 * @param {Camera} camera @param {Point} pixel @returns {Vec3 | null}
 */
export function groundPoint(camera, pixel) {
  const ray = pixelRay(camera, pixel);
  const down = mul(camera.matrix, ray)[2]; // world z of the ray direction
  if (!(down < -1e-9)) return null;
  const t = camera.height / -down;
  return [ray[0] * t, ray[1] * t, t];
}

/**
 * World-frame unit vectors (heading, left of heading) on the ground of a cuboid with `yaw`.
 * @param {Camera} camera @param {number} yaw @returns {{heading: Vec3, left: Vec3}}
 */
export function headingAxes(camera, yaw) {
  const { forward, left } = groundAxes(camera);
  const c = Math.cos(yaw), s = Math.sin(yaw);
  const hx = c * forward[0] + s * left[0], hy = c * forward[1] + s * left[1];
  return { heading: [hx, hy, 0], left: [-hy, hx, 0] };
}

/** The camera's forward direction on the ground and its left (world, unit). */
function groundAxes(camera) {
  const m = camera.matrix;
  let fx = m[0][2], fy = m[1][2]; // the camera's z axis in the world
  if (Math.hypot(fx, fy) < 1e-9) {
    fx = -m[0][1]; // looking straight down or up: the image's up
    fy = -m[1][1];
  }
  const n = Math.hypot(fx, fy);
  fx /= n;
  fy /= n;
  return { forward: [fx, fy, 0], left: [-fy, fx, 0] };
}

/**
 * The yaw of a direction on the ground (world frame).
 * @param {Camera} camera @param {number[]} direction @returns {number}
 */
export function yawOf(camera, direction) {
  const { forward, left } = groundAxes(camera);
  const along = direction[0] * forward[0] + direction[1] * forward[1];
  const across = direction[0] * left[0] + direction[1] * left[1];
  return Math.atan2(across, along);
}

/** An angle in (-π, π]. @param {number} angle */
export function wrapAngle(angle) {
  let a = angle % (2 * Math.PI);
  if (a <= -Math.PI) a += 2 * Math.PI;
  if (a > Math.PI) a -= 2 * Math.PI;
  return a;
}

/**
 * A corner of a cuboid, camera frame: a = ±1 along its heading (front +1), b = ±1 along its
 * left, top = whether on its top face.
 * @param {Camera} camera @param {Box3d} box @param {number} a @param {number} b
 * @param {boolean} top @returns {Vec3}
 */
export function cuboidCorner(camera, box, a, b, top) {
  return toCamera(camera, worldCorner(camera, box, a, b, top));
}

/** The same corner in the world frame. */
function worldCorner(camera, box, a, b, top) {
  const base = toWorld(camera, [box.position.x, box.position.y, box.position.z]);
  const { heading, left } = headingAxes(camera, box.yaw);
  const l = (a * box.dimensions.length) / 2, w = (b * box.dimensions.width) / 2;
  return [
    base[0] + l * heading[0] + w * left[0],
    base[1] + l * heading[1] + w * left[1],
    base[2] + (top ? box.dimensions.height : 0),
  ];
}

/**
 * The 8 corners of a cuboid, camera frame: bottom then top, each going front-left,
 * front-right, back-right, back-left.
 * @param {Camera} camera @param {Box3d} box @returns {Vec3[]}
 */
export function cuboidCorners(camera, box) {
  const ring = [[1, 1], [1, -1], [-1, -1], [-1, 1]];
  return [false, true].flatMap((top) => ring.map(([a, b]) => cuboidCorner(camera, box, a, b, top)));
}

// the 12 edges of cuboidCorners(): bottom ring, top ring, verticals
const BOX_EDGES = [[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4], [0, 4], [1, 5], [2, 6], [3, 7]];

/**
 * The image segments of a cuboid's 12 edges (those with both ends in front of the camera),
 * and its front face (the one its heading points out of) as 4 pixels, or null.
 * @param {Camera} camera @param {Box3d} box
 * @returns {{edges: [Point, Point][], front: Point[] | null}}
 */
export function wireframe(camera, box) {
  const pixels = cuboidCorners(camera, box).map((p) => projectPoint(camera, p));
  const edges = /** @type {[Point, Point][]} */ (BOX_EDGES.filter(([i, j]) => pixels[i] && pixels[j])
    .map(([i, j]) => [pixels[i], pixels[j]]));
  const front = [0, 1, 5, 4].map((i) => pixels[i]);
  return { edges, front: front.every(Boolean) ? /** @type {Point[]} */ (front) : null };
}

// vertical face → its two vertical edges as (a, b) signs; the order breaks ties as the server
const FACES = {
  front: [[1, 1], [1, -1]],
  back: [[-1, 1], [-1, -1]],
  left: [[1, 1], [-1, 1]],
  right: [[1, -1], [-1, -1]],
};

/**
 * The 2D `vertices` and `edges` of a cuboid, as the server computes them (cuboid_from_3d):
 * the `face-*` vertices are the vertical face whose centre is nearest the camera (left and
 * right as they fall in the image), the side corners the far edge of the nearer adjacent
 * face. Also `corners`: each vertex's corner as {a, b, top}. Null when a used corner is not
 * in front of the camera.
 * @param {Camera} camera @param {Box3d} box
 */
export function projectCuboid(camera, box) {
  const corner = (edge, top) => cuboidCorner(camera, box, edge[0], edge[1], top);
  const distance = (face) => {
    const points = FACES[face].flatMap((edge) => [corner(edge, false), corner(edge, true)]);
    const centre = [0, 1, 2].map((i) => points.reduce((sum, p) => sum + p[i], 0) / 4);
    return Math.hypot(...centre);
  };
  const nearest = (names) => names.reduce((best, name) => (distance(name) < distance(best) ? name : best));
  const face = nearest(Object.keys(FACES));
  const side = nearest(face === "front" || face === "back" ? ["left", "right"] : ["front", "back"]);
  const onFace = (edge) => FACES[face].some((e) => e[0] === edge[0] && e[1] === edge[1]);
  const far = FACES[side].find((edge) => !onFace(edge));
  const pixel = (edge, top) => projectPoint(camera, corner(edge, top));
  let [first, second] = FACES[face];
  const pixels = [first, second, far].flatMap((edge) => [pixel(edge, true), pixel(edge, false)]);
  if (!pixels.every((p) => p !== null)) return null; // (every: the type then says no null)
  const meanX = (i) => (pixels[i].x + pixels[i + 1].x) / 2;
  let order = [0, 2, 4];
  if (meanX(0) > meanX(2)) {
    [first, second] = [second, first];
    order = [2, 0, 4];
  }
  const edges3d = [first, second, far];
  const vertices = [];
  const corners = {};
  order.forEach((start, n) => {
    for (const top of [true, false]) {
      const p = pixels[start + (top ? 0 : 1)];
      const description = CUBOID_VERTEX_NAMES[vertices.length];
      vertices.push({ x: p.x, y: p.y, description, type: "vertex" });
      corners[description] = { a: edges3d[n][0], b: edges3d[n][1], top };
    }
  });
  return { vertices, edges: edgesOf(vertices), corners };
}

/** The 6 edges (server order) of 6 described vertices. */
function edgesOf(vertices) {
  const m = Object.fromEntries(vertices.map((v) => [v.description, v]));
  const tl = m["face-topleft"], tr = m["face-topright"];
  const bl = m["face-bottomleft"], br = m["face-bottomright"];
  const st = m["side-topcorner"], sb = m["side-bottomcorner"];
  const right = (st.x + sb.x) / 2 > (tl.x + bl.x + tr.x + br.x) / 4;
  const edge = (p, q, description) => ({ x1: p.x, y1: p.y, x2: q.x, y2: q.y, description, type: "edge" });
  return [
    edge(tl, tr, "face-top"), edge(tr, br, "face-right"), edge(br, bl, "face-bottom"),
    edge(bl, tl, "face-left"), edge(right ? br : bl, sb, "side-bottom"),
    edge(right ? tr : tl, st, "side-top"),
  ];
}

/**
 * A whole 3D cuboid annotation's geometry keys: vertices, edges, position, dimensions, yaw
 * (null when it is not entirely in front of the camera).
 * @param {Camera} camera @param {Box3d} box
 */
export function cuboidGeometry3d(camera, box) {
  const projected = projectCuboid(camera, box);
  if (!projected) return null;
  return {
    vertices: projected.vertices,
    edges: projected.edges,
    position: { ...box.position },
    dimensions: { ...box.dimensions },
    yaw: box.yaw,
  };
}

/** The Box3d of an annotation with 3D keys, or null. @param {any} a @returns {Box3d | null} */
export function box3dOf(a) {
  const p = a?.position, d = a?.dimensions;
  if (!p || !d || typeof a.yaw !== "number") return null;
  const numbers = [p.x, p.y, p.z, d.length, d.width, d.height];
  if (!numbers.every((n) => typeof n === "number" && Number.isFinite(n))) return null;
  return { position: { x: p.x, y: p.y, z: p.z }, dimensions: { length: d.length, width: d.width, height: d.height }, yaw: a.yaw };
}

/**
 * The footprint drawn by a drag on the ground from pixel `from` to pixel `to`, as a box of
 * `height` whose sides follow `yaw`: the drag is its footprint's diagonal. Null when either
 * pixel is not on the ground.
 * @param {Camera} camera @param {Point} from @param {Point} to @param {number} yaw
 * @param {number} height @returns {Box3d | null}
 */
export function footprintBox(camera, from, to, yaw, height) {
  const a = groundPoint(camera, from), b = groundPoint(camera, to);
  if (!a || !b) return null;
  return boxOnDiagonal(camera, toWorld(camera, a), toWorld(camera, b), yaw, height);
}

/** The box whose footprint has world ground points p and q as opposite corners. */
function boxOnDiagonal(camera, p, q, yaw, height) {
  const { heading, left } = headingAxes(camera, yaw);
  const d = [q[0] - p[0], q[1] - p[1]];
  const length = Math.abs(d[0] * heading[0] + d[1] * heading[1]);
  const width = Math.abs(d[0] * left[0] + d[1] * left[1]);
  const centre = toCamera(camera, [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, 0]);
  return {
    position: { x: centre[0], y: centre[1], z: centre[2] },
    dimensions: { length, width, height },
    yaw,
  };
}

/**
 * The height above world ground point `base` (world frame) that the pixel's ray passes
 * closest to: the vertical line through `base` against the ray. At least MIN_SIZE.
 * @param {Camera} camera @param {number[]} base @param {Point} pixel @returns {number}
 */
export function heightAt(camera, base, pixel) {
  const d = mul(camera.matrix, pixelRay(camera, pixel)); // ray direction, world
  const w = [base[0], base[1], base[2] - camera.height]; // camera → base
  // lines base + s·up and t·d from the camera: minimise |base + s·up − camera − t·d|
  const dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const denominator = dd - d[2] * d[2];
  if (denominator < 1e-12) return MIN_SIZE; // the ray is vertical
  const wd = w[0] * d[0] + w[1] * d[1] + w[2] * d[2];
  const s = (d[2] * wd - dd * w[2]) / denominator;
  return Math.max(MIN_SIZE, s);
}

/**
 * The box moved on the ground so that the image of its bottom centre moves by (dx, dy)
 * pixels; null when that point would leave the ground.
 * @param {Camera} camera @param {Box3d} box @param {number} dx @param {number} dy
 * @returns {Box3d | null}
 */
export function moveOnGround(camera, box, dx, dy) {
  const p = box.position;
  const pixel = projectPoint(camera, [p.x, p.y, p.z]);
  if (!pixel) return null;
  const g = groundPoint(camera, { x: pixel.x + dx, y: pixel.y + dy });
  if (!g) return null;
  return { ...box, position: { x: g[0], y: g[1], z: g[2] } };
}

/**
 * The box with one corner dragged to an image pixel: a top corner sets the height, a bottom
 * corner moves on the ground with the opposite bottom corner fixed (the yaw stays). Null
 * when the pixel is not on the ground.
 * @param {Camera} camera @param {Box3d} box @param {{a: number, b: number, top: boolean}} corner
 * @param {Point} pixel @returns {Box3d | null}
 */
export function dragCorner(camera, box, corner, pixel) {
  if (corner.top) {
    const base = worldCorner(camera, box, corner.a, corner.b, false);
    return { ...box, dimensions: { ...box.dimensions, height: heightAt(camera, base, pixel) } };
  }
  const g = groundPoint(camera, pixel);
  if (!g) return null;
  const opposite = worldCorner(camera, box, -corner.a, -corner.b, false);
  const next = boxOnDiagonal(camera, opposite, toWorld(camera, g), box.yaw, box.dimensions.height);
  next.dimensions.length = Math.max(MIN_SIZE, next.dimensions.length);
  next.dimensions.width = Math.max(MIN_SIZE, next.dimensions.width);
  return next;
}

/**
 * Recover a cuboid standing on the ground from its 2D vertices (as projectCuboid gives
 * them): the bottom vertices are cast onto the ground, the height is read off the face's
 * top vertices. A box is the same box turned by 90° with length and width swapped (or by
 * 180°): of those, the one whose yaw is nearest `yawHint` is returned. Null when a bottom
 * vertex is not on the ground.
 * @param {Camera} camera @param {{x: number, y: number, description: string}[]} vertices
 * @param {number} [yawHint] @returns {Box3d | null}
 */
export function recoverCuboid(camera, vertices, yawHint = 0) {
  const m = Object.fromEntries(vertices.map((v) => [v.description, v]));
  const ground = (name) => {
    const g = groundPoint(camera, m[name]);
    return g ? toWorld(camera, g) : null;
  };
  const a = ground("face-bottomleft"), b = ground("face-bottomright"), c = ground("side-bottomcorner");
  if (!a || !b || !c) return null;
  const u = [b[0] - a[0], b[1] - a[1]];
  const dot = (p) => Math.abs((c[0] - p[0]) * u[0] + (c[1] - p[1]) * u[1]);
  const attached = dot(a) <= dot(b) ? a : b;
  const v = [c[0] - attached[0], c[1] - attached[1]];
  const centre = [a[0] + u[0] / 2 + v[0] / 2, a[1] + u[1] / 2 + v[1] / 2, 0];
  const height = (heightAt(camera, a, m["face-topleft"]) + heightAt(camera, b, m["face-topright"])) / 2;
  const lu = Math.hypot(...u), lv = Math.hypot(...v);
  const candidates = [
    { yaw: yawOf(camera, u), length: lu, width: lv },
    { yaw: yawOf(camera, [-u[0], -u[1]]), length: lu, width: lv },
    { yaw: yawOf(camera, v), length: lv, width: lu },
    { yaw: yawOf(camera, [-v[0], -v[1]]), length: lv, width: lu },
  ];
  const best = candidates.reduce((x, y) => (Math.abs(wrapAngle(y.yaw - yawHint)) < Math.abs(wrapAngle(x.yaw - yawHint)) ? y : x));
  const position = toCamera(camera, centre);
  return {
    position: { x: position[0], y: position[1], z: position[2] },
    dimensions: { length: best.length, width: best.width, height },
    yaw: best.yaw,
  };
}
