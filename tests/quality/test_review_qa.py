"""Bugs found by trying the quality loop as its users would (docs/quality.md), each with the
test that failed before its fix."""

from __future__ import annotations

import pytest

from tasks.models import Annotation, TaskStage, TaskStatus
from tests.quality.flow import (
    accept_verdicts,
    create,
    decide,
    deliveries,
    hold,
    project_with,
    reviewer,
    tasker,
    work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(account):
    project = project_with(account, review_mode="all")
    create(account)
    return work(tasker("tina"), project)


def test_accept_is_refused_while_a_rejected_annotation_is_left_as_it_was(in_review):
    """A reviewer rejected b5, then pressed Shift+Enter: the task was completed and called
    back with the box its reviewer had judged wrong."""
    rev = reviewer("rev1")
    task = hold(rev, in_review)
    accept_verdicts(task, ["b1", "b2", "b3", "b4"], {"b5": "not a car"})
    res = decide(rev, task, "accept")
    assert res.status_code == 400
    body = res.json()
    assert body["status_code"] == 400 and body["annotation_uuid"] == "b5"
    assert body["path"] == "response.annotations[4]"
    assert "rejected in this review" in body["error"] and "send the task back" in body["error"]
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REVIEW
    assert task.claimed_by == rev and deliveries(task) == []


@pytest.mark.parametrize("fix", ["moved", "relabelled", "deleted"])
def test_a_rejected_annotation_fixed_or_deleted_lets_the_accept_through(in_review, fix):
    rev = reviewer("rev1")
    task = hold(rev, in_review)
    accept_verdicts(task, [], {"b5": "not a car"})
    rows = Annotation.objects.filter(task=task, uuid="b5")
    if fix == "moved":
        rows.update(geometry={"left": 215, "top": 20, "width": 30, "height": 40})
    elif fix == "relabelled":
        rows.update(label="bus")
    else:
        rows.delete()
    res = decide(rev, task, "accept")
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "completed"
    task.refresh_from_db()
    assert task.quality["review"]["status"] == "fixed"
    assert len(deliveries(task)) == 1
