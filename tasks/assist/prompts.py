"""An assist request's body, checked: what the workbench's Assist tool asks for
(docs/assist.md, "The endpoint"). Pure: no Django, no numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

TOOLS = ("box", "click", "scissors", "snap")
GEOMETRIES = ("polygon", "box")
MAX_POINTS = 200       # clicks or scissors points in one prompt
MAX_VERTICES_IN = 5000  # vertices of a polygon to snap


class PromptError(ValueError):
    """The body is not a usable prompt; the message names the field."""


@dataclass(frozen=True)
class Click:
    x: float
    y: float
    positive: bool = True


@dataclass(frozen=True)
class Prompt:
    tool: str
    geometry: str = "polygon"
    box: tuple[float, float, float, float] | None = None
    points: tuple[Click, ...] = ()
    vertices: tuple[tuple[float, float], ...] = ()
    tolerance: float | None = None
    max_vertices: int | None = None

    @property
    def positives(self) -> list[tuple[float, float]]:
        return [(c.x, c.y) for c in self.points if c.positive]

    @property
    def negatives(self) -> list[tuple[float, float]]:
        return [(c.x, c.y) for c in self.points if not c.positive]


def parse(body: object) -> Prompt:
    """The prompt in `body` (decoded JSON), or PromptError."""
    if not isinstance(body, dict):
        raise PromptError("the body must be a JSON object")
    tool = body.get("tool")
    if tool not in TOOLS:
        raise PromptError(f"tool must be one of {', '.join(TOOLS)}")
    geometry = body.get("geometry", "polygon")
    if geometry not in GEOMETRIES:
        raise PromptError(f"geometry must be one of {', '.join(GEOMETRIES)}")
    prompt = Prompt(tool=tool, geometry=geometry, box=_box(body.get("box")),
                    points=_clicks(body.get("points")),
                    vertices=_vertices(body.get("vertices")),
                    tolerance=_tolerance(body.get("tolerance")),
                    max_vertices=_max_vertices(body.get("max_vertices")))
    _check_tool_needs(prompt)
    return prompt


def _check_tool_needs(prompt: Prompt) -> None:
    if prompt.tool == "box" and prompt.box is None:
        raise PromptError("box: the box tool needs a box [x0, y0, x1, y1]")
    if prompt.tool == "click" and not prompt.positives:
        raise PromptError("points: the click tool needs a positive click")
    if prompt.tool == "scissors" and len(prompt.points) < 3:
        raise PromptError("points: scissors need at least 3 points")
    if prompt.tool == "snap" and len(prompt.vertices) < 3:
        raise PromptError("vertices: snapping needs a polygon of at least 3 vertices")


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PromptError(f"{field} must be a number")
    if not math.isfinite(value):
        raise PromptError(f"{field} must be a finite number")
    return float(value)


def _box(value: Any) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 4:
        raise PromptError("box must be [x0, y0, x1, y1]")
    x0, y0, x1, y1 = (_number(v, f"box[{i}]") for i, v in enumerate(value))
    return x0, y0, x1, y1


def _xy(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, dict):
        raise PromptError(f"{field} must be an object with x and y")
    return _number(value.get("x"), f"{field}.x"), _number(value.get("y"), f"{field}.y")


def _clicks(value: Any) -> tuple[Click, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_POINTS:
        raise PromptError(f"points must be a list of at most {MAX_POINTS} points")
    clicks = []
    for i, item in enumerate(value):
        x, y = _xy(item, f"points[{i}]")
        positive = item.get("positive", True)
        if not isinstance(positive, bool):
            raise PromptError(f"points[{i}].positive must be true or false")
        clicks.append(Click(x, y, positive))
    return tuple(clicks)


def _vertices(value: Any) -> tuple[tuple[float, float], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_VERTICES_IN:
        raise PromptError(f"vertices must be a list of at most {MAX_VERTICES_IN} points")
    return tuple(_xy(item, f"vertices[{i}]") for i, item in enumerate(value))


def _tolerance(value: Any) -> float | None:
    if value is None:
        return None
    tolerance = _number(value, "tolerance")
    if not 0 <= tolerance <= 100:
        raise PromptError("tolerance must be between 0 and 100")
    return tolerance


def _max_vertices(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise PromptError("max_vertices must be an integer of at least 3")
    return value
