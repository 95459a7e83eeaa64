"""What a model answers, independent of the protocol that carries it: a prompt in, a shape
out (`interact`), or an image in, regions out (`predict`). Coordinates are image pixels,
(0, 0) the top-left corner of the image."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

Vertex = tuple[float, float]
Geometry = Literal["polygon", "box"]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    positive: bool = True


@dataclass(frozen=True)
class Prompt:
    """Clicks and an optional box (x0, y0, x1, y1); at least one of them."""

    points: tuple[Point, ...] = ()
    box: tuple[float, float, float, float] | None = None

    @property
    def positives(self) -> list[Vertex]:
        return [(p.x, p.y) for p in self.points if p.positive]

    @property
    def negatives(self) -> list[Vertex]:
        return [(p.x, p.y) for p in self.points if not p.positive]


@dataclass(frozen=True)
class Image:
    """A decoded image: `pixels` (H, W, 3) uint8 RGB, and a digest of its encoded bytes (the
    key of the SAM embedding cache)."""

    pixels: np.ndarray
    digest: str

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass
class Region:
    """One found object: its outline and a score in 0..1."""

    vertices: list[Vertex]
    score: float
    label: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


class RequestError(Exception):
    """A request the backend cannot answer, with the HTTP status it answers: the body is
    `{"status_code": n, "error": message}` (the shape of annotator's own API errors)."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class BadPrompt(RequestError):
    """The request or its prompt cannot be used."""


class NothingFound(RequestError):
    """The prompt is fine but selects no region."""

    status = 422


class Model(Protocol):
    name: str
    model_version: str

    def interact(self, image: Image, prompt: Prompt, *,
                 max_vertices: int | None) -> Region: ...

    def predict(self, image: Image, *, max_vertices: int | None) -> list[Region]: ...


def bounding_box(vertices: list[Vertex]) -> tuple[float, float, float, float]:
    """(left, top, width, height) of the vertices."""
    xs = [x for x, _ in vertices]
    ys = [y for _, y in vertices]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
