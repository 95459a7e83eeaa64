"""Annotations a reviewer accepted come back locked in rework (docs/quality.md): the shared
case file, then the draft operations and the submits the server refuses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tasks import submission
from tasks.models import Annotation, AnnotationVerdict, Task, TaskStage
from tasks.rules import locks
from tasks.rules.errors import RuleError
from tests.quality.flow import FIVE, box, project_with, reviewer, sent_back, submit, tasker
from tests.realtime.conftest import Socket, run, task_path

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


# --- the draft operations and the submits of a task in rework ---------------------------------

LOCKED = "This annotation was accepted in review and is locked"
MOVED_B1 = ("response.annotations[0] changes the geometry of annotation b1, which was accepted "
            "in review")


@pytest.fixture
def rework(account, db):
    """A task back in rework with b1..b4 accepted (locked) and b5 rejected, held by its
    tasker."""
    project = project_with(account, review_mode="all")
    worker = tasker("tina")
    return sent_back(account, project, worker, reviewer("rev1")), worker


@pytest.mark.django_db(transaction=True)
def test_an_operation_on_an_accepted_annotation_is_refused_as_a_lock(account):
    Socket.cookies = {}
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    project = project_with(account, review_mode="all")
    worker = tasker("tina")
    task = sent_back(account, project, worker, reviewer("rev1"))

    async def scenario():
        ws = await Socket(worker, task_path(task)).open()
        welcome = await ws.hello()
        meta = {a["uuid"]: a["locked"] for a in welcome["annotations"]}
        assert meta == {"b1": True, "b2": True, "b3": True, "b4": True, "b5": False}
        moved = await ws.op(1, {"op": "update", "uuid": "b1", "after": {"left": 99},
                                "base_version": 1})
        assert (moved["type"], moved["kind"], moved["reason"], moved["uuid"]) == (
            "reject", "lock", LOCKED, "b1")
        assert moved["annotation"]["left"] == 60 and moved["annotation"]["locked"] is True
        gone = await ws.op(2, {"op": "delete", "uuid": "b2", "base_version": 1})
        assert (gone["kind"], gone["reason"]) == ("lock", LOCKED)
        relabel = await ws.op(3, {"op": "batch", "ops": [
            {"op": "update", "uuid": "b5", "after": {"label": "bus"}, "base_version": 1},
            {"op": "update", "uuid": "b3", "after": {"label": "bus"}, "base_version": 1}]})
        assert (relabel["kind"], relabel["uuid"]) == ("lock", "b3")
        fixed = await ws.op(4, {"op": "update", "uuid": "b5", "after": {"label": "bus"},
                                "base_version": 1})
        assert fixed["type"] == "ack"
        await ws.close()

    run(scenario)
    rows = {a.uuid: a for a in Annotation.objects.filter(task=task)}
    assert rows["b1"].geometry["left"] == 60 and "b2" in rows
    assert rows["b3"].label == "car" and rows["b5"].label == "bus"
    assert AnnotationVerdict.objects.get(uuid="b5").revised is True


def test_an_explicit_submit_that_moves_an_accepted_annotation_is_refused(rework):
    task, worker = rework
    res = submit(worker, task, [box("b1", left=61), *FIVE[1:]])
    assert res.status_code == 400
    assert res.json() == {"status_code": 400, "error": MOVED_B1, "annotation_uuid": "b1",
                          "path": "response.annotations[0]"}
    gone = submit(worker, task, [*FIVE[:2], *FIVE[3:]])
    assert gone.status_code == 400 and gone.json()["annotation_uuid"] == "b3"
    assert gone.json()["error"] == ("response.annotations must keep annotation b3: it was "
                                    "accepted in review")
    task.refresh_from_db()
    assert task.stage == TaskStage.REWORK and task.claimed_by == worker


def test_a_draft_submit_is_checked_against_the_accepted_annotations(rework):
    task, worker = rework
    # a draft that lost its locks (an old session's): the submit still holds to them
    Annotation.objects.filter(task=task, uuid="b4").update(label="bus", locked=False)
    with pytest.raises(submission.SubmitRejected) as refused:
        submission.submit_draft(task, worker, {})
    assert refused.value.extra["annotation_uuid"] == "b4"
    assert refused.value.message == ("response.annotations[3].label of annotation b4 cannot "
                                     "change: it was accepted in review")
    Annotation.objects.filter(task=task, uuid="b4").update(label="car")
    submission.submit_draft(task, worker, {})
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW


def test_a_submit_that_keeps_the_accepted_annotations_goes_through(rework):
    task, worker = rework
    res = submit(worker, task, [*FIVE[:4], box("b5", left=300, label="bus"),
                                box("n1", left=400)])
    assert res.status_code == 200, res.content
    assert Task.objects.get(pk=task.pk).stage == TaskStage.REVIEW
