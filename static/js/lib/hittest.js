// Hit tests on annotations (response shapes) and a spatial index for thousands of them.
// All distances are image pixels; pass a screen tolerance divided by the zoom.

import {
  boxHandlePoints,
  cuboidVertexMap,
  CUBOID_VERTEX_NAMES,
  distance,
  ellipseFromVertices,
  ellipseToBox,
  nearestEdge,
  pointInPolygon,
  rotateHandlePoint,
  toBoxFrame,
} from "./geometry.js";

/** @typedef {import("./geometry.js").Point} Point */
/** @typedef {import("./geometry.js").Rect} Rect */
/** @typedef {import("./geometry.js").Annotation} Annotation */
/**
 * What handleAt found: a box/ellipse resize handle, the rotation handle, a vertex (by index
 * for polygons and lines, by description for cuboids) or an edge (`index` as in nearestEdge,
 * `point` the nearest point on it, where a vertex would be inserted).
 * @typedef {{kind: "handle", handle: string} | {kind: "rotate"}
 *   | {kind: "vertex", index: number} | {kind: "vertex", description: string}
 *   | {kind: "edge", index: number, point: Point}} Hit
 */

// ---------------------------------------------------------------- shapes

/**
 * Convex hull (monotone chain), clockwise on screen, without repeated points.
 * @param {Point[]} points @returns {Point[]}
 */
export function convexHull(points) {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length < 3) return sorted;
  const cross = (o, a, b) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const half = (list) => {
    const out = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half(sorted.reverse())];
}

/** Inside a polygon or within `tolerance` of its outline. */
function hitsRing(point, vertices, tolerance) {
  if (vertices.length > 2 && pointInPolygon(point, vertices)) return true;
  return nearDistance(vertices, point, true) <= tolerance;
}

/** Distance from a point to a ring or polyline (to the vertex when there is only one). */
function nearDistance(vertices, point, closed) {
  if (vertices.length === 1) return distance(point, vertices[0]);
  const edge = nearestEdge(vertices, point, closed);
  return edge ? edge.distance : Infinity;
}

function hitsBox(box, point, tolerance) {
  const u = toBoxFrame(box, point);
  return Math.abs(u.x) <= box.width / 2 + tolerance && Math.abs(u.y) <= box.height / 2 + tolerance;
}

function hitsEllipse(vertices, point, tolerance) {
  const e = ellipseFromVertices(vertices);
  const u = toBoxFrame(ellipseToBox(e), point);
  const rx = e.rx + tolerance;
  const ry = e.ry + tolerance;
  if (rx <= 0 || ry <= 0) return u.x === 0 && u.y === 0;
  return (u.x / rx) ** 2 + (u.y / ry) ** 2 <= 1;
}

/**
 * Is `point` on the annotation? Box (rotated too) and ellipse: inside, grown by `tolerance`;
 * polygon: inside or near an edge; line: near a segment; point: within tolerance;
 * cuboid: inside or near the convex hull of its vertices.
 * @param {Annotation} annotation @param {Point} point @param {number} [tolerance]
 * @returns {boolean}
 */
export function pointHits(annotation, point, tolerance = 0) {
  const a = /** @type {any} */ (annotation);
  switch (a.type) {
    case "box":
      return hitsBox(a, point, tolerance);
    case "ellipse":
      return hitsEllipse(a.vertices, point, tolerance);
    case "polygon":
      return hitsRing(point, a.vertices, tolerance);
    case "line":
      return nearDistance(a.vertices, point, false) <= tolerance;
    case "point":
      return distance(a, point) <= tolerance;
    case "cuboid":
      return hitsRing(point, convexHull(a.vertices), tolerance);
    default:
      throw new Error(`unknown annotation type ${a.type}`);
  }
}

// ---------------------------------------------------------------- handles

/**
 * The candidate nearest `point` within `tolerance`, or null.
 * @param {Array<[Point, Hit]>} candidates @param {Point} point @param {number} tolerance
 * @returns {Hit | null}
 */
function nearest(candidates, point, tolerance) {
  /** @type {Hit | null} */
  let best = null;
  let bestDistance = tolerance;
  for (const [position, hit] of candidates) {
    const d = distance(position, point);
    if (d <= bestDistance) {
      best = hit;
      bestDistance = d;
    }
  }
  return best;
}

/** @returns {Array<[Point, Hit]>} */
function boxCandidates(box, canRotate, rotateOffset) {
  const handles = boxHandlePoints(box);
  /** @type {Array<[Point, Hit]>} */
  const list = Object.entries(handles).map(([name, p]) => [p, { kind: "handle", handle: name }]);
  if (canRotate) list.push([rotateHandlePoint(box, rotateOffset), { kind: "rotate" }]);
  return list;
}

/** @param {Point[]} vertices @returns {Hit | null} */
function vertexHit(vertices, point, tolerance, closed) {
  /** @type {Array<[Point, Hit]>} */
  const list = vertices.map((p, index) => [p, { kind: "vertex", index }]);
  const hit = nearest(list, point, tolerance);
  if (hit) return hit;
  const edge = nearestEdge(vertices, point, closed);
  if (!edge || edge.distance > tolerance) return null;
  return { kind: "edge", index: edge.index, point: edge.point };
}

/** @returns {Hit | null} */
function cuboidHit(vertices, point, tolerance) {
  const m = cuboidVertexMap(vertices);
  /** @type {Array<[Point, Hit]>} */
  const list = CUBOID_VERTEX_NAMES.map((name) => [m[name], { kind: "vertex", description: name }]);
  return nearest(list, point, tolerance);
}

/**
 * Which handle of the annotation is under `point` (the nearest within `tolerance`), or null.
 * Box: 8 handles, plus "rotate" when `canRotate` (default: the box has a `rotation` key);
 * ellipse: the 8 handles of its own box plus "rotate"; polygon / line: a vertex, else an
 * edge; cuboid: a vertex by description; point: null (drag the shape to move it).
 * `rotateOffset`: the rotation handle's distance above the top edge (default 3 × tolerance).
 * @param {Annotation} annotation @param {Point} point @param {number} tolerance
 * @param {{canRotate?: boolean, rotateOffset?: number}} [options] @returns {Hit | null}
 */
export function handleAt(annotation, point, tolerance, options = {}) {
  const a = /** @type {any} */ (annotation);
  const rotateOffset = options.rotateOffset ?? 3 * tolerance;
  switch (a.type) {
    case "box": {
      const canRotate = options.canRotate ?? "rotation" in a;
      return nearest(boxCandidates(a, canRotate, rotateOffset), point, tolerance);
    }
    case "ellipse": {
      const box = ellipseToBox(ellipseFromVertices(a.vertices));
      const canRotate = options.canRotate ?? true;
      return nearest(boxCandidates(box, canRotate, rotateOffset), point, tolerance);
    }
    case "polygon":
      return vertexHit(a.vertices, point, tolerance, true);
    case "line":
      return vertexHit(a.vertices, point, tolerance, false);
    case "cuboid":
      return cuboidHit(a.vertices, point, tolerance);
    case "point":
      return null;
    default:
      throw new Error(`unknown annotation type ${a.type}`);
  }
}

// ---------------------------------------------------------------- spatial index

/** Do two closed rectangles overlap (touching counts)? */
export function intersects(a, b) {
  return a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;
}

const CELL_RANGE = 2 ** 20; // cell indices are clamped to [-2^20, 2^20)

function cellIndex(value, cellSize) {
  const i = Math.floor(value / cellSize);
  return Math.max(-CELL_RANGE, Math.min(CELL_RANGE - 1, i));
}

function cellKey(ix, iy) {
  return (ix + CELL_RANGE) * 2 * CELL_RANGE + (iy + CELL_RANGE);
}

function checkRect(rect) {
  const values = [rect.minX, rect.minY, rect.maxX, rect.maxY];
  if (!values.every(Number.isFinite) || rect.minX > rect.maxX || rect.minY > rect.maxY) {
    throw new Error("bounds must be finite with min <= max");
  }
}

/**
 * A uniform bucket grid over annotation bounds. Items covering more than `maxCells` cells
 * are kept in a small list checked one by one; a query expected to meet more entries than
 * there are items scans the items instead. Results come in no particular order.
 */
export class SpatialIndex {
  /** @param {{cellSize?: number, maxCells?: number}} [options] */
  constructor({ cellSize = 128, maxCells = 64 } = {}) {
    this.cellSize = cellSize;
    this.maxCells = maxCells;
    this.clear();
  }

  /** Number of items. */
  get size() {
    return this.items.size;
  }

  /** @param {any} id @returns {boolean} */
  has(id) {
    return this.items.has(id);
  }

  /** Remove everything. */
  clear() {
    /** @type {Map<any, {id: any, rect: Rect, keys: number[] | null, mark: number}>} */
    this.items = new Map();
    /** @type {Map<number, Array<{id: any, rect: Rect, mark: number}>>} */
    this.cells = new Map();
    /** @type {Set<{id: any, rect: Rect, mark: number}>} */
    this.large = new Set();
    /** @type {number} */
    this.entries = 0; // bucket entries in all cells
    /** @type {number} */
    this.stamp = 0;
  }

  /**
   * Add an item with its bounds (replaces the item when the id is already there).
   * @param {any} id @param {Rect} rect
   */
  insert(id, rect) {
    checkRect(rect);
    if (this.items.has(id)) this.remove(id);
    const copy = { minX: rect.minX, minY: rect.minY, maxX: rect.maxX, maxY: rect.maxY };
    const keys = this.cellKeys(copy, this.maxCells);
    const record = { id, rect: copy, keys, mark: 0 };
    this.items.set(id, record);
    if (!keys) {
      this.large.add(record);
      return;
    }
    for (const key of keys) {
      const bucket = this.cells.get(key);
      if (bucket) bucket.push(record);
      else this.cells.set(key, [record]);
    }
    this.entries += keys.length;
  }

  /**
   * Remove an item; false when it was not there.
   * @param {any} id @returns {boolean}
   */
  remove(id) {
    const record = this.items.get(id);
    if (!record) return false;
    this.items.delete(id);
    if (!record.keys) return this.large.delete(record);
    for (const key of record.keys) {
      const bucket = /** @type {any[]} */ (this.cells.get(key));
      const last = bucket.pop();
      if (last !== record) bucket[bucket.indexOf(record)] = last;
      if (!bucket.length) this.cells.delete(key);
    }
    this.entries -= record.keys.length;
    return true;
  }

  /**
   * New bounds for an item (inserts it when missing).
   * @param {any} id @param {Rect} rect
   */
  update(id, rect) {
    this.insert(id, rect);
  }

  /**
   * Ids whose bounds intersect `rect` (touching counts).
   * @param {Rect} rect @returns {any[]}
   */
  query(rect) {
    const perCell = this.entries / Math.max(1, this.cells.size);
    const keys = this.cellKeys(rect, this.items.size / Math.max(1, perCell));
    if (!keys) return this.scan(rect);
    const stamp = ++this.stamp;
    const result = [];
    const consider = (record) => {
      if (record.mark === stamp) return;
      record.mark = stamp;
      if (intersects(record.rect, rect)) result.push(record.id);
    };
    for (const key of keys) this.cells.get(key)?.forEach(consider);
    this.large.forEach(consider);
    return result;
  }

  /**
   * Ids whose bounds come within `tolerance` of `point`.
   * @param {Point} point @param {number} [tolerance] @returns {any[]}
   */
  queryPoint(point, tolerance = 0) {
    return this.query({
      minX: point.x - tolerance, minY: point.y - tolerance,
      maxX: point.x + tolerance, maxY: point.y + tolerance,
    });
  }

  /** Every item checked one by one. */
  scan(rect) {
    const result = [];
    for (const record of this.items.values()) if (intersects(record.rect, rect)) result.push(record.id);
    return result;
  }

  /** Keys of the cells a rectangle covers, or null when there are more than `limit`. */
  cellKeys(rect, limit) {
    const x0 = cellIndex(rect.minX, this.cellSize), x1 = cellIndex(rect.maxX, this.cellSize);
    const y0 = cellIndex(rect.minY, this.cellSize), y1 = cellIndex(rect.maxY, this.cellSize);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > limit) return null;
    const keys = [];
    for (let ix = x0; ix <= x1; ix++) for (let iy = y0; iy <= y1; iy++) keys.push(cellKey(ix, iy));
    return keys;
  }
}
