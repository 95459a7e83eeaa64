"""A task back in review after rework (docs/quality.md "Review mode"): the annotations the
reviewer accepted before sending it back, unchanged since, start the new round accepted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tasks import queue
from tasks.models import (
    Annotation,
    AnnotationVerdict,
    Issue,
    IssueStatus,
    ReviewRound,
    Task,
    TaskStage,
)
from tasks.quality_flow import page, stages
from tests.quality.flow import (
    FIVE,
    box,
    create,
    decide,
    hold,
    project_with,
    reviewer,
    sent_back,
    submit,
)
from tests.quality.flow import tasker as make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def reworked(account):
    """b1..b4 accepted and b5 rejected in round 1; the tasker fixed b5 and submitted again."""
    project = project_with(account, review_mode="all")
    worker, rev = make_worker("tina"), reviewer("rev1")
    task = sent_back(account, project, worker, rev)
    res = submit(worker, task, [*FIVE[:4], box("b5", left=260, label="bus")])
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW
    return task, rev


def test_the_accepted_annotations_start_round_two_accepted(reworked):
    task, _rev = reworked
    second = ReviewRound.objects.get(task=task, number=2)
    carried = dict(AnnotationVerdict.objects.filter(round=second)
                   .values_list("uuid", "verdict"))
    assert carried == {"b1": "accepted", "b2": "accepted", "b3": "accepted", "b4": "accepted"}
    shown = page.page_quality(Task.objects.get(pk=task.pk))["quality"]
    assert shown["round"] == 2
    assert {u: v["verdict"] for u, v in shown["verdicts"].items()} == carried  # b5: none


def test_an_immediate_accept_reports_them_accepted(reworked):
    task, rev = reworked
    res = decide(rev, hold(rev, task), "accept")
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    assert task.quality["review"]["annotations"] == {"accepted": 4, "rejected": 0}


def test_an_annotation_changed_since_is_not_carried(account):
    project = project_with(account, review_mode="all")
    worker, rev = make_worker("tina"), reviewer("rev1")
    task = sent_back(account, project, worker, rev)
    previous = stages.last_round(task)
    # b2's row no longer matches what was accepted (rework locks it; a row changed anyhow)
    row = Annotation.objects.get(task=task, uuid="b2")
    row.geometry = {**row.geometry, "left": 1}
    row.save()
    new = ReviewRound.objects.create(task=task, number=previous.number + 1)
    stages._carry_accepted(task, previous, new)
    carried = set(AnnotationVerdict.objects.filter(round=new).values_list("uuid", flat=True))
    assert carried == {"b1", "b3", "b4"}


def test_accepting_the_task_closes_its_open_and_resolved_issues(reworked):
    task, rev = reworked
    now = timezone.now()
    resolved = Issue.objects.create(task=task, uuid="i1", status=IssueStatus.RESOLVED,
                                    opened_by=rev, opened_at=now)
    still_open = Issue.objects.create(task=task, uuid="i2", status=IssueStatus.OPEN,
                                      opened_by=rev, opened_at=now)
    assert decide(rev, hold(rev, task), "accept").status_code == 200
    for issue in (resolved, still_open):
        issue.refresh_from_db()
        assert (issue.status, issue.closed_by, issue.closed_at is not None) == (
            "closed", rev, True)
    task.refresh_from_db()
    assert task.quality["review"]["issues"]["closed"] >= 2
    assert task.quality["review"]["issues"]["open"] == 0
    assert task.quality["review"]["issues"]["resolved"] == 0


def test_a_submit_into_review_answers_review(account):
    project = project_with(account, review_mode="all")
    worker = make_worker("tina")
    create(account)
    task = queue.claim_next(worker, project)
    res = submit(worker, task, FIVE)
    assert res.status_code == 200 and res.json()["status"] == "review"
    # back from rework, into review again: review too
    rev = reviewer("rev1")
    held = hold(rev, Task.objects.get(pk=task.pk))
    assert decide(rev, held, "send_back", "b5 is wrong").status_code == 200
    again = queue.claim_next(worker, project)
    assert submit(worker, again, FIVE).json()["status"] == "review"
