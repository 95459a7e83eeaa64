import { test } from "node:test";
import assert from "node:assert/strict";

import { convexHull, handleAt, intersects, pointHits, SpatialIndex } from "../../static/js/lib/hittest.js";
import { bounds, boxCorners, cuboidFromFaceAndDepth, ellipseToVertices } from "../../static/js/lib/geometry.js";

const P = (x, y) => ({ x, y });

/** A seeded PRNG (mulberry32) so failures can be replayed. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- pointHits

test("pointHits: unrotated box, inside and within tolerance", () => {
  const box = { type: "box", left: 0, top: 0, width: 10, height: 20 };
  assert.ok(pointHits(box, P(5, 5)));
  assert.ok(pointHits(box, P(10, 20)));
  assert.ok(!pointHits(box, P(11, 5)));
  assert.ok(pointHits(box, P(11, 5), 1));
});

test("pointHits: rotated box uses its rotated outline", () => {
  // 2×2 box turned π/4: a diamond round (1,1) with corners √2 from the centre.
  const box = { type: "box", left: 0, top: 0, width: 2, height: 2, rotation: Math.PI / 4 };
  assert.ok(pointHits(box, P(1, -0.3))); // above the unrotated box, inside the diamond
  assert.ok(!pointHits(box, P(0.1, 0.1))); // corner of the unrotated box, outside the diamond
});

test("pointHits: ellipse inside, rotated, with tolerance", () => {
  const e = { type: "ellipse", vertices: ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: 0 }) };
  assert.ok(pointHits(e, P(15, 20)));
  assert.ok(!pointHits(e, P(10, 24)));
  assert.ok(pointHits(e, P(10, 24), 1.5));
  const turned = { type: "ellipse", vertices: ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: Math.PI / 2 }) };
  assert.ok(pointHits(turned, P(10, 25)));
  assert.ok(!pointHits(turned, P(15, 20)));
});

test("pointHits: polygon inside or near an edge; line near a segment; point within tolerance", () => {
  const L = { type: "polygon", vertices: [P(0, 0), P(10, 0), P(10, 4), P(4, 4), P(4, 10), P(0, 10)] };
  assert.ok(pointHits(L, P(2, 8)));
  assert.ok(!pointHits(L, P(8, 8)));
  assert.ok(pointHits(L, P(8, 5), 1));
  const line = { type: "line", vertices: [P(0, 0), P(10, 0), P(10, 10)] };
  assert.ok(!pointHits(line, P(5, 5), 1)); // lines have no inside
  assert.ok(pointHits(line, P(5, 0.8), 1));
  assert.ok(pointHits(line, P(10.9, 7), 1));
  assert.ok(!pointHits(line, P(5, 1.2), 1));
  const point = { type: "point", x: 3, y: 4 };
  assert.ok(pointHits(point, P(0, 0), 5));
  assert.ok(!pointHits(point, P(0, 0), 4.9));
});

test("pointHits: cuboid inside the hull of its vertices", () => {
  const c = { type: "cuboid", ...cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3)) };
  assert.ok(pointHits(c, P(5, 10))); // face
  assert.ok(pointHits(c, P(13, 12))); // side face
  assert.ok(!pointHits(c, P(14, 1))); // above the side-top edge
  assert.ok(!pointHits(c, P(-1, 10)));
  assert.ok(pointHits(c, P(-1, 10), 1));
});

test("convexHull drops inner points", () => {
  const hull = convexHull([P(0, 0), P(10, 0), P(5, 5), P(10, 10), P(0, 10), P(5, 1)]);
  assert.equal(hull.length, 4);
  assert.deepEqual(new Set(hull.map((p) => `${p.x},${p.y}`)), new Set(["0,0", "10,0", "10,10", "0,10"]));
});

// ---------------------------------------------------------------- handleAt

test("handleAt: box handles; rotate only on rotatable boxes", () => {
  const box = { type: "box", left: 0, top: 0, width: 10, height: 20 };
  assert.deepEqual(handleAt(box, P(10.5, 20.5), 1), { kind: "handle", handle: "se" });
  assert.deepEqual(handleAt(box, P(5, 0), 1), { kind: "handle", handle: "n" });
  assert.deepEqual(handleAt(box, P(0, 10), 1), { kind: "handle", handle: "w" });
  assert.equal(handleAt(box, P(5, 10), 1), null);
  assert.equal(handleAt(box, P(5, -3), 1), null); // where "rotate" would be
  const rotatable = { ...box, rotation: 0, vertices: boxCorners({ ...box, rotation: 0 }) };
  assert.deepEqual(handleAt(rotatable, P(5, -3), 1), { kind: "rotate" });
  assert.deepEqual(handleAt(rotatable, P(5, -8), 1, { rotateOffset: 8 }), { kind: "rotate" });
});

test("handleAt: handles of a rotated box follow the rotation", () => {
  // Rotated π/2 about (5,10): "e" sits at (5,15), "ne" (local (5,-10)) at (15,15), rotate above "n" at (15,10)+(3,0).
  const box = { type: "box", left: 0, top: 0, width: 10, height: 20, rotation: Math.PI / 2 };
  assert.deepEqual(handleAt(box, P(5, 15), 0.5), { kind: "handle", handle: "e" });
  assert.deepEqual(handleAt(box, P(15, 15), 0.5), { kind: "handle", handle: "ne" });
  assert.deepEqual(handleAt(box, P(18, 10), 0.5, { rotateOffset: 3 }), { kind: "rotate" });
});

test("handleAt: ellipse handles and rotate", () => {
  const e = { type: "ellipse", vertices: ellipseToVertices({ cx: 10, cy: 20, rx: 6, ry: 3, rotation: 0 }) };
  assert.deepEqual(handleAt(e, P(16, 23), 0.5), { kind: "handle", handle: "se" });
  assert.deepEqual(handleAt(e, P(10, 15), 0.5, { rotateOffset: 2 }), { kind: "rotate" });
  assert.equal(handleAt(e, P(10, 15), 0.5, { rotateOffset: 2, canRotate: false }), null);
});

test("handleAt: polygon and line vertices first, then edges for ghost insertion", () => {
  const polygon = { type: "polygon", vertices: [P(0, 0), P(10, 0), P(10, 10), P(0, 10)] };
  assert.deepEqual(handleAt(polygon, P(9.6, 0.3), 1), { kind: "vertex", index: 1 });
  assert.deepEqual(handleAt(polygon, P(5, 0.5), 1), { kind: "edge", index: 0, point: P(5, 0) });
  assert.deepEqual(handleAt(polygon, P(-0.5, 5), 1), { kind: "edge", index: 3, point: P(0, 5) });
  const line = { type: "line", vertices: polygon.vertices };
  assert.equal(handleAt(line, P(-0.5, 5), 1), null); // no closing edge on a line
  assert.equal(handleAt(polygon, P(5, 5), 1), null);
});

test("handleAt: cuboid vertices by description; points have none", () => {
  const c = { type: "cuboid", ...cuboidFromFaceAndDepth({ left: 0, top: 0, width: 10, height: 20 }, P(15, 3)) };
  assert.deepEqual(handleAt(c, P(15.2, 22.8), 1), { kind: "vertex", description: "side-bottomcorner" });
  assert.deepEqual(handleAt(c, P(0, 0), 1), { kind: "vertex", description: "face-topleft" });
  assert.equal(handleAt(c, P(5, 10), 1), null);
  assert.equal(handleAt({ type: "point", x: 1, y: 1 }, P(1, 1), 1), null);
});

// ---------------------------------------------------------------- SpatialIndex

const rect = (minX, minY, maxX, maxY) => ({ minX, minY, maxX, maxY });

test("SpatialIndex insert, query, update, remove", () => {
  const index = new SpatialIndex({ cellSize: 10 });
  index.insert("a", rect(0, 0, 5, 5));
  index.insert("b", rect(20, 20, 30, 30));
  index.insert("huge", rect(-1e5, -1e5, 1e5, 1e5)); // too many cells: kept apart
  assert.deepEqual(index.query(rect(4, 4, 6, 6)).sort(), ["a", "huge"]);
  assert.deepEqual(index.query(rect(5, 5, 19, 19)).sort(), ["a", "huge"]); // touching counts
  assert.deepEqual(index.queryPoint(P(19, 19), 1).sort(), ["b", "huge"]);
  index.update("a", rect(100, 100, 101, 101));
  assert.deepEqual(index.query(rect(0, 0, 6, 6)), ["huge"]);
  assert.deepEqual(index.queryPoint(P(100.5, 100.5)).sort(), ["a", "huge"]);
  assert.ok(index.remove("huge"));
  assert.ok(!index.remove("huge"));
  assert.equal(index.size, 2);
  assert.deepEqual(index.query(rect(-1e6, -1e6, 1e6, 1e6)).sort(), ["a", "b"]);
  assert.throws(() => index.insert("bad", rect(0, 0, NaN, 1)), /finite/);
  index.clear();
  assert.deepEqual(index.query(rect(-1e6, -1e6, 1e6, 1e6)), []);
});

test("SpatialIndex handles negative coordinates (padding)", () => {
  const index = new SpatialIndex({ cellSize: 16 });
  index.insert(1, rect(-40, -40, -30, -30));
  index.insert(2, rect(-5, -5, 5, 5));
  assert.deepEqual(index.queryPoint(P(-35, -35)), [1]);
  assert.deepEqual(index.queryPoint(P(0, 0)), [2]);
});

function randomShapes(rand) {
  const shapes = [];
  for (let i = 0; i < 10000; i++) {
    const w = 2 + rand() * 80, h = 2 + rand() * 80;
    shapes.push({ uuid: `b${i}`, type: "box", left: rand() * 8000, top: rand() * 6000, width: w, height: h });
  }
  for (let i = 0; i < 5000; i++) {
    const cx = rand() * 8000, cy = rand() * 6000, r = 5 + rand() * (i % 100 === 0 ? 3000 : 150);
    const n = 3 + Math.floor(rand() * 8);
    const vertices = Array.from({ length: n }, (_, k) => {
      const a = (2 * Math.PI * k) / n;
      return P(cx + r * Math.cos(a) * (0.5 + rand()), cy + r * Math.sin(a) * (0.5 + rand()));
    });
    shapes.push({ uuid: `p${i}`, type: "polygon", vertices });
  }
  return shapes;
}

test("SpatialIndex matches brute force on 10,000 boxes + 5,000 polygons", () => {
  const rand = random(42);
  const shapes = randomShapes(rand);
  const boxes = new Map(shapes.map((s) => [s.uuid, bounds(s)]));
  let indexTime = 0;
  const timed = (fn) => {
    const started = performance.now();
    const result = fn();
    indexTime += performance.now() - started;
    return result;
  };
  const index = new SpatialIndex();
  timed(() => boxes.forEach((b, id) => index.insert(id, b)));
  // Move a tenth of them and delete a few, as editing would.
  for (let i = 0; i < 1500; i++) {
    const id = `b${i * 6}`;
    const b = boxes.get(id);
    const moved = rect(b.minX + 50, b.minY - 30, b.maxX + 50, b.maxY - 30);
    boxes.set(id, moved);
    timed(() => index.update(id, moved));
  }
  for (let i = 0; i < 200; i++) {
    boxes.delete(`p${i * 7}`);
    timed(() => index.remove(`p${i * 7}`));
  }
  const all = [...boxes];
  const brute = (r) => all.filter(([, b]) => intersects(b, r)).map(([id]) => id).sort();
  for (let q = 0; q < 200; q++) {
    const w = q % 20 === 0 ? 9000 : rand() * 600; // some whole-image queries (zoomed out)
    const h = q % 20 === 0 ? 7000 : rand() * 600;
    const minX = rand() * 8400 - 200, minY = rand() * 6400 - 200;
    const r = rect(minX, minY, minX + w, minY + h);
    assert.deepEqual(timed(() => index.query(r)).sort(), brute(r), `query ${q}`);
  }
  for (let q = 0; q < 200; q++) {
    const p = P(rand() * 8000, rand() * 6000);
    const near = rect(p.x - 3, p.y - 3, p.x + 3, p.y + 3);
    assert.deepEqual(timed(() => index.queryPoint(p, 3)).sort(), brute(near), `point ${q}`);
  }
  assert.ok(indexTime < 1000, `the index took ${indexTime.toFixed(0)} ms`);
});

test("SpatialIndex point queries on 15,000 items are fast", () => {
  const rand = random(7);
  const index = new SpatialIndex();
  randomShapes(rand).forEach((s) => index.insert(s.uuid, bounds(s)));
  const started = performance.now();
  let found = 0;
  for (let q = 0; q < 10000; q++) found += index.queryPoint(P(rand() * 8000, rand() * 6000), 4).length;
  const perQuery = (performance.now() - started) / 10000;
  assert.ok(found > 0);
  assert.ok(perQuery < 0.2, `${perQuery.toFixed(3)} ms per point query`);
});
