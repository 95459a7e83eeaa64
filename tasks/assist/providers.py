"""Who answers an assist (docs/assist.md, "Providers").

The built-in OpenCV assists (tasks/assist/cv.py) answer unless a registered chooser returns a
provider for the task and the prompt. Another module plugs in with `register`:

    from tasks.assist import providers

    def choose(task, prompt):          # the task comes with its project
        backend = ...                  # e.g. the project's model backend, if it can answer
        return MyProvider(backend) if backend else None

    providers.register("project-backend", choose)

A provider has a `name` (the response's `source`) and `assist(task, prompt, image,
max_vertices) -> Answer`. It raises `Unavailable` when it cannot answer now (a backend down,
its breaker open): the next provider answers, OpenCV last, and the response's `note` says
why. `cv.BadPrompt` and `cv.NothingFound` from a provider are the caller's 400 and 422.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tasks.assist.prompts import Prompt
from tasks.assist.task_image import AssistImage
from tasks.errors import ApiError
from tasks.models import Task

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Point = tuple[float, float]

# The built-in assists run in the request's thread, at most this many at once per process
# (the machine's cores are the web server's too); a request beyond them is 503 "assist busy".
CV_CONCURRENCY = 2
CV_SLOTS = threading.BoundedSemaphore(CV_CONCURRENCY)


@dataclass(frozen=True)
class Answer:
    """A provider's shape, in image pixels: `vertices` of a polygon, or `box` as (left, top,
    width, height)."""

    source: str
    vertices: list[Point] | None = None
    box: tuple[float, float, float, float] | None = None
    model_version: str | None = None
    note: str | None = None


class Unavailable(Exception):
    """The provider cannot answer now; the next one (OpenCV last) does."""


class Provider(Protocol):
    name: str

    def assist(self, task: Task, prompt: Prompt, image: AssistImage,
               max_vertices: int | None) -> Answer: ...


Chooser = Callable[[Task, Prompt], Provider | None]
_choosers: dict[str, Chooser] = {}


def register(name: str, chooser: Chooser) -> None:
    """Ask `chooser(task, prompt)` for a provider before the built-in one; registering a
    name again replaces it. Choosers are asked in the order they were first registered."""
    _choosers[name] = chooser


def unregister(name: str) -> None:
    _choosers.pop(name, None)


def answer(task: Task, prompt: Prompt, image: AssistImage, max_vertices: int | None) -> Answer:
    """The first chosen provider's answer; OpenCV's when none is chosen or none can."""
    notes = []
    for chooser in list(_choosers.values()):
        provider = chooser(task, prompt)
        if provider is None:
            continue
        try:
            return provider.assist(task, prompt, image, max_vertices)
        except Unavailable as exc:
            notes.append(f"{provider.name} unavailable: {exc}")
    result = OPENCV.assist(task, prompt, image, max_vertices)
    return Answer(result.source, result.vertices, result.box, None, "; ".join(notes) or None)


class OpenCVProvider:
    """The built-in assists, on the task's decoded image."""

    name = "opencv"

    def assist(self, task: Task, prompt: Prompt, image: AssistImage,
               max_vertices: int | None) -> Answer:
        if not CV_SLOTS.acquire(blocking=False):
            raise ApiError(503, "assist busy")
        try:
            return Answer(self.name, run_cv(prompt, image.pixels(), max_vertices))
        finally:
            CV_SLOTS.release()


OPENCV = OpenCVProvider()


def run_cv(prompt: Prompt, image: NDArray[np.uint8], max_vertices: int | None) -> list[Point]:
    """The polygon OpenCV makes of the prompt (cv.BadPrompt, cv.NothingFound)."""
    from tasks.assist import cv  # numpy and cv2 only when an assist runs

    if prompt.tool == "box":
        assert prompt.box is not None  # prompts.parse checked
        return cv.box_to_polygon(image, prompt.box, positive=prompt.positives,
                                 negative=prompt.negatives, max_vertices=max_vertices)
    if prompt.tool == "click":
        first, *more = prompt.positives
        tolerance = cv.DEFAULT_TOLERANCE if prompt.tolerance is None else prompt.tolerance
        return cv.click_region(image, first, tolerance=tolerance, positive=more,
                               negative=prompt.negatives, max_vertices=max_vertices)
    if prompt.tool == "scissors":
        return cv.scissors(image, [(c.x, c.y) for c in prompt.points],
                           max_vertices=max_vertices)
    return cv.snap_polygon(image, prompt.vertices, max_vertices=max_vertices)
