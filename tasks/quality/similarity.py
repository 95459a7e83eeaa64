"""How alike two annotations of one geometry type are, as a number in [0, 1].

`similarities(type, a, b, options)` compares every annotation of list `a` with every one of
list `b` (all of that type, in the response format of docs/api-decisions.md) and returns the
pairs that are alike at all, as a sparse `Similarities` (rows, columns, values > 0): a spatial
index (shapely's STR tree) finds the pairs whose shapes meet, or lie within the distance
scale, and only those are compared, so 1,000 boxes against 1,000 cost a few thousand
comparisons rather than a million. Labels play no part here: matching weighs them separately
(docs/quality.md#matching).

* box: intersection over union, computed with numpy for unrotated boxes; when either list
  holds a rotated box, every box of both is compared as its 4-corner polygon.
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
from dataclasses import dataclass

import numpy as np
import shapely

from tasks.rules.geometry import box_corners

from .options import QualityOptions

ELLIPSE_VERTICES = 64
LINE_SAMPLES = 32

Annotations = Sequence[dict]


@dataclass(frozen=True)
class Similarities:
    """The similar pairs of two lists: a[rows[n]] and b[cols[n]] are values[n] alike (> 0);
    every pair not listed is 0."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray,
           shape: tuple[int, int]) -> Similarities:
        keep = values > 0
        return cls(rows[keep].astype(int), cols[keep].astype(int), values[keep].astype(float),
                   shape)

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> Similarities:
        nothing = np.zeros(0, dtype=int)
        return cls(nothing, nothing, np.zeros(0), shape)

    def dense(self) -> np.ndarray:
        result = np.zeros(self.shape)
        result[self.rows, self.cols] = self.values
        return result

    def lookup(self) -> dict[tuple[int, int], float]:
        return dict(zip(zip(self.rows.tolist(), self.cols.tolist(), strict=True),
                        self.values.tolist(), strict=True))


def similarities(kind: str, a: Annotations, b: Annotations,
                 options: QualityOptions) -> Similarities:
    """The similar pairs of `a` and `b`, all annotations of geometry `kind`."""
    if not a or not b:
        return Similarities.empty((len(a), len(b)))
    return SIMILARITIES[kind](a, b, options)


def similarity(x: dict, y: dict, options: QualityOptions) -> float:
    """Similarity of two annotations; 0 when their types differ."""
    if x["type"] != y["type"]:
        return 0.0
    return float(similarities(x["type"], [x], [y], options).dense()[0, 0])


# ---------------------------------------------------------------- boxes


def _is_rotated(box: dict) -> bool:
    return bool(box.get("rotation"))


def box_edges(boxes: Annotations) -> np.ndarray:
    """Unrotated boxes as an (n, 4) array of x0, y0, x1, y1."""
    values = np.array([[b["left"], b["top"], b["width"], b["height"]] for b in boxes],
                      dtype=float).reshape(-1, 4)
    values[:, 2:] += values[:, :2]
    return values


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes a[n] and b[n] (both (n, 4) arrays of x0, y0, x1, y1), pair by pair."""
    width = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    height = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    inter = np.clip(width, 0, None) * np.clip(height, 0, None)
    union = ((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
             + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter)
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _boxes(a: Annotations, b: Annotations, options: QualityOptions) -> Similarities:
    if any(map(_is_rotated, a)) or any(map(_is_rotated, b)):
        return area_iou(shapes(a, box_shape), shapes(b, box_shape))
    ea, eb = box_edges(a), box_edges(b)
    ia, ib = shapely.STRtree(shapely.box(*eb.T)).query(shapely.box(*ea.T),
                                                       predicate="intersects")
    return Similarities.of(ia, ib, box_iou(ea[ia], eb[ib]), (len(a), len(b)))


def box_shape(box: dict) -> shapely.Geometry:
    corners = box_corners(box["left"], box["top"], box["width"], box["height"],
                          box.get("rotation") or 0.0)
    return shapely.Polygon([(c["x"], c["y"]) for c in corners])


# ---------------------------------------------------------------- areas


GRID_SIZE = 1e-6  # px


def area_iou(a: np.ndarray, b: np.ndarray) -> Similarities:
    """IoU of the shapely geometries of `a` with those of `b` that they meet."""
    ia, ib = shapely.STRtree(b).query(a, predicate="intersects")
    # Snap rounding (grid_size): GEOS's plain overlay can return a wrong, order-dependent
    # intersection for valid multipolygons whose parts touch at a computed vertex (as a
    # repaired self-crossing outline's do); on a 1e-6 px grid it is exact and symmetric.
    inter = (shapely.area(shapely.intersection(a[ia], b[ib], grid_size=GRID_SIZE))
             if ia.size else np.zeros(0))
    union = shapely.area(a)[ia] + shapely.area(b)[ib] - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    iou = np.clip(iou, 0.0, 1.0)  # the grid can move an area by a few 1e-6
    return Similarities.of(ia, ib, iou, (len(a), len(b)))


def shapes(items: Annotations, make: Callable[[dict], shapely.Geometry]) -> np.ndarray:
    return np.array([_valid(make(item)) for item in items], dtype=object)


def _valid(shape: shapely.Geometry) -> shapely.Geometry:
    """A self-crossing outline as the area it encloses: make_valid can leave lines and
    overlapping pieces beside the polygons, on which intersection is not symmetric; only the
    polygonal parts, dissolved into one valid geometry, are kept."""
    if shape.is_valid:
        return shape
    parts = shapely.get_parts(shapely.make_valid(shape))
    polygons = [part for part in parts if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.unary_union(polygons) if polygons else shapely.Polygon()


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
    def compare(a: Annotations, b: Annotations, options: QualityOptions) -> Similarities:
        return area_iou(shapes(a, make), shapes(b, make))

    return compare


# ---------------------------------------------------------------- distances


def _near(a: np.ndarray, b: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs of the geometries of `a` and `b` at most `distance` apart."""
    return shapely.STRtree(b).query(a, predicate="dwithin", distance=distance)


def _closeness(distance: np.ndarray, options: QualityOptions) -> np.ndarray:
    return np.clip(1 - distance / options.distance_px, 0, 1)


def _points(a: Annotations, b: Annotations, options: QualityOptions) -> Similarities:
    pa = np.array([[p["x"], p["y"]] for p in a], dtype=float)
    pb = np.array([[p["x"], p["y"]] for p in b], dtype=float)
    ia, ib = _near(shapely.points(pa), shapely.points(pb), options.distance_px)
    distance = np.linalg.norm(pa[ia] - pb[ib], axis=1)
    return Similarities.of(ia, ib, _closeness(distance, options), (len(a), len(b)))


def resample(vertices: Sequence[dict], count: int = LINE_SAMPLES) -> np.ndarray:
    """`count` points evenly spaced along a polyline, both ends included: (count, 2)."""
    xy = np.array(_xy(vertices), dtype=float)
    steps = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] == 0:
        return np.repeat(xy[:1], count, axis=0)
    at = np.linspace(0, along[-1], count)
    return np.column_stack([np.interp(at, along, xy[:, 0]), np.interp(at, along, xy[:, 1])])


def _lines(a: Annotations, b: Annotations, options: QualityOptions) -> Similarities:
    # The mean distance of two lines' samples is at least the distance between their nearest
    # samples: only the pairs whose samples come within the scale are compared.
    la = np.stack([resample(item["vertices"]) for item in a])
    lb = np.stack([resample(item["vertices"]) for item in b])
    ia, ib = _near(shapely.multipoints(la), shapely.multipoints(lb), options.distance_px)
    forward = np.linalg.norm(la[ia] - lb[ib], axis=2).mean(axis=1)
    backward = np.linalg.norm(la[ia] - lb[ib][:, ::-1], axis=2).mean(axis=1)
    distance = np.minimum(forward, backward)
    return Similarities.of(ia, ib, _closeness(distance, options), (len(a), len(b)))


SIMILARITIES: dict[str, Callable[[Annotations, Annotations, QualityOptions], Similarities]] = {
    "box": _boxes,
    "polygon": _areas(polygon_shape),
    "ellipse": _areas(ellipse_shape),
    "cuboid": _areas(cuboid_shape),
    "point": _points,
    "line": _lines,
}
