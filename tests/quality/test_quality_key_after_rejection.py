"""The task's `quality` key after a customer's rejection (docs/api-decisions.md "Quality"):
its review status says the redo waits, and the consensus block of a redone merged task names
only the objects the delivered response holds."""

from __future__ import annotations

import pytest

from tasks import queue
from tasks.models import TaskStage, TaskStatus
from tasks.quality_flow import stages
from tests.quality.flow import (
    FIVE,
    box,
    create,
    decide,
    hold,
    project_with,
    reviewer,
    submit,
    tasker,
    work,
)

pytestmark = pytest.mark.django_db


def reject(api, task) -> None:
    res = api.post(f"task/{task.task_id}/audit", {"accepted": False, "comments": "No"})
    assert res.status_code == 200, res.content
    task.refresh_from_db()


def test_a_rejected_reviewed_task_is_pending_review_again(account, api):
    project = project_with(account, review_mode="all")
    tina, rev = tasker("tina"), reviewer("rev1")
    create(account)
    task = hold(rev, work(tina, project))
    assert decide(rev, task, "accept").status_code == 200
    task.refresh_from_db()
    assert task.quality["review"]["status"] == "accepted"
    reject(api, task)
    assert task.quality["stage"] == "rework"
    assert task.quality["review"]["status"] == "pending"
    assert api.get(f"task/{task.task_id}").json()["quality"]["review"]["status"] == "pending"
    again = queue.claim_next(tina, project)
    assert submit(tina, again, FIVE[:4]).status_code == 200
    task.refresh_from_db()
    assert (task.stage, task.quality["review"]["status"]) == (TaskStage.REVIEW, "pending")
    assert decide(rev, hold(rev, task), "accept").status_code == 200
    task.refresh_from_db()
    assert task.quality["stage"] == "completed"
    assert task.quality["review"]["status"] == "accepted"


def test_a_redone_merged_task_lists_only_the_objects_it_delivers(account, api):
    project_with(account)
    parent = create(account)
    parent.stage = TaskStage.CONSENSUS
    report = {"taskers": 3, "agreement": 0.9, "kept": 2, "dropped": 1, "objects": [
        {"uuid": "b1", "agreement": 0.95, "kept": True},
        {"uuid": "b2", "agreement": 0.85, "kept": True},
        {"uuid": "x9", "agreement": 0.2, "kept": False}]}
    stages.merged(parent, {"annotations": [box("b1"), box("b2", left=200)]}, report)
    parent.refresh_from_db()
    assert parent.quality["consensus"]["objects"] == {"b1": 0.95, "b2": 0.85}
    reject(api, parent)
    ula = tasker("ula")
    again = queue.claim_next(ula, parent.project)
    assert again is not None and again.pk == parent.pk
    assert submit(ula, again, [box("b1"), box("n1", left=300)]).status_code == 200
    parent.refresh_from_db()
    assert parent.status == TaskStatus.COMPLETED
    assert parent.quality["consensus"] == {"taskers": 3, "agreement": 0.9, "kept": 1,
                                           "dropped": 1, "objects": {"b1": 0.95}}
    shown = api.get(f"task/{parent.task_id}").json()
    assert shown["quality"]["consensus"]["objects"] == {"b1": 0.95}
