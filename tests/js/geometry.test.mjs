import { test } from "node:test";
import assert from "node:assert/strict";

import {
  boxCorners, boxFromDrag, bounds, cuboidEdges, cuboidFromFaceAndDepth, distanceToSegment,
  ellipseBounds, ellipseFromVertices, ellipseToVertices, insertVertex, meetsMinSize,
  moveCuboidVertex, nearestEdge, normalizeAngle, pointInPolygon, polygonArea, removeVertex,
  resizeBox, resizeEllipse, rotateBoxTo, rotateEllipseTo, roundBoxPixels, signedArea, translate,
} from "../../static/js/lib/geometry.js";

const EPS = 1e-9;
const S2 = Math.SQRT2;

/** Deep equality with numbers compared to within EPS. */
function near(actual, expected, message) {
  const walk = (a, e, path) => {
    if (typeof e === "number") {
      assert.ok(typeof a === "number" && Math.abs(a - e) <= EPS, `${message || ""} ${path}: ${a} != ${e}`);
    } else if (e && typeof e === "object") {
      assert.deepEqual(Object.keys(a).sort(), Object.keys(e).sort(), `${message || ""} ${path} keys`);
      for (const key of Object.keys(e)) walk(a[key], e[key], `${path}.${key}`);
    } else {
      assert.equal(a, e, `${message || ""} ${path}`);
    }
  };
  walk(actual, expected, "");
}

const P = (x, y) => ({ x, y });

// ---------------------------------------------------------------- boxes

test("boxCorners: unrotated 10×20 box at (0,0) is TL, TR, BR, BL", () => {
  near(boxCorners({ left: 0, top: 0, width: 10, height: 20, rotation: 0 }),
    [P(0, 0), P(10, 0), P(10, 20), P(0, 20)]);
});

test("boxCorners: 10×20 box at (0,0) turned π/2 clockwise about (5,10)", () => {
  // TL offset (-5,-10) turned 90° clockwise (y down): (x,y) → (-y, x) = (10,-5) → (15,5).
  near(boxCorners({ left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2 }),
    [P(15, 5), P(15, 15), P(-5, 15), P(-5, 5)]);
});

test("boxCorners: 2×2 box turned π/4 has its top-left corner straight above the centre", () => {
  near(boxCorners({ left: 0, top: 0, width: 2, height: 2, rotation: Math.PI / 4 }),
    [P(1, 1 - S2), P(1 + S2, 1), P(1, 1 + S2), P(1 - S2, 1)]);
});

test("boxFromDrag normalizes any drag direction", () => {
  assert.deepEqual(boxFromDrag(P(10, 20), P(4, 5)), { left: 4, top: 5, width: 6, height: 15 });
  assert.deepEqual(boxFromDrag(P(1, 2), P(1, 2)), { left: 1, top: 2, width: 0, height: 0 });
});

test("resizeBox on an unrotated box moves only the dragged sides", () => {
  const box = { left: 0, top: 0, width: 10, height: 20 };
  near(resizeBox(box, "e", P(15, 100)), { left: 0, top: 0, width: 15, height: 20 });
  near(resizeBox(box, "n", P(100, -5)), { left: 0, top: -5, width: 10, height: 25 });
  near(resizeBox(box, "nw", P(2, 3)), { left: 2, top: 3, width: 8, height: 17 });
  near(resizeBox(box, "se", P(4, 6)), { left: 0, top: 0, width: 4, height: 6 });
  near(resizeBox(box, "sw", P(-1, 22)), { left: -1, top: 0, width: 11, height: 22 });
});

test("resizeBox past the opposite side mirrors the box", () => {
  const box = { left: 0, top: 0, width: 10, height: 20 };
  near(resizeBox(box, "w", P(14, 0)), { left: 10, top: 0, width: 4, height: 20 });
  near(resizeBox(box, "s", P(0, -6)), { left: 0, top: -6, width: 10, height: 6 });
});

test("resizeBox works in the rotated frame and keeps the opposite side fixed", () => {
  // Rotated π/2: the box's own +x axis points down the image, so "e" sits at (5,15)
  // and "w" at (5,5). Dragging "e" to y = 25 (any x) makes it 20 long; "w" stays at (5,5).
  const box = { left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2 };
  const resized = resizeBox(box, "e", P(100, 25));
  near(resized, {
    left: -5, top: 5, width: 20, height: 20, rotation: Math.PI / 2,
    // Centre (5,15); offsets (±10,±10) turned by (x,y) → (-y,x). The west side (TL, BL)
    // is still at y = 5, where it was.
    vertices: [P(15, 5), P(15, 25), P(-5, 25), P(-5, 5)],
  });
});

test("resizeBox with keepRotation false resizes in image axes and drops the rotation", () => {
  const box = { left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2 };
  near(resizeBox(box, "e", P(15, 3), { keepRotation: false }), {
    left: 0, top: 0, width: 15, height: 20, rotation: 0,
    vertices: [P(0, 0), P(15, 0), P(15, 20), P(0, 20)],
  });
});

test("rotateBoxTo points the handle above the top edge at the mouse", () => {
  const box = { left: 0, top: 0, width: 10, height: 10, rotation: 0 };
  assert.equal(rotateBoxTo(box, P(5, -100)).rotation, 0);
  near(rotateBoxTo(box, P(100, 5)).rotation, Math.PI / 2);
  near(rotateBoxTo(box, P(5, 100)).rotation, Math.PI);
  near(rotateBoxTo(box, P(-100, 5)).rotation, -Math.PI / 2);
  near(rotateBoxTo(box, P(5 + 10, 5 - 10)).rotation, Math.PI / 4);
  near(rotateBoxTo(box, P(100, 5)).vertices, [P(10, 0), P(10, 10), P(0, 10), P(0, 0)]);
  near(rotateBoxTo(box, P(100, 8), { snap: Math.PI / 12 }).rotation, Math.PI / 2);
});

test("normalizeAngle brings angles into (-π, π]", () => {
  near(normalizeAngle(3 * Math.PI / 2), -Math.PI / 2);
  near(normalizeAngle(-Math.PI), Math.PI);
  near(normalizeAngle(5 * Math.PI), Math.PI);
  assert.equal(normalizeAngle(0.5), 0.5);
});

test("roundBoxPixels rounds halves up with a size of at least 1, like the server", () => {
  assert.deepEqual(roundBoxPixels({ left: 1.5, top: 2.49, width: 0.4, height: 3.5 }),
    { left: 2, top: 2, width: 1, height: 4 });
  assert.deepEqual(roundBoxPixels({ left: -1.5, top: -0.2, width: 9.9, height: 2 }),
    { left: -1, top: 0, width: 10, height: 2 });
  const rotated = { left: 1.5, top: 2.5, width: 3.3, height: 4.4, rotation: 0.1 };
  assert.deepEqual(roundBoxPixels(rotated), rotated);
  const zero = roundBoxPixels({ left: 0.6, top: 0, width: 2, height: 2, rotation: 0 });
  assert.deepEqual(zero.vertices, [P(1, 0), P(3, 0), P(3, 2), P(1, 2)]);
});

test("meetsMinSize checks boxes and cuboid faces", () => {
  const box = { type: "box", left: 0, top: 0, width: 5, height: 8 };
  assert.ok(meetsMinSize(box, { min_width: 5, min_height: 8 }));
  assert.ok(!meetsMinSize(box, { min_width: 5.1 }));
  assert.ok(!meetsMinSize({ ...box, width: 0 }, {}));
  const cuboid = { type: "cuboid", ...cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3)) };
  assert.ok(meetsMinSize(cuboid, { min_width: 10, min_height: 20 }));
  assert.ok(!meetsMinSize(cuboid, { min_height: 21 }));
  assert.ok(meetsMinSize({ type: "point", x: 0, y: 0 }, { min_width: 100 }));
});

// ---------------------------------------------------------------- ellipses

test("ellipseToVertices: +rx end, +ry end, -rx end, -ry end", () => {
  near(ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: 0 }),
    [P(16, 20), P(10, 23), P(4, 20), P(10, 17)]);
  // Turned π/2 clockwise: the rx axis points down, the ry axis points left.
  near(ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: Math.PI / 2 }),
    [P(10, 26), P(7, 20), P(10, 14), P(13, 20)]);
});

test("ellipse vertices round trip both ways", () => {
  const cases = [
    { cx: 10, cy: 20, rx: 6, ry: 3, rotation: 0 },
    { cx: -3.5, cy: 7.25, rx: 2, ry: 9, rotation: 1.2 },
    { cx: 100, cy: 50, rx: 40, ry: 40, rotation: -2.9 },
    { cx: 0, cy: 0, rx: 1, ry: 0.5, rotation: Math.PI },
  ];
  for (const e of cases) {
    near(ellipseFromVertices(ellipseToVertices(e)), e, JSON.stringify(e));
  }
  // Centre (1,3); +rx end at offset (2,1), +ry end at offset (-2,4) (perpendicular).
  const vertices = [P(3, 4), P(-1, 7), P(-1, 2), P(3, -1)];
  const e = ellipseFromVertices(vertices);
  near(e, { cx: 1, cy: 3, rx: Math.sqrt(5), ry: 2 * Math.sqrt(5), rotation: Math.atan2(1, 2) });
  near(ellipseToVertices(e), vertices);
});

test("ellipseBounds of an ellipse turned π/2 swaps its extents", () => {
  near(ellipseBounds({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: Math.PI / 2 }),
    { minX: 7, minY: 14, maxX: 13, maxY: 26 });
  // A circle is its own bounds whatever the rotation.
  near(ellipseBounds({ cx: 0, cy: 0, rx: 2, ry: 2, rotation: 0.7 }),
    { minX: -2, minY: -2, maxX: 2, maxY: 2 });
});

test("resizeEllipse and rotateEllipseTo act on the ellipse's own box", () => {
  const e = { cx: 10, cy: 20, rx: 6, ry: 3, rotation: 0 };
  near(resizeEllipse(e, "e", P(20, 0)), { cx: 12, cy: 20, rx: 8, ry: 3, rotation: 0 });
  near(rotateEllipseTo(e, P(30, 20)), { ...e, rotation: Math.PI / 2 });
});

// ---------------------------------------------------------------- cuboids

test("cuboidFromFaceAndDepth on the right side: side corners = right corners + (depth − TR)", () => {
  // Face centre x = 5 < 15 → right side; TR (10,0) is nearer (15,3) than BR (10,20); d = (5,3).
  const { vertices, edges } = cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3));
  assert.deepEqual(vertices, [
    { x: 0, y: 0, description: "face-topleft", type: "vertex" },
    { x: 0, y: 20, description: "face-bottomleft", type: "vertex" },
    { x: 10, y: 0, description: "face-topright", type: "vertex" },
    { x: 10, y: 20, description: "face-bottomright", type: "vertex" },
    { x: 15, y: 3, description: "side-topcorner", type: "vertex" },
    { x: 15, y: 23, description: "side-bottomcorner", type: "vertex" },
  ]);
  const e = (x1, y1, x2, y2, description) => ({ x1, y1, x2, y2, description, type: "edge" });
  assert.deepEqual(edges, [
    e(0, 0, 10, 0, "face-top"),
    e(10, 0, 10, 20, "face-right"),
    e(10, 20, 0, 20, "face-bottom"),
    e(0, 20, 0, 0, "face-left"),
    e(10, 20, 15, 23, "side-bottom"),
    e(10, 0, 15, 3, "side-top"),
  ]);
});

test("cuboidFromFaceAndDepth on the left side uses the nearer left corner", () => {
  // (-4,18): left side; BL (0,20) is nearer than TL (0,0); d = (-4,-2).
  const { vertices, edges } = cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(-4, 18));
  assert.deepEqual(vertices.slice(4).map(({ x, y }) => [x, y]), [[-4, -2], [-4, 18]]);
  assert.deepEqual(edges.slice(4).map(({ x1, y1, x2, y2 }) => [x1, y1, x2, y2]),
    [[0, 20, -4, 18], [0, 0, -4, -2]]);
});

test("cuboidEdges accepts vertices in any order", () => {
  const { vertices, edges } = cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3));
  assert.deepEqual(cuboidEdges([...vertices].reverse()), edges);
  assert.throws(() => cuboidEdges(vertices.slice(1)), /face-topleft/);
});

const cuboid = () => ({
  uuid: "c", type: "cuboid", label: "car", attributes: {},
  ...cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3)),
  position: { x: 0, y: 0, z: 5 }, dimensions: { length: 1, width: 1, height: 1 }, yaw: 0,
});
const xy = (c) => Object.fromEntries(c.vertices.map((v) => [v.description, [v.x, v.y]]));

test("moveCuboidVertex: a face corner resizes the face; side corners keep their offsets", () => {
  // Dragging TL to (2,-5): BR (10,20) stays; TR becomes (10,-5) so side-top (5,3 from TR) → (15,-2).
  const moved = moveCuboidVertex(cuboid(), "face-topleft", P(2, -5));
  assert.deepEqual(xy(moved), {
    "face-topleft": [2, -5], "face-bottomleft": [2, 20], "face-topright": [10, -5],
    "face-bottomright": [10, 20], "side-topcorner": [15, -2], "side-bottomcorner": [15, 23],
  });
  assert.deepEqual(moved.edges, cuboidEdges(moved.vertices));
  assert.equal(moved.label, "car");
  assert.ok(!("position" in moved) && !("yaw" in moved) && !("dimensions" in moved));
  const wider = moveCuboidVertex(cuboid(), "face-bottomright", P(12, 20));
  assert.deepEqual(xy(wider)["side-topcorner"], [17, 3]);
  assert.deepEqual(xy(wider)["side-bottomcorner"], [17, 23]);
});

test("moveCuboidVertex: a side corner moves the depth and keeps the back edge vertical", () => {
  const moved = moveCuboidVertex(cuboid(), "side-topcorner", P(20, 6));
  assert.deepEqual(xy(moved)["side-topcorner"], [20, 6]);
  assert.deepEqual(xy(moved)["side-bottomcorner"], [20, 23]);
  assert.deepEqual(xy(moved)["face-topleft"], [0, 0]);
  const bottom = moveCuboidVertex(cuboid(), "side-bottomcorner", P(18, 19));
  assert.deepEqual(xy(bottom)["side-topcorner"], [18, 3]);
  assert.deepEqual(xy(bottom)["side-bottomcorner"], [18, 19]);
});

// ---------------------------------------------------------------- any annotation

const samples = () => [
  { uuid: "b", type: "box", left: 0, top: 0, width: 10, height: 20 },
  { uuid: "r", type: "box", left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2,
    vertices: boxCorners({ left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2 }) },
  { uuid: "p", type: "polygon", vertices: [P(0, 0), P(4, 0), P(0, 3)] },
  { uuid: "l", type: "line", vertices: [P(1, 1), P(5, -2)] },
  { uuid: "o", type: "point", x: 3, y: 4 },
  { uuid: "e", type: "ellipse", vertices: ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: Math.PI / 2 }) },
  cuboid(),
];

test("bounds of every type", () => {
  const expected = [
    { minX: 0, minY: 0, maxX: 10, maxY: 20 },
    { minX: -5, minY: 5, maxX: 15, maxY: 15 },
    { minX: 0, minY: 0, maxX: 4, maxY: 3 },
    { minX: 1, minY: -2, maxX: 5, maxY: 1 },
    { minX: 3, minY: 4, maxX: 3, maxY: 4 },
    { minX: 7, minY: 14, maxX: 13, maxY: 26 },
    { minX: 0, minY: 0, maxX: 15, maxY: 23 },
  ];
  samples().forEach((a, i) => near(bounds(a), expected[i], a.uuid));
});

test("translate moves every type, returns new objects and keeps derived keys right", () => {
  for (const a of samples()) {
    const before = structuredClone(a);
    const moved = translate(a, 3, -2);
    assert.deepEqual(a, before, `${a.uuid} not mutated`);
    assert.notEqual(moved, a);
    const b = bounds(a), m = bounds(moved);
    near([m.minX, m.minY, m.maxX, m.maxY], [b.minX + 3, b.minY - 2, b.maxX + 3, b.maxY - 2], a.uuid);
  }
  const [, rotated, , , point, , cub] = samples().map((a) => translate(a, 3, -2));
  near(rotated.vertices, [P(18, 3), P(18, 13), P(-2, 13), P(-2, 3)]);
  assert.deepEqual([point.x, point.y], [6, 2]);
  assert.deepEqual(cub.edges, cuboidEdges(cub.vertices));
  assert.deepEqual(cub.edges[0], { x1: 3, y1: -2, x2: 13, y2: -2, description: "face-top", type: "edge" });
  assert.ok(!("position" in cub));
  assert.throws(() => translate({ type: "blob" }, 1, 1), /unknown annotation type/);
});

// ---------------------------------------------------------------- polygons

test("polygonArea and signedArea", () => {
  const square = [P(0, 0), P(10, 0), P(10, 10), P(0, 10)]; // clockwise on screen
  assert.equal(polygonArea(square), 100);
  assert.equal(signedArea(square), 100);
  assert.equal(signedArea([...square].reverse()), -100);
  assert.equal(polygonArea([P(0, 0), P(4, 0), P(0, 3)]), 6);
  assert.equal(polygonArea([P(0, 0), P(1, 1)]), 0);
});

test("pointInPolygon on a concave L shape", () => {
  const L = [P(0, 0), P(10, 0), P(10, 4), P(4, 4), P(4, 10), P(0, 10)];
  assert.ok(pointInPolygon(P(2, 8), L));
  assert.ok(pointInPolygon(P(8, 2), L));
  assert.ok(!pointInPolygon(P(8, 8), L));
  assert.ok(!pointInPolygon(P(-1, 5), L));
});

test("distanceToSegment inside, beyond the ends and on a degenerate segment", () => {
  assert.equal(distanceToSegment(P(5, 5), P(0, 0), P(10, 0)), 5);
  assert.equal(distanceToSegment(P(13, 4), P(0, 0), P(10, 0)), 5); // 3-4-5 from the end
  assert.equal(distanceToSegment(P(3, 4), P(0, 0), P(0, 0)), 5);
});

test("nearestEdge: closed rings include the closing edge, open lines do not", () => {
  const square = [P(0, 0), P(10, 0), P(10, 10), P(0, 10)];
  assert.deepEqual(nearestEdge(square, P(10.5, 5), true), { index: 1, distance: 0.5, point: P(10, 5) });
  assert.deepEqual(nearestEdge(square, P(-1, 5), true), { index: 3, distance: 1, point: P(0, 5) });
  const open = nearestEdge(square, P(-1, 5), false);
  assert.equal(open.index, 0);
  near(open.distance, Math.hypot(1, 5));
  assert.equal(nearestEdge([P(0, 0)], P(1, 1), false), null);
});

test("insertVertex and removeVertex return new lists", () => {
  const v = [P(0, 0), P(10, 0), P(10, 10)];
  const edge = nearestEdge(v, P(5, -1), true);
  assert.deepEqual(insertVertex(v, edge.index + 1, edge.point), [P(0, 0), P(5, 0), P(10, 0), P(10, 10)]);
  assert.deepEqual(removeVertex(v, 1), [P(0, 0), P(10, 10)]);
  assert.equal(v.length, 3);
});
