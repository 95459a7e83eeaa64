"""The quality loop's members of the kinds whose answers are shapes (image, video): the
scoring core of tasks/quality/ over their responses (docs/quality.md "The scoring core").

The core's modules (numpy, scipy, shapely) are imported inside the functions: the web server
imports the kinds and must not load them (docs/quality.md#memory).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
