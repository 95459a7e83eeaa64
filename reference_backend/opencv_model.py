"""The model without weights: annotator's built-in OpenCV assists for `interact`
(`tasks/assist/cv.py`, imported as plain code: no Django), and the demonstration detector for
`predict` (`detector.py`)."""

from __future__ import annotations

from tasks.assist import cv

from . import detector
from .model import BadPrompt, Image, NothingFound, Prompt, Region


class OpenCvModel:
    name = "opencv"
    model_version = "opencv-assists/1"

    def interact(self, image: Image, prompt: Prompt, *, max_vertices: int | None) -> Region:
        """A box: GrabCut inside it (the clicks as seeds); clicks only: the region around the
        positive clicks, split from the negative ones."""
        try:
            if prompt.box is not None:
                vertices = cv.box_to_polygon(image.pixels, prompt.box,
                                             positive=prompt.positives,
                                             negative=prompt.negatives,
                                             max_vertices=max_vertices)
            elif prompt.positives:
                vertices = cv.click_region(image.pixels, prompt.positives[0],
                                           positive=prompt.positives[1:],
                                           negative=prompt.negatives,
                                           max_vertices=max_vertices)
            else:
                raise BadPrompt("a prompt needs a box or a positive click")
        except cv.NothingFound as exc:
            raise NothingFound(str(exc)) from exc
        except cv.BadPrompt as exc:
            raise BadPrompt(str(exc)) from exc
        # The built-in assists estimate no quality: the score says "no estimate", not 100 %.
        return Region(vertices=[(round(x, 2), round(y, 2)) for x, y in vertices], score=0.5)

    def predict(self, image: Image, *, max_vertices: int | None) -> list[Region]:
        return detector.find_regions(image.pixels, max_vertices=max_vertices)
