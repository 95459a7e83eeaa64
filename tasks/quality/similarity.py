"""How alike two annotations of one geometry type are, as a number in [0, 1].

`similarity_matrix(type, a, b, options)` compares every annotation of list `a` with every one
of list `b` (all of that type, in the response format of docs/api-decisions.md) and returns an
array of shape (len(a), len(b)). Labels play no part here: matching weighs them separately
(docs/quality.md#matching).

* box: intersection over union. Unrotated boxes are compared all at once with numpy; when
  either list holds a rotated box, every box of both is compared as its 4-corner polygon.
* polygon: IoU of the polygons (shapely; a self-crossing polygon is repaired by
  `make_valid` first).
* ellipse: IoU of 64-vertex polygons through its 4 extremes (the ellipse is the image of a
  circle under the affine map the extremes define, so any 4 extremes give a proper ellipse).
* cuboid: IoU of the convex hulls of its 6 image vertices, i.e. the whole drawn outline, face
  and side. The front face alone would call two cuboids with opposite depths equal.
* point: max(0, 1 - d / D), d the distance between the points, D `options.distance_px`.
* line: max(0, 1 - m / D), m the mean distance between the two lines resampled at
  LINE_SAMPLES points evenly spaced along their length, taken in the direction that gives the
  smaller m (a line drawn end to start is the same line).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import shapely

from tasks.rules.geometry import box_corners

from .options import QualityOptions

ELLIPSE_VERTICES = 64
LINE_SAMPLES = 32

Matrix = np.ndarray
Annotations = Sequence[dict]


def similarity_matrix(kind: str, a: Annotations, b: Annotations,
                      options: QualityOptions) -> Matrix:
    """Similarities of every annotation in `a` to every one in `b`, all of geometry `kind`."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    return SIMILARITIES[kind](a, b, options)


def similarity(x: dict, y: dict, options: QualityOptions) -> float:
    """Similarity of two annotations; 0 when their types differ."""
    if x["type"] != y["type"]:
        return 0.0
    return float(similarity_matrix(x["type"], [x], [y], options)[0, 0])


# ---------------------------------------------------------------- boxes


def _is_rotated(box: dict) -> bool:
    return bool(box.get("rotation"))


def box_edges(boxes: Annotations) -> Matrix:
    """Unrotated boxes as an (n, 4) array of x0, y0, x1, y1."""
    values = np.array([[b["left"], b["top"], b["width"], b["height"]] for b in boxes],
                      dtype=float).reshape(-1, 4)
    values[:, 2:] += values[:, :2]
    return values


def box_iou(a: Matrix, b: Matrix) -> Matrix:
    """IoU of every box of `a` with every box of `b`, both (n, 4) arrays of x0, y0, x1, y1."""
    width = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    height = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(width, 0, None) * np.clip(height, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _boxes(a: Annotations, b: Annotations, options: QualityOptions) -> Matrix:
    if any(map(_is_rotated, a)) or any(map(_is_rotated, b)):
        return area_iou(shapes(a, box_shape), shapes(b, box_shape))
    return box_iou(box_edges(a), box_edges(b))


def box_shape(box: dict) -> shapely.Geometry:
    corners = box_corners(box["left"], box["top"], box["width"], box["height"],
                          box.get("rotation") or 0.0)
    return shapely.Polygon([(c["x"], c["y"]) for c in corners])


# ---------------------------------------------------------------- areas


def area_iou(a: np.ndarray, b: np.ndarray) -> Matrix:
    """IoU of every shapely geometry in `a` with every one in `b`; only pairs whose bounding
    boxes meet (an STR tree finds them) are intersected."""
    result = np.zeros((len(a), len(b)))
    ia, ib = shapely.STRtree(b).query(a, predicate="intersects")
    if ia.size:
        inter = shapely.area(shapely.intersection(a[ia], b[ib]))
        union = shapely.area(a)[ia] + shapely.area(b)[ib] - inter
        result[ia, ib] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return result


def shapes(items: Annotations, make: Callable[[dict], shapely.Geometry]) -> np.ndarray:
    return np.array([_valid(make(item)) for item in items], dtype=object)


def _valid(shape: shapely.Geometry) -> shapely.Geometry:
    return shape if shape.is_valid else shapely.make_valid(shape)


def _xy(vertices: Sequence[dict]) -> list[tuple[float, float]]:
    return [(v["x"], v["y"]) for v in vertices]


def polygon_shape(item: dict) -> shapely.Geometry:
    return shapely.Polygon(_xy(item["vertices"]))


def ellipse_shape(item: dict) -> shapely.Geometry:
    """The ellipse through its 4 extremes (+u end, +v end, -u end, -v end), as a polygon."""
    p0, p1, p2, p3 = (np.array(xy, dtype=float) for xy in _xy(item["vertices"]))
    centre = (p0 + p1 + p2 + p3) / 4
    u, v = (p0 - p2) / 2, (p1 - p3) / 2
    t = np.linspace(0, 2 * math.pi, ELLIPSE_VERTICES, endpoint=False)[:, None]
    return shapely.Polygon(centre + np.cos(t) * u + np.sin(t) * v)


def cuboid_shape(item: dict) -> shapely.Geometry:
    return shapely.MultiPoint(_xy(item["vertices"])).convex_hull


def _areas(make: Callable[[dict], shapely.Geometry]):
    def compare(a: Annotations, b: Annotations, options: QualityOptions) -> Matrix:
        return area_iou(shapes(a, make), shapes(b, make))

    return compare


# ---------------------------------------------------------------- distances


def _closeness(distance: Matrix, options: QualityOptions) -> Matrix:
    return np.clip(1 - distance / options.distance_px, 0, 1)


def _points(a: Annotations, b: Annotations, options: QualityOptions) -> Matrix:
    pa = np.array([[p["x"], p["y"]] for p in a], dtype=float)
    pb = np.array([[p["x"], p["y"]] for p in b], dtype=float)
    return _closeness(np.linalg.norm(pa[:, None, :] - pb[None, :, :], axis=2), options)


def resample(vertices: Sequence[dict], count: int = LINE_SAMPLES) -> Matrix:
    """`count` points evenly spaced along a polyline, both ends included: (count, 2)."""
    xy = np.array(_xy(vertices), dtype=float)
    steps = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        return np.repeat(xy[:1], count, axis=0)
    at = np.linspace(0, along[-1], count)
    return np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])


def _lines(a: Annotations, b: Annotations, options: QualityOptions) -> Matrix:
    la = np.stack([resample(item["vertices"]) for item in a])
    lb = np.stack([resample(item["vertices"]) for item in b])
    reversed_b = lb[:, ::-1, :]
    distance = np.empty((len(a), len(b)))
    for row, line in enumerate(la):  # a row at a time: all pairs at once would be n*m*32*2
        forward = np.linalg.norm(lb - line, axis=2).mean(axis=1)
        backward = np.linalg.norm(reversed_b - line, axis=2).mean(axis=1)
        distance[row] = np.minimum(forward, backward)
    return _closeness(distance, options)


SIMILARITIES: dict[str, Callable[[Annotations, Annotations, QualityOptions], Matrix]] = {
    "box": _boxes,
    "polygon": _areas(polygon_shape),
    "ellipse": _areas(ellipse_shape),
    "cuboid": _areas(cuboid_shape),
    "point": _points,
    "line": _lines,
}
