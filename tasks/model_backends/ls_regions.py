"""Label Studio regions -> Scale annotations of a task's geometries (docs/assist.md,
"Label Studio's ML-backend protocol").

Regions are in percent of the image (`original_width` / `original_height` when the region
gives them, else the task's image size); rotation in degrees clockwise about the region's
top-left corner, where a Scale box turns about its centre. What cannot be carried becomes a
note (a sentence naming the region), never an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tasks.model_backends.brush import mask_polygons

DECIMALS = 2


@dataclass
class Converted:
    annotations: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def convert_regions(regions: object, params: dict, width: int, height: int) -> Converted:
    """Each region of one Label Studio prediction's `result` as Scale annotations."""
    out = Converted()
    if not isinstance(regions, list):
        out.notes.append("the prediction's result is not a list")
        return out
    for index, region in enumerate(regions):
        where = f"region {index}"
        if not isinstance(region, dict) or not isinstance(region.get("value"), dict):
            out.notes.append(f"{where}: not an object with a value")
            continue
        try:
            _convert_one(region, params, width, height, where, out)
        except (TypeError, ValueError, KeyError) as exc:
            out.notes.append(f"{where} ({region.get('type')}): {exc}")
    return out


def _convert_one(region: dict, params: dict, width: int, height: int, where: str,
                 out: Converted) -> None:
    kind = region.get("type")
    value = region["value"]
    size = _Size(float(region.get("original_width") or width),
                 float(region.get("original_height") or height))
    label = _label(value, kind)
    extra = {"label": label} if label is not None else {}
    if kind == "rectanglelabels":
        box = _box(value, size, params)
        if box is None:
            out.notes.append(f"{where}: a box rotated by {value.get('rotation')}° where the "
                             "box geometry cannot rotate: left out")
            return
        out.annotations.append({"type": "box", **extra, **box})
    elif kind == "polygonlabels":
        vertices = [size.point(x, y) for x, y in value["points"]]
        out.annotations.append({"type": "polygon", **extra, "vertices": vertices})
    elif kind == "keypointlabels":
        out.annotations.append({"type": "point", **extra, **size.point(value["x"], value["y"])})
    elif kind == "brushlabels":
        _brush(value, extra, size, where, out)
    else:
        out.notes.append(f"{where}: the region type {kind!r} has no Scale geometry here")


def _label(value: dict, kind: object) -> str | None:
    labels = value.get(kind) if isinstance(kind, str) else None
    if isinstance(labels, list) and labels and isinstance(labels[0], str):
        return labels[0]
    return None


@dataclass(frozen=True)
class _Size:
    width: float
    height: float

    def x(self, percent: object) -> float:
        return float(percent) * self.width / 100  # type: ignore[arg-type]

    def y(self, percent: object) -> float:
        return float(percent) * self.height / 100  # type: ignore[arg-type]

    def point(self, x: object, y: object) -> dict:
        return {"x": round(self.x(x), DECIMALS), "y": round(self.y(y), DECIMALS)}


def _box(value: dict, size: _Size, params: dict) -> dict | None:
    """A Scale box; None for a rotated box the task's box geometry may not carry."""
    x, y, w, h = size.x(value["x"]), size.y(value["y"]), size.x(value["width"]),\
        size.y(value["height"])
    degrees = float(value.get("rotation") or 0)
    can_rotate = bool(((params.get("geometries") or {}).get("box") or {}).get("can_rotate"))
    if degrees % 360 and not can_rotate:
        return None
    theta = math.radians(degrees)
    # the centre: the top-left corner plus the half diagonal turned by the rotation
    cx = x + w / 2 * math.cos(theta) - h / 2 * math.sin(theta)
    cy = y + w / 2 * math.sin(theta) + h / 2 * math.cos(theta)
    box = {"left": round(cx - w / 2, DECIMALS), "top": round(cy - h / 2, DECIMALS),
           "width": round(w, DECIMALS), "height": round(h, DECIMALS)}
    if can_rotate:
        box["rotation"] = round(theta, 6)
    return box


def _brush(value: dict, extra: dict, size: _Size, where: str, out: Converted) -> None:
    if value.get("format") != "rle" or not isinstance(value.get("rle"), list):
        out.notes.append(f"{where}: a brush mask not in the rle format: left out")
        return
    outlines = mask_polygons(value["rle"], int(size.width), int(size.height))
    if not outlines:
        out.notes.append(f"{where}: a brush mask with no outline: left out")
        return
    if len(outlines) > 1:
        out.notes.append(f"{where}: a brush mask of {len(outlines)} parts became "
                         f"{len(outlines)} polygons")
    for outline in outlines:
        vertices = [{"x": round(x, DECIMALS), "y": round(y, DECIMALS)} for x, y in outline]
        out.annotations.append({"type": "polygon", **extra, "vertices": vertices})
