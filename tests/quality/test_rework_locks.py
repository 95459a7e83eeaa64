"""Annotations a reviewer accepted come back locked in rework (docs/quality.md): the shared
case file, then the draft operations and the submits the server refuses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tasks.rules import locks
from tasks.rules.errors import RuleError

CASES = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "rules"
                    / "review_lock_cases.json").read_text(encoding="utf-8"))


def annotations_of(case: dict, file: dict) -> list[dict[str, Any]]:
    """The annotations of a `check` case, built from the file's response as the case says
    (tests/js/review-locks.test.mjs builds them the same way)."""
    if case["annotations"] != "response":
        return case["annotations"]
    items = [dict(a) for a in copy.deepcopy(file["response"])
             if a["uuid"] not in case.get("without", [])]
    for item in items:
        for key, value in case.get("set", {}).get(item["uuid"], {}).items():
            if value is None:
                item.pop(key, None)
            else:
                item[key] = value
    items += case.get("extra", [])
    return items[::-1] if case.get("reverse") else items


@pytest.mark.parametrize("case", CASES["can"], ids=[c["name"] for c in CASES["can"]])
def test_can_cases(case):
    assert locks.can(case["action"], case["annotation"], case["params"]) == (
        case["allowed"], case["reason"])


@pytest.mark.parametrize("case", CASES["check"], ids=[c["name"] for c in CASES["check"]])
def test_check_accepted_cases(case):
    accepted = case.get("accepted", CASES["accepted"])
    try:
        locks.check_accepted(annotations_of(case, CASES), accepted, "response.annotations")
    except RuleError as error:
        got = {"path": error.path, "message": error.message,
               "annotation_uuid": error.annotation_uuid}
    else:
        got = None
    assert got == case["error"]
