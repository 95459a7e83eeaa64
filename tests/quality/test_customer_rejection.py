"""A customer's audit rejection reaches the tasker who did the task, with its comments
(docs/quality.md, docs/api-decisions.md), in every project: rework reserved for them, a
customer round and a task-level issue for the banner, nothing new in the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import lifecycle, queue
from tasks.models import Issue, ReviewRound, Task, TaskStage, TaskStatus
from tasks.quality_flow import stages
from tests.quality.flow import (
    FIVE,
    box,
    create,
    decide,
    deliveries,
    hold,
    project_with,
    reviewer,
    submit,
    tasker,
    work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tina(db):
    return tasker("tina")


@pytest.fixture
def done(account, tina):
    """A task of a project with no quality settings, completed by the tasker."""
    project = project_with(account)
    create(account)
    task = work(tina, project)
    assert task.status == TaskStatus.COMPLETED
    return task


def reject(api, task: Task, comments: str | None = "The bus is missing"):
    body: dict = {"accepted": False}
    if comments is not None:
        body["comments"] = comments
    res = api.post(f"task/{task.task_id}/audit", body)
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    return res.json()


def test_a_rejection_goes_back_to_its_tasker_with_the_comment(api, done, tina):
    before = timezone.now()
    shown = reject(api, done)
    task = done
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REWORK
    assert task.reserved_for == tina
    lease = timedelta(seconds=queue.lease_seconds())
    assert before + lease <= task.reserved_until <= timezone.now() + lease
    round_ = ReviewRound.objects.get(task=task)
    assert (round_.source, round_.verdict, round_.comment, round_.worked_by) == (
        "customer", "sent_back", "The bus is missing", tina)
    assert [a["uuid"] for a in round_.work_response["annotations"]] == [
        "b1", "b2", "b3", "b4", "b5"]
    issue = Issue.objects.get(task=task)
    assert (issue.x, issue.y, issue.source, issue.status, issue.round) == (
        None, None, "customer", "open", round_)
    comment = issue.comments.get()
    assert (comment.author, comment.text) == (None, "The bus is missing")
    # nothing new in the API: no quality key, the audit as before
    assert "quality" not in shown and task.quality is None
    assert shown["customer_review_status"] == "rejected"
    assert [d.event for d in deliveries(task)] == ["completed", "audit"]
    # no annotation is locked: an audit judges the task
    assert not task.annotations.filter(locked=True).exists()


def test_without_comments_there_is_no_issue(api, done):
    reject(api, done, comments=None)
    assert ReviewRound.objects.get(task=done).comment == ""
    assert not Issue.objects.exists()


def test_a_recall_is_reserved_for_the_tasker_too(done, tina):
    lifecycle.recall_task(done)
    done.refresh_from_db()
    assert done.stage == TaskStage.REWORK and done.reserved_for == tina
    assert ReviewRound.objects.get(task=done).source == "customer"
    assert not Issue.objects.exists()


def test_redone_it_completes_again_and_is_ready_for_the_next_audit(api, done, tina):
    reject(api, done)
    task = queue.claim_next(tina, done.project)
    assert task.pk == done.pk
    assert submit(tina, task, [*FIVE, box("b6", left=400, label="bus")]).status_code == 200
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.customer_review_status == ""
    assert task.quality is None and task.reserved_for is None
    shown = api.get(f"task/{task.task_id}").json()
    assert "customer_review_status" not in shown and "quality" not in shown
    assert [a["audit_result"] for a in shown["audits"]] == ["rejected"]
    pending = api.get("tasks", customer_review_status="pending").json()["docs"]
    assert [doc["task_id"] for doc in pending] == [task.task_id]
    assert [d.event for d in deliveries(task)] == ["completed", "audit", "completed"]


def test_with_review_on_the_redone_task_goes_to_review(account, api, tina):
    project = project_with(account, review_mode="all")
    rev = reviewer("rev1")
    create(account)
    task = hold(rev, work(tina, project))
    assert decide(rev, task, "accept").json()["status"] == "completed"
    task.refresh_from_db()
    reject(api, task, "Wrong labels")
    assert task.quality["stage"] == "rework"  # a reviewed task keeps its quality key
    assert task.quality["review"]["status"] == "pending"  # its redo will be reviewed
    again = queue.claim_next(tina, project)
    assert submit(tina, again, FIVE).status_code == 200
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW and task.reserved_for is None
    assert list(ReviewRound.objects.filter(task=task).values_list("number", "source")) == [
        (1, "internal"), (2, "customer"), (3, "internal")]


def test_a_merged_task_goes_back_to_anyone(account, api):
    project_with(account)
    parent = create(account)
    parent.stage = TaskStage.CONSENSUS
    stages.merged(parent, {"annotations": [box("b1")]},
                  {"taskers": 3, "agreement": 0.9, "kept": 1, "dropped": 0, "objects": []})
    parent.refresh_from_db()
    assert parent.status == TaskStatus.COMPLETED and parent.completed_by is None
    reject(api, parent)
    assert parent.stage == TaskStage.REWORK and parent.reserved_for is None
    assert parent.reserved_until is None


def test_another_tasker_gets_it_only_after_the_reservation(api, done, tina):
    reject(api, done)
    otto = tasker("otto")
    assert queue.claim_next(otto, done.project) is None  # first refusal: tina's
    Task.objects.filter(pk=done.pk).update(reserved_until=timezone.now() - timedelta(seconds=1))
    taken = queue.claim_next(otto, done.project)
    assert taken is not None and taken.pk == done.pk and taken.claimed_by == otto


def test_its_tasker_gets_it_first_whatever_the_queue_holds(account, api, done, tina):
    create(account, priority=30)  # a newer task of a higher priority
    reject(api, done)
    assert queue.claim_next(tina, done.project).pk == done.pk
