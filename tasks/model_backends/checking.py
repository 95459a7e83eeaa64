"""A backend's annotations through the task's hypothesis rules (tasks/rules/annotations.py,
kind "hypothesis"): each one alone, so that one bad annotation costs only itself. What fails is
dropped and noted; what passes keeps (or is given) a uuid. A polygon with more vertices than
the geometry's `max_vertices` (a brush outline) is simplified first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks.rules.annotations import validate_annotations, validate_response
from tasks.rules.errors import RuleError


@dataclass
class Checked:
    hypothesis: dict = field(default_factory=dict)  # {"annotations": [...]} as stored
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.hypothesis.get("annotations") or [])


def check_annotations(annotations: list[Any], params: dict) -> Checked:
    out = Checked()
    known = {a["uuid"]: a.get("label") for a in annotations
             if isinstance(a, dict) and isinstance(a.get("uuid"), str)}
    kept: list[dict] = []
    for index, item in enumerate(annotations):
        item = _fitted(item, params)
        try:
            (clean,) = validate_annotations([item], params, path="annotation",
                                            kind="hypothesis", known_labels=known)
        except RuleError as exc:
            field_path = exc.path.replace("annotation[0]", f"annotations[{index}]", 1)
            out.notes.append(f"annotations[{index}] left out ({_what(item)}): "
                             f"{field_path} {exc.message}")
            continue
        kept.append(clean)
    try:
        out.hypothesis = validate_response({"annotations": kept}, params, "hypothesis",
                                           kind="hypothesis")
    except RuleError as exc:  # e.g. two annotations with one uuid
        out.notes.append(f"the prelabels were left out: {exc}")
        out.hypothesis = {"annotations": []}
    return out


def _what(item: Any) -> str:
    if not isinstance(item, dict):
        return "not an object"
    return " ".join(str(item[key]) for key in ("type", "label") if item.get(key) is not None)


def _fitted(item: Any, params: dict) -> Any:
    """`item` with its polygon simplified to the geometry's max_vertices (OpenCV, lazily)."""
    if not isinstance(item, dict) or item.get("type") != "polygon":
        return item
    limit = ((params.get("geometries") or {}).get("polygon") or {}).get("max_vertices")
    vertices = item.get("vertices")
    if not isinstance(limit, int) or not isinstance(vertices, list) or len(vertices) <= limit:
        return item
    try:
        points = [(float(v["x"]), float(v["y"])) for v in vertices]
    except (TypeError, KeyError, ValueError):
        return item
    return {**item, "vertices": [{"x": round(x, 2), "y": round(y, 2)}
                                 for x, y in simplify(points, limit)]}


def simplify(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """Douglas-Peucker with a growing tolerance until at most `limit` vertices remain."""
    import cv2
    import numpy as np

    contour = np.array(points, dtype=np.float32).reshape(-1, 1, 2)
    epsilon = 0.5
    approx: np.ndarray = contour
    while len(approx) > limit and epsilon < 1e6:
        approx = cv2.approxPolyDP(contour, epsilon, True)
        epsilon *= 1.5
    return [(float(x), float(y)) for x, y in approx.reshape(-1, 2)]
