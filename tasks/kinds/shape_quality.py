"""The quality loop's members of the kinds whose answers are shapes (image, video): the
scoring core of tasks/quality/ over their responses (docs/quality.md "The scoring core").
`ShapeAnswers` gives a kind those members; the functions are what they call.

The core's modules (numpy, scipy, shapely) are imported inside the functions: the web server
imports the kinds and must not load them (docs/quality.md#memory).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tasks.kinds.base import Scored
from tasks.models import Task

if TYPE_CHECKING:
    from tasks.quality.merge import Merged
    from tasks.quality.options import QualityOptions
    from tasks.quality.scoring import Score


def check_expected(payload: dict, params: dict, name: str) -> dict:
    """A gold or training task's expected (or initial) response, checked as a tasker's
    submit is (every rule, required attributes and base locks); RuleError named under
    `name`."""
    from tasks.rules.annotations import validate_response
    from tasks.rules.locks import check_link_locks, check_locks

    response = validate_response(payload, params, name)
    check_locks(response["annotations"], params, f"{name}.annotations")
    check_link_locks(response.get("links") or [], params, f"{name}.links")
    return response


def merge_answers(parent: Task, replicas: list[Task], options: QualityOptions) -> Merged:
    from tasks.quality.merge import merge

    return merge([r.response or {"annotations": []} for r in replicas], options, parent.params)


def score_answer(answer: dict, expected: dict, options: QualityOptions) -> Score:
    from tasks.quality.scoring import score_answer as score

    return score(answer, expected, options)


class ShapeAnswers:
    """The members of the kinds protocol for answers that are annotation rows (a base class of
    the image and video kinds)."""

    def check_expected(self, payload: dict, params: dict, name: str, *, owner: Any,
                       is_test: bool) -> dict:
        return check_expected(payload, params, name)

    def assist_geometries(self, params: dict) -> dict[str, Any]:
        geometries = params.get("geometries")
        return geometries if isinstance(geometries, dict) else {}

    def draft_payload(self, task: Task) -> dict | None:
        return None  # its draft is its annotation rows

    def merge_answers(self, parent: Task, replicas: list[Task],
                      options: QualityOptions) -> Merged:
        return merge_answers(parent, replicas, options)

    def score_answer(self, copy: Task, answer: dict, expected: dict,
                     options: QualityOptions) -> Scored:
        return score_answer(answer, expected, options)
