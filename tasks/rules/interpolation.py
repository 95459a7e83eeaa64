"""Video tracks expanded into per-frame geometries (docs/api-decisions.md, "Video").

A track is {uuid, type, label, keyframes: [{frame, <geometry keys>, attributes?} or
{frame, outside: true}, ...]} with keyframes sorted by frame (tasks/rules/video.py checks that).
`track_frames` gives, for every frame of the task, the object's geometry keys plus its
`attributes` on that frame, or None where the object does not exist or is outside.

The same rules are implemented in static/js/lib/interpolate.js; the shared fixture
tests/fixtures/rules/interpolation.json keeps the two in step. Rules:
* Before the first keyframe, and from an outside keyframe to the next one that is not
  outside, the object is absent. After its last (visible) keyframe it holds that geometry.
* Between two visible keyframes a and b (fa < f < fb, t = (f - fa) / (fb - fa)): box, point
  and cuboid numbers are linear; ellipses go through (centre, radii, rotation); angles turn
  the short way round; polygons and lines interpolate vertex by vertex when both keyframes
  have as many vertices, otherwise keyframe a holds. Keyframe a's attributes hold.
* Attributes: a keyframe's `attributes` update those of the keyframes before it, key by key.
* Every number of the output is rounded half up (floor(v * 10^d + 0.5) / 10^d): angles
  (box `rotation`, cuboid `yaw`) to 4 decimals, everything else to 2; a box with
  `integer_pixels` and no rotation to whole pixels (width and height at least 1). Computed
  fields (a rotated box's `vertices`, a cuboid's `edges`) come from the rounded values.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from .geometry import CUBOID_VERTEX_NAMES, box_corners, cuboid_edges, ellipse_extremes

COORDINATE_DECIMALS = 2
ANGLE_DECIMALS = 4
TAU = 2 * math.pi

Frame = dict[str, Any]


def round_half_up(value: float, decimals: int) -> float:
    """Round as JavaScript's Math.floor(v * 10^d + 0.5) / 10^d does, so both sides agree."""
    scale = 10**decimals
    return math.floor(value * scale + 0.5) / scale


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def lerp_angle(a: float, b: float, t: float) -> float:
    """From angle a towards angle b (radians) the short way round; a half turn goes backwards."""
    delta = b - a
    delta -= TAU * math.floor((delta + math.pi) / TAU)
    return a + delta * t


def is_outside(keyframe: dict) -> bool:
    return keyframe.get("outside") is True


def keyframe_attributes(keyframes: list[dict]) -> list[dict]:
    """The attributes in force at each keyframe: every earlier keyframe's, updated key by key."""
    current: dict = {}
    result = []
    for keyframe in keyframes:
        given = keyframe.get("attributes")
        if isinstance(given, dict) and not is_outside(keyframe):
            current = {**current, **given}
        result.append(current)
    return result


def track_frames(
    track: dict, frame_count: int, geometries: dict | None = None
) -> list[Frame | None]:
    """Every frame's geometry (+ attributes) of one track, or None where the object is absent.

    `geometries` are the task's normalized geometry options (integer_pixels of boxes)."""
    keyframes = track["keyframes"]
    kind = track["type"]
    options = (geometries or {}).get(kind) or {}
    attributes = keyframe_attributes(keyframes)
    starts = [keyframe["frame"] for keyframe in keyframes]
    result: list[Frame | None] = []
    for frame in range(frame_count):
        index = bisect.bisect_right(starts, frame) - 1
        if index < 0 or is_outside(keyframes[index]):
            result.append(None)
            continue
        current = keyframes[index]
        following = keyframes[index + 1] if index + 1 < len(keyframes) else None
        if frame == current["frame"] or following is None or is_outside(following):
            geometry = _copy(kind, current)
        else:
            t = (frame - current["frame"]) / (following["frame"] - current["frame"])
            geometry = _INTERPOLATORS[kind](current, following, t)
        result.append({**_finish(kind, geometry, options), "attributes": dict(attributes[index])})
    return result


# ---------------------------------------------------------------- per geometry


def _copy(kind: str, keyframe: dict) -> dict:
    return {key: keyframe[key] for key in _KEYS[kind] if key in keyframe}


def _box(a: dict, b: dict, t: float) -> dict:
    result = {key: lerp(a[key], b[key], t) for key in ("left", "top", "width", "height")}
    if "rotation" in a:
        result["rotation"] = lerp_angle(a["rotation"], b.get("rotation", 0), t)
    return result


def _point(a: dict, b: dict, t: float) -> dict:
    return {key: lerp(a[key], b[key], t) for key in ("x", "y")}


def _vertices(a: list[dict], b: list[dict], t: float) -> list[dict]:
    return [
        {"x": lerp(p["x"], q["x"], t), "y": lerp(p["y"], q["y"], t)}
        for p, q in zip(a, b, strict=True)
    ]


def _polyline(a: dict, b: dict, t: float) -> dict:
    if len(a["vertices"]) != len(b["vertices"]):
        return {"vertices": a["vertices"]}
    return {"vertices": _vertices(a["vertices"], b["vertices"], t)}


def ellipse_from_vertices(vertices: list[dict]) -> tuple[float, float, float, float, float]:
    """(cx, cy, rx, ry, rotation) of an ellipse given by its 4 axis ends (see
    geometry.ellipse_extremes): centre between vertices 0 and 2, rx and rotation from vertex 0,
    ry from vertex 1."""
    a, b, c = vertices[0], vertices[1], vertices[2]
    cx, cy = (a["x"] + c["x"]) / 2, (a["y"] + c["y"]) / 2
    rx = math.hypot(a["x"] - cx, a["y"] - cy)
    ry = math.hypot(b["x"] - cx, b["y"] - cy)
    if rx > 0:
        rotation = math.atan2(a["y"] - cy, a["x"] - cx)
    else:
        rotation = math.atan2(-(b["x"] - cx), b["y"] - cy)
    return cx, cy, rx, ry, rotation


def _ellipse(a: dict, b: dict, t: float) -> dict:
    ea, eb = ellipse_from_vertices(a["vertices"]), ellipse_from_vertices(b["vertices"])
    cx, cy, rx, ry = (lerp(p, q, t) for p, q in zip(ea[:4], eb[:4], strict=True))
    rotation = lerp_angle(ea[4], eb[4], t)
    return {"vertices": ellipse_extremes(cx, cy, rx, ry, rotation)}


def _cuboid(a: dict, b: dict, t: float) -> dict:
    ends = {v["description"]: v for v in b["vertices"]}
    vertices = [
        {
            "x": lerp(v["x"], ends[v["description"]]["x"], t),
            "y": lerp(v["y"], ends[v["description"]]["y"], t),
            "description": v["description"],
            "type": "vertex",
        }
        for v in a["vertices"]
    ]
    result: dict = {"vertices": vertices}
    if "position" in a and "position" in b:
        result["position"] = {k: lerp(a["position"][k], b["position"][k], t) for k in "xyz"}
        result["dimensions"] = {
            key: lerp(a["dimensions"][key], b["dimensions"][key], t)
            for key in ("length", "width", "height")
        }
        result["yaw"] = lerp_angle(a["yaw"], b["yaw"], t)
    elif "position" in a:
        result.update({key: a[key] for key in ("position", "dimensions", "yaw")})
    return result


_INTERPOLATORS = {
    "box": _box,
    "point": _point,
    "polygon": _polyline,
    "line": _polyline,
    "ellipse": _ellipse,
    "cuboid": _cuboid,
}

_KEYS = {
    "box": ("left", "top", "width", "height", "rotation"),
    "point": ("x", "y"),
    "polygon": ("vertices",),
    "line": ("vertices",),
    "ellipse": ("vertices",),
    "cuboid": ("vertices", "position", "dimensions", "yaw"),
}


# ---------------------------------------------------------------- rounding


def _coordinate(value: float) -> float:
    return round_half_up(value, COORDINATE_DECIMALS)


def _angle(value: float) -> float:
    return round_half_up(value, ANGLE_DECIMALS)


def _points(vertices: list[dict]) -> list[dict]:
    return [{"x": _coordinate(v["x"]), "y": _coordinate(v["y"])} for v in vertices]


def _finish(kind: str, geometry: dict, options: dict) -> dict:
    """Rounded geometry keys in the response's order, computed fields recomputed."""
    if kind == "box":
        return _finish_box(geometry, options)
    if kind == "point":
        return {"x": _coordinate(geometry["x"]), "y": _coordinate(geometry["y"])}
    if kind == "cuboid":
        return _finish_cuboid(geometry)
    return {"vertices": _points(geometry["vertices"])}


def _finish_box(geometry: dict, options: dict) -> dict:
    sides = ("left", "top", "width", "height")
    if "rotation" not in geometry and options.get("integer_pixels"):
        result = {key: math.floor(geometry[key] + 0.5) for key in sides}
        result["width"], result["height"] = max(result["width"], 1), max(result["height"], 1)
        return result
    result = {key: _coordinate(geometry[key]) for key in sides}
    if "rotation" in geometry:
        result["rotation"] = _angle(geometry["rotation"])
        corners = box_corners(*(result[key] for key in sides), result["rotation"])
        result["vertices"] = _points(corners)
    return result


def _finish_cuboid(geometry: dict) -> dict:
    by_name = {v["description"]: v for v in geometry["vertices"]}
    vertices = [
        {
            "x": _coordinate(by_name[name]["x"]),
            "y": _coordinate(by_name[name]["y"]),
            "description": name,
            "type": "vertex",
        }
        for name in CUBOID_VERTEX_NAMES
    ]
    result: dict = {"vertices": vertices, "edges": cuboid_edges(vertices)}
    if "position" in geometry:
        position, dimensions = geometry["position"], geometry["dimensions"]
        result["position"] = {key: _coordinate(position[key]) for key in "xyz"}
        result["dimensions"] = {
            key: _coordinate(dimensions[key]) for key in ("length", "width", "height")
        }
        result["yaw"] = _angle(geometry["yaw"])
    return result
