"""Outlines, bounds and areas of Scale annotations, for formats that only know polygons and
boxes. Image coordinates: x right, y down, pixels from the top-left corner."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tasks.rules.geometry import box_corners

Pt = tuple[float, float]
ELLIPSE_SAMPLES = 32


def points(vertices: Sequence[dict]) -> list[Pt]:
    return [(float(v["x"]), float(v["y"])) for v in vertices]


def flat(pts: Sequence[Pt]) -> list[float]:
    return [c for pt in pts for c in pt]


def is_rotated(box: dict) -> bool:
    return bool(box.get("rotation"))


def box_outline(box: dict) -> list[Pt]:
    """The 4 corners of a box (of the rotated box when it has a rotation)."""
    if not is_rotated(box):
        left, top = float(box["left"]), float(box["top"])
        right, bottom = left + float(box["width"]), top + float(box["height"])
        return [(left, top), (right, top), (right, bottom), (left, bottom)]
    if len(box.get("vertices") or ()) == 4:
        return points(box["vertices"])
    corners = box_corners(float(box["left"]), float(box["top"]), float(box["width"]),
                          float(box["height"]), float(box.get("rotation") or 0.0))
    return points(corners)


def line_outline(vertices: Sequence[dict]) -> list[Pt]:
    """A polyline as a closed path with no area: along the line, then back along it.

    [a, b, c] -> [a, b, c, b, a]; a 2-vertex line gives [a, b, a], so that COCO readers (which
    take a 4-number polygon for a box) see at least 3 points."""
    pts = points(vertices)
    return pts + pts[-2::-1]


def ellipse_outline(vertices: Sequence[dict], samples: int = ELLIPSE_SAMPLES) -> list[Pt]:
    """`samples` points round an ellipse given by its 4 extreme vertices (the ends of its axes),
    starting at the first vertex and going towards the second."""
    pts = points(vertices)
    cx = sum(x for x, _ in pts) / len(pts)
    cy = sum(y for _, y in pts) / len(pts)
    ax, ay = pts[0][0] - cx, pts[0][1] - cy
    bx, by = _conjugate(pts[1:], (cx, cy), (ax, ay))
    result = []
    for k in range(samples):
        t = 2 * math.pi * k / samples
        c, s = math.cos(t), math.sin(t)
        result.append((cx + ax * c + bx * s, cy + ay * c + by * s))
    return result


def _conjugate(candidates: Sequence[Pt], centre: Pt, axis: Pt) -> Pt:
    """The other semi-axis: the candidate most nearly perpendicular to `axis`."""
    def skew(pt: Pt) -> float:
        vx, vy = pt[0] - centre[0], pt[1] - centre[1]
        norm = math.hypot(vx, vy) * math.hypot(*axis)
        return abs(vx * axis[0] + vy * axis[1]) / norm if norm else math.inf

    best = min(candidates, key=skew)
    return best[0] - centre[0], best[1] - centre[1]


def convex_hull(pts: Sequence[Pt]) -> list[Pt]:
    """The convex hull, counter-clockwise in math orientation (Andrew's monotone chain)."""
    unique = sorted(set(pts))
    if len(unique) <= 2:
        return unique

    def cross(o: Pt, a: Pt, b: Pt) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(seq: Sequence[Pt]) -> list[Pt]:
        chain: list[Pt] = []
        for pt in seq:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], pt) <= 0:
                chain.pop()
            chain.append(pt)
        return chain

    lower, upper = half(unique), half(unique[::-1])
    return lower[:-1] + upper[:-1]


def cuboid_outline(cuboid: dict) -> list[Pt]:
    return convex_hull(points(cuboid["vertices"]))


def shoelace(pts: Sequence[Pt]) -> float:
    """The area enclosed by a closed path (absolute value)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(pts, [*pts[1:], pts[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def bounds(pts: Sequence[Pt]) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max)."""
    xs = [x for x, _ in pts]
    ys = [y for _, y in pts]
    return min(xs), min(ys), max(xs), max(ys)


OUTLINES = {
    "box": box_outline,
    "polygon": lambda ann: points(ann["vertices"]),
    "line": lambda ann: line_outline(ann["vertices"]),
    "ellipse": lambda ann: ellipse_outline(ann["vertices"]),
    "cuboid": cuboid_outline,
}


def outline(ann: dict) -> list[Pt] | None:
    """The closed path standing for an annotation; None for a point, an unknown type or a
    geometry too broken to draw (responses are validated, so only an odd old row)."""
    make = OUTLINES.get(ann.get("type", ""))
    try:
        found = make(ann) if make else None
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return found if found and len(found) >= 3 else None
