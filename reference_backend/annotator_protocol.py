"""annotator's backend protocol, version 1 (docs/assist.md): `/health`, `/predict` (an image
and the project's labels -> Scale annotations with scores) and `/interact` (clicks or a box
-> one shape). Image pixels both ways."""

from __future__ import annotations

import math
from typing import Any

from . import images
from .model import (
    BadPrompt,
    Geometry,
    Image,
    Model,
    Point,
    Prompt,
    Region,
    Vertex,
    bounding_box,
)

PROTOCOL = "annotator/1"
# The geometries predict can answer in, the first one the task enables wins.
PREDICT_GEOMETRIES = ("polygon", "box", "point")


def health(model: Model) -> dict[str, Any]:
    return {"status": "ok", "model_version": model.model_version,
            "capabilities": ["predict", "interact"], "model_class": model.name}


def predict(model: Model, body: dict[str, Any]) -> dict[str, Any]:
    image = request_image(body)
    geometries = body.get("geometries") or {}
    if not isinstance(geometries, dict):
        raise BadPrompt("geometries must be an object")
    geometry = next((g for g in PREDICT_GEOMETRIES if geometries.get(g) is not None), None)
    if geometry is None and not geometries:
        geometry = "polygon"  # no geometries named: the model's own outlines
    if geometry is None:
        return {"model_version": model.model_version, "annotations": []}
    options = geometries.get(geometry) or {}
    label = first_leaf(options.get("objects_to_annotate")) or first_leaf(body.get("labels"))
    max_vertices = optional_int(options.get("max_vertices"), "max_vertices")
    regions = model.predict(image, max_vertices=max_vertices)
    annotations = [annotation(region, geometry, label) for region in regions]
    return {"model_version": model.model_version, "annotations": annotations}


def interact(model: Model, body: dict[str, Any]) -> dict[str, Any]:
    image = request_image(body)
    prompt = parse_prompt(body.get("prompt"), image)
    geometry: Geometry = body.get("geometry") or "polygon"
    if geometry not in ("polygon", "box"):
        raise BadPrompt("geometry must be polygon or box")
    max_vertices = optional_int(body.get("max_vertices"), "max_vertices")
    region = model.interact(image, prompt, max_vertices=max_vertices)
    return {"model_version": model.model_version, "shape": shape(region.vertices, geometry),
            "score": round(region.score, 4)}


# --- the request's parts ----------------------------------------------------------------

def request_image(body: dict[str, Any]) -> Image:
    image = body.get("image")
    if not isinstance(image, dict):
        raise BadPrompt("image must be an object with data (base64) or url")
    if isinstance(image.get("data"), str) and image["data"]:
        return images.from_base64(image["data"])
    if isinstance(image.get("url"), str) and image["url"]:
        return images.from_reference(image["url"])
    raise BadPrompt("image needs data (base64) or url")


def parse_prompt(raw: object, image: Image) -> Prompt:
    if not isinstance(raw, dict):
        raise BadPrompt("prompt must be an object with points and/or box")
    points = raw.get("points") or []
    if not isinstance(points, list):
        raise BadPrompt("prompt.points must be a list")
    parsed = tuple(parse_point(p, image) for p in points)
    box = raw.get("box")
    if box is not None:
        if not isinstance(box, list) or len(box) != 4:
            raise BadPrompt("prompt.box must be [x0, y0, x1, y1]")
        x0, y0, x1, y1 = (number(v, "prompt.box") for v in box)
        inside(x0, y0, image)
        inside(x1, y1, image)
        if abs(x1 - x0) < 1 or abs(y1 - y0) < 1:
            raise BadPrompt("prompt.box is empty")
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if not parsed and box is None:
        raise BadPrompt("a prompt needs points or a box")
    return Prompt(points=parsed, box=box)


def parse_point(raw: object, image: Image) -> Point:
    if not isinstance(raw, dict):
        raise BadPrompt("a prompt point is {x, y, positive}")
    x, y = number(raw.get("x"), "point.x"), number(raw.get("y"), "point.y")
    inside(x, y, image)
    return Point(x=x, y=y, positive=raw.get("positive", True) is not False)


def number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadPrompt(f"{name} must be a finite number")
    return float(value)


def inside(x: float, y: float, image: Image) -> None:
    if not (0 <= x <= image.width and 0 <= y <= image.height):
        raise BadPrompt(f"({x}, {y}) is outside the {image.width} x {image.height} image")


def optional_int(value: object, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise BadPrompt(f"{name} must be an integer of at least 3")
    return value


def first_leaf(tree: object) -> str | None:
    """The first pickable label of a LabelDescription tree (docs/task-format.md, "Labels")."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, dict):
        if tree.get("subchoices"):
            return first_leaf(tree["subchoices"])
        choice = tree.get("choice")
        return choice if isinstance(choice, str) else None
    if isinstance(tree, list):
        return next((leaf for item in tree if (leaf := first_leaf(item))), None)
    return None


# --- the answer's parts -----------------------------------------------------------------

def shape(vertices: list[Vertex], geometry: Geometry) -> dict[str, Any]:
    if geometry == "box":
        left, top, width, height = bounding_box(vertices)
        return {"type": "box", "left": round(left, 2), "top": round(top, 2),
                "width": round(width, 2), "height": round(height, 2)}
    return {"type": "polygon",
            "vertices": [{"x": round(x, 2), "y": round(y, 2)} for x, y in vertices]}


def annotation(region: Region, geometry: str, label: str | None) -> dict[str, Any]:
    if geometry == "point":
        xs, ys = zip(*region.vertices, strict=True)
        found: dict[str, Any] = {"type": "point", "x": round(sum(xs) / len(xs), 2),
                                 "y": round(sum(ys) / len(ys), 2)}
    else:
        found = shape(region.vertices, "box" if geometry == "box" else "polygon")
    if label is not None:
        found["label"] = label
    found["score"] = round(region.score, 4)
    return found
