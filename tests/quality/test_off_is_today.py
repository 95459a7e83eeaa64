"""Off is today (docs/quality.md): a project without quality settings, or with a row of the
defaults, behaves as before the quality loop: a submit completes and calls back at once, the
task JSON has no `quality` key, and a claim, a draft operation and a submit run the same
queries whether the row is there or not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks import drafts, presence, queue
from tasks.models import ProjectQuality, ReviewRound, Task, TaskStage, TaskStatus
from tests.quality.flow import FIVE, create, deliveries, project_with, signed_in, submit, tasker

pytestmark = pytest.mark.django_db


def project_of(account, name: str, settings_row: bool):
    project = project_with(account, name)
    if settings_row:
        ProjectQuality.objects.create(project=project)  # every default: off
    return project


@pytest.mark.parametrize("settings_row", [False, True], ids=["no row", "a row of defaults"])
def test_a_submit_completes_and_calls_back_at_once_with_no_quality_key(account, api,
                                                                      settings_row):
    project = project_of(account, "streets", settings_row)
    worker = tasker("tina")
    create(account)
    task = queue.claim_next(worker, project)
    res = submit(worker, task, FIVE)
    assert res.status_code == 200 and res.json()["status"] == "completed"
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.stage == TaskStage.WORK
    assert task.quality is None and not ReviewRound.objects.exists()
    (delivery,) = deliveries(task)
    assert delivery.event == "completed" and "quality" not in delivery.payload["task"]
    got = api.get(f"task/{task.task_id}").json()
    assert "quality" not in got
    listed = api.get("tasks", project="streets").json()["docs"]
    assert [doc["task_id"] for doc in listed] == [task.task_id]
    assert "quality" not in listed[0]


def count(fn, results: list | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    if results is not None:
        results.append(result)
    return len(captured.captured_queries)


def measure(account, name: str, settings_row: bool, worker) -> dict[str, int]:
    """The queries of a claim, a draft operation and a submit in a project, measured on its
    second task (the first warms every cache)."""
    project = project_of(account, name, settings_row)
    hypothesis = {"annotations": FIVE}
    for _ in range(2):
        create(account, name, hypothesis=hypothesis)
    client = signed_in(worker)
    counts: dict[str, int] = {}
    for _ in range(2):
        task: Task | None = None

        def claim(project=project) -> None:
            nonlocal task
            task = queue.claim_next(worker, project)

        counts["claim"] = count(claim)
        assert task is not None
        presence.open_session(task.task_id, worker, f"s-{task.pk}", "t1", "chan")
        op = {"op": "update", "uuid": "b1", "after": {"left": 12}, "base_version": 1}
        replies: list = []
        counts["op"] = count(lambda task=task, op=op: drafts.apply_op(
            task.task_id, worker, f"s-{task.pk}", "chan", 1, op), replies)
        assert replies[0]["type"] == "ack", replies
        counts["submit"] = count(lambda task=task: client.post(
            f"/tasks/{task.task_id}/submit", {"annotations": FIVE},
            content_type="application/json"))
        assert Task.objects.get(pk=task.pk).status == TaskStatus.COMPLETED
    return counts


def test_the_queries_are_the_same_with_or_without_the_row(account):
    worker = tasker("tina")
    without = measure(account, "plain", False, worker)
    with_defaults = measure(account, "defaults", True, worker)
    assert without == with_defaults, (without, with_defaults)
    assert all(n > 0 for n in without.values())
