// Vertex snapping and border tracing (docs/workbench.md, "Aids"). Pure geometry, in image
// pixels; DOM-free.
//
// Snapping: a point drawn or dragged within `radius` of a vertex of another shape (a polygon
// or line vertex, a box corner) moves onto that vertex. Tracing: a new polygon whose two
// consecutive clicks snapped to vertices i and j of the same existing polygon follows that
// polygon's border between them (the shorter way round), so two regions share a border
// exactly.

import { boxCorners } from "./geometry.js";

/**
 * The vertices an annotation offers for snapping: polygon and line vertices, box corners.
 * @param {any} a @returns {{x: number, y: number}[]}
 */
export function snapVertices(a) {
  if (!a) return [];
  if ((a.type === "polygon" || a.type === "line") && Array.isArray(a.vertices)) return a.vertices;
  if (a.type === "box") {
    if (a.rotation) return boxCorners(a);
    const { left, top, width, height } = a;
    if (![left, top, width, height].every(Number.isFinite)) return [];
    return [{ x: left, y: top }, { x: left + width, y: top }, { x: left + width, y: top + height }, { x: left, y: top + height }];
  }
  if (a.type === "point" && Number.isFinite(a.x) && Number.isFinite(a.y)) return [{ x: a.x, y: a.y }];
  return [];
}

/**
 * The nearest vertex of `annotations` within `radius` of `point`, skipping the annotation
 * whose uuid is `exclude`: {x, y, uuid, index, distance}, or null.
 * @param {{x: number, y: number}} point @param {Iterable<any>} annotations
 * @param {number} radius @param {string | null} [exclude]
 */
export function nearestVertex(point, annotations, radius, exclude = null) {
  /** @type {{x: number, y: number, uuid: any, index: number, distance: number} | null} */
  let best = null;
  for (const a of annotations) {
    if (!a || a.uuid === exclude) continue;
    const vertices = snapVertices(a);
    for (let index = 0; index < vertices.length; index++) {
      const v = vertices[index];
      const distance = Math.hypot(v.x - point.x, v.y - point.y);
      if (distance <= radius && (best === null || distance < best.distance)) {
        best = { x: v.x, y: v.y, uuid: a.uuid, index, distance };
      }
    }
  }
  return best;
}

/**
 * The vertices of the closed ring strictly between index `i` and index `j`, going the
 * shorter way round (fewer vertices; forward on a tie), in travel order from i to j.
 * @param {{x: number, y: number}[]} ring @param {number} i @param {number} j
 */
export function borderBetween(ring, i, j) {
  const n = ring.length;
  if (n < 3 || i === j || i < 0 || j < 0 || i >= n || j >= n) return [];
  const forward = [];
  for (let k = (i + 1) % n; k !== j; k = (k + 1) % n) forward.push({ ...ring[k] });
  const backward = [];
  for (let k = (i - 1 + n) % n; k !== j; k = (k - 1 + n) % n) backward.push({ ...ring[k] });
  return backward.length < forward.length ? backward : forward;
}
