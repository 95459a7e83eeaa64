"""A provider's answer as the response's shape: the geometry asked for, within the image and
the vertex cap, coordinates to 2 decimals as the page keeps them (docs/assist.md)."""

from __future__ import annotations

from typing import Any

from tasks.assist.providers import Answer, Point
from tasks.rules.annotations import vertex_limits


def vertex_cap(asked: int | None, geometries: Any) -> int:
    """The most vertices the polygon may have: the request's cap within the task's
    geometries.polygon options (max_vertices) and the house limit."""
    options = geometries.get("polygon") if isinstance(geometries, dict) else None
    _, maximum = vertex_limits("polygon", options if isinstance(options, dict) else {})
    return maximum if asked is None else min(asked, maximum)


def response_shape(answer: Answer, geometry: str, size: tuple[int, int],
                   max_vertices: int) -> dict[str, Any]:
    """{"type": "polygon", "vertices": [...]} or {"type": "box", left, top, width, height}."""
    width, height = size
    if answer.vertices is not None:
        points = [_clip(p, width, height) for p in answer.vertices]
    else:
        assert answer.box is not None
        left, top, w, h = answer.box
        points = [_clip(p, width, height)
                  for p in ((left, top), (left + w, top), (left + w, top + h), (left, top + h))]
    if geometry == "box":
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return {"type": "box", "left": _r(min(xs)), "top": _r(min(ys)),
                "width": _r(max(xs) - min(xs)), "height": _r(max(ys) - min(ys))}
    if len(points) > max_vertices:
        from tasks.assist import cv  # cv2 only when an assist runs

        points = cv.simplify(points, max_vertices)
    return {"type": "polygon", "vertices": [{"x": _r(x), "y": _r(y)} for x, y in points]}


def _clip(p: Point, width: int, height: int) -> Point:
    return min(max(float(p[0]), 0.0), float(width)), min(max(float(p[1]), 0.0), float(height))


def _r(value: float) -> float:
    return round(value, 2)
