"""The review page and the review's state in GET /data (docs/workbench.md, "Review mode"):
who opens /tasks/<id>/review/, and the `quality` block the page is built from, in three
queries whatever the number of annotations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import lifecycle
from tasks.accounts import ensure_reviewer
from tasks.models import Task, TaskStage
from tasks.models.reviews import AnnotationVerdict, Issue, IssueComment, ReviewRound
from tasks.quality_flow.page import page_quality
from tests.factories import box_task, make_tasker

pytestmark = pytest.mark.django_db


def boxes(n: int) -> list[dict]:
    return [{"uuid": f"a{i}", "type": "box", "label": "car", "left": 10 + i, "top": 10,
             "width": 20, "height": 20} for i in range(n)]


@pytest.fixture
def people(db):
    return {"tasker": make_tasker("tara"), "reviewer": ensure_reviewer("rev1", "pw-rev1-1")[0]}


def task_in(account, stage: str, holder, n: int = 3) -> Task:
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(hypothesis={"annotations": boxes(n)}))
    Task.objects.filter(pk=task.pk).update(
        stage=stage, claimed_by=holder, lease_expires_at=timezone.now() + timedelta(minutes=10))
    task.refresh_from_db()
    return task


def at(minutes: int):
    return timezone.now() - timedelta(minutes=minutes)


def test_review_block_the_page_is_built_from(client, account, people):
    tasker, reviewer = people["tasker"], people["reviewer"]
    task = task_in(account, TaskStage.REVIEW, reviewer)
    first = ReviewRound.objects.create(task=task, number=1, worked_by=tasker, reviewer=reviewer,
                                       verdict="sent_back", comment="the fifth box is a van",
                                       created_at=at(30), decided_at=at(20))
    AnnotationVerdict.objects.create(round=first, uuid="a0", verdict="rejected", reason="old")
    current = ReviewRound.objects.create(task=task, number=2, worked_by=tasker,
                                         reviewer=reviewer, created_at=at(5))
    AnnotationVerdict.objects.create(round=current, uuid="a1", verdict="accepted")
    AnnotationVerdict.objects.create(round=current, uuid="a2", verdict="rejected",
                                     reason="not a car", revised=True)
    pinned = Issue.objects.create(task=task, uuid="i1", round=first, x=12.5, y=30,
                                  annotation_uuid="a2", status="resolved", opened_by=reviewer,
                                  opened_at=at(25))
    IssueComment.objects.create(issue=pinned, author=reviewer, text="look", created_at=at(25))
    IssueComment.objects.create(issue=pinned, author=tasker, text="fixed", created_at=at(10))
    Issue.objects.create(task=task, uuid="i0", round=current, x=None, y=None, source="customer",
                         opened_at=at(40))
    client.force_login(reviewer)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    quality = data["quality"]
    assert quality["mode"] == "review"
    assert quality["round"] == 2
    assert quality["banner"]["by"] == "rev1"
    assert quality["banner"]["comment"] == "the fifth box is a van"
    assert quality["verdicts"] == {
        "a1": {"verdict": "accepted", "reason": "", "revised": False},
        "a2": {"verdict": "rejected", "reason": "not a car", "revised": True}}
    assert [i["uuid"] for i in quality["issues"]] == ["i0", "i1"], "in the order opened"
    assert quality["issues"][0] == {"uuid": "i0", "x": None, "y": None, "frame": None,
                                    "annotation_uuid": None, "status": "open", "comments": []}
    assert quality["issues"][1]["annotation_uuid"] == "a2"
    assert [(c["author"], c["text"]) for c in quality["issues"][1]["comments"]] == \
        [("rev1", "look"), ("tara", "fixed")]
    assert data["read_only"] is False


def test_rework_banner_names_the_reviewer_or_the_customer(account, people):
    tasker, reviewer = people["tasker"], people["reviewer"]
    task = task_in(account, TaskStage.REWORK, tasker)
    ReviewRound.objects.create(task=task, number=1, worked_by=tasker, reviewer=reviewer,
                               verdict="sent_back", comment="redo the van", decided_at=at(1))
    quality = page_quality(task)["quality"]
    assert quality["mode"] == "rework"
    assert (quality["banner"]["by"], quality["banner"]["comment"]) == ("rev1", "redo the van")
    ReviewRound.objects.create(task=task, number=2, source="customer", verdict="sent_back",
                               worked_by=tasker, comment="wrong labels", created_at=at(0))
    banner = page_quality(task)["quality"]["banner"]
    assert banner["by"] is None and banner["comment"] == "wrong labels"


def test_no_block_and_no_query_outside_review_and_rework(account, people):
    task = task_in(account, TaskStage.WORK, people["tasker"])
    ReviewRound.objects.create(task=task, number=1, verdict="sent_back", comment="x")
    with CaptureQueriesContext(connection) as captured:
        assert page_quality(task) == {}
    assert not captured.captured_queries
    task.stage = TaskStage.REWORK
    task.status = "completed"
    assert page_quality(task) == {}, "a task that is not pending has no review to show"


def test_data_in_review_costs_three_queries_more_than_in_work(client, account, people):
    reviewer = people["reviewer"]
    small, big = task_in(account, TaskStage.WORK, reviewer, 2), task_in(account, TaskStage.WORK,
                                                                         reviewer, 400)
    client.force_login(reviewer)
    client.get(f"/tasks/{small.task_id}/data")

    def count(task) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/tasks/{task.task_id}/data").status_code == 200
        return len(captured.captured_queries)

    work = count(small)
    for task in (small, big):
        Task.objects.filter(pk=task.pk).update(stage=TaskStage.REVIEW)
        review_round = ReviewRound.objects.create(task=task, number=1, reviewer=reviewer)
        AnnotationVerdict.objects.bulk_create(
            AnnotationVerdict(round=review_round, uuid=f"a{i}", verdict="accepted")
            for i in range(2))
        issue = Issue.objects.create(task=task, uuid="i1", x=1, y=2)
        IssueComment.objects.create(issue=issue, author=reviewer, text="see")
    assert count(small) == work + 3
    assert count(big) == work + 3


def test_who_opens_the_review_page(client, account, people, django_user_model):
    tasker, reviewer = people["tasker"], people["reviewer"]
    task = task_in(account, TaskStage.REVIEW, reviewer)
    url = f"/tasks/{task.task_id}/review/"
    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-mode="review"' in html
    assert f'data-decide-url="/tasks/{task.task_id}/review/decide"' in html
    assert 'data-read-only="false"' in html
    client.force_login(tasker)
    assert client.get(url).status_code == 403
    staff = django_user_model.objects.create_user("boss", password="pw-boss-1", is_staff=True)
    client.force_login(staff)
    watched = client.get(url)
    assert watched.status_code == 200 and 'data-read-only="true"' in watched.content.decode()
    # the holder of a task that is not in review has its work page
    Task.objects.filter(pk=task.pk).update(stage=TaskStage.REWORK)
    client.force_login(reviewer)
    moved = client.get(url)
    assert moved.status_code == 302 and moved["Location"] == f"/tasks/{task.task_id}/work/"
    # and the work page says it is the work page
    assert 'data-mode="work"' in client.get(moved["Location"]).content.decode()


def test_a_re_review_reserved_for_the_reviewer_waits_in_their_queue(client, account, people):
    """After a rework the task comes back to the reviewer who sent it back first: their review
    queue counts it (Start is enabled) while the first refusal lasts, nobody else's does."""
    from tasks import projects

    tasker, reviewer = people["tasker"], people["reviewer"]
    other = ensure_reviewer("rev2", "pw-rev2-1")[0]
    project = projects.create_project(owner=account, is_test=False,
                                      body={"type": "imageannotation", "name": "reviewed"})
    task = task_in(account, TaskStage.REVIEW, tasker)
    Task.objects.filter(pk=task.pk).update(
        project=project, claimed_by=None, lease_expires_at=None, reserved_for=reviewer,
        reserved_until=timezone.now() + timedelta(minutes=10))

    def waiting(user) -> int:
        client.force_login(user)
        page = client.get("/review/")
        assert page.status_code == 200
        return {row.project.name: row.waiting for row in page.context["rows"]}["reviewed"]

    assert waiting(reviewer) == 1
    assert waiting(other) == 0
    Task.objects.filter(pk=task.pk).update(reserved_until=timezone.now() - timedelta(minutes=1))
    assert waiting(reviewer) == 1, "counted once when the first refusal is over"
    assert waiting(other) == 1
