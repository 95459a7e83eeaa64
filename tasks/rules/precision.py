"""The precision of the coordinates a submit stores: image pixels to two decimals
(docs/task-format.md "Coordinates"), so that a response never carries rounding noise such as
1199.999998873877. Only pixel coordinates are rounded: `left`, `top`, `width`, `height`, `x`
and `y` anywhere in an annotation's geometry (vertices, points, keyframes), never its
attributes, a rotation (radians), nor a 3D cuboid (its vertices project its 3D keys)."""

from __future__ import annotations

from typing import Any

DECIMALS = 2
PIXEL_KEYS = frozenset({"left", "top", "width", "height", "x", "y"})
SIZE_KEYS = frozenset({"width", "height"})
KEEP = frozenset({"attributes", "position", "dimensions", "rotation", "yaw", "camera",
                  "metadata"})
SMALLEST = 10 ** -DECIMALS


def round_pixels(value: float, key: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    rounded = round(value, DECIMALS)
    if key in SIZE_KEYS and value > 0:  # a size stays above 0
        rounded = max(rounded, SMALLEST)
    return int(rounded) if rounded.is_integer() else rounded


def round_coordinates(item: Any, key: str = "") -> Any:
    """`item` (an annotation, or a list of them) with its pixel coordinates rounded. A 3D
    cuboid (with `position`) is kept whole: its vertices are the projection of its 3D keys."""
    if isinstance(item, dict) and "position" in item and not key:
        return item
    if isinstance(item, dict):
        return {k: v if k in KEEP else round_coordinates(v, k) for k, v in item.items()}
    if isinstance(item, list):
        return [round_coordinates(v, key) for v in item]
    if key in PIXEL_KEYS:
        return round_pixels(item, key)
    return item
