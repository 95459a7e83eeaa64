"""The reviewers' queue page (`/review/`), its Start next review, who may use it, and what a
reviewer holding a task may load of it (docs/quality.md "A reviewer's Start").

Tasks are put in stage review through the ORM (the routing of a submit is the stages')."""

from __future__ import annotations

import pytest

from tasks import lifecycle, queue
from tasks.models import Task, TaskAttempt, TaskStage
from tests.factories import box_task, make_project, make_reviewer, make_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def rita(db):
    return make_reviewer("rita")


def in_review(account, project_name: str = "streets", **extra) -> Task:
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project=project_name, **extra))
    Task.objects.filter(pk=task.pk).update(stage=TaskStage.REVIEW)
    task.refresh_from_db()
    return task


def test_the_page_lists_the_projects_with_what_waits(client, account, project, rita):
    make_project(account, "fields")
    in_review(account)
    in_review(account)
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="streets"))  # still to work: not counted
    client.force_login(rita)
    res = client.get("/review/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "Review queue" in html and html.count("Start next review") == 2
    assert html.index("fields") < html.index("streets")
    counts = {row.project.name: row.waiting for row in res.context["rows"]}
    assert counts == {"fields": 0, "streets": 2}
    assert 'data-stat="review">2<' in html


def test_reviewers_see_only_their_projects(client, account, project, rita):
    secret = make_project(account, "secret")
    secret.reviewers.add(make_reviewer("remy"))
    client.force_login(rita)
    html = client.get("/review/").content.decode()
    assert "streets" in html and "secret" not in html
    assert client.post(f"/review/projects/{secret.pk}/start").status_code == 404


def test_start_leases_the_next_review_and_opens_its_page(client, account, project, rita):
    low = in_review(account, priority=10)
    high = in_review(account, priority=30)
    client.force_login(rita)
    res = client.post(f"/review/projects/{project.pk}/start")
    assert res.status_code == 302 and res["Location"] == f"/tasks/{high.task_id}/review/"
    high.refresh_from_db()
    assert high.claimed_by == rita and high.stage == TaskStage.REVIEW
    assert TaskAttempt.objects.get(task=high).kind == "review"
    # pressed again: the same review, and the page offers to continue it
    assert client.post(f"/review/projects/{project.pk}/start")["Location"] == res["Location"]
    html = client.get("/review/").content.decode()
    assert f"/tasks/{high.task_id}/review/" in html and "Continue review" in html
    low.refresh_from_db()
    assert low.claimed_by is None


def test_a_message_when_nothing_waits(client, account, project, rita):
    client.force_login(rita)
    res = client.post(f"/review/projects/{project.pk}/start")
    assert res.status_code == 302 and res["Location"] == "/review/"
    page = client.get(res["Location"]).content.decode()
    assert "Nothing to review in streets right now" in page


def test_taskers_who_are_not_reviewers_are_refused(client, account, project):
    in_review(account)
    client.force_login(make_tasker("tina"))
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/projects/{project.pk}/start").status_code == 403
    assert Task.objects.filter(claimed_by__isnull=False).count() == 0


def test_anonymous_users_are_sent_to_sign_in(client, project):
    res = client.get("/review/")
    assert res.status_code == 302 and res["Location"].startswith("/accounts/login/")


def test_a_reviewer_lands_on_the_review_queue_and_taskers_on_theirs(client, rita):
    client.force_login(rita)
    res = client.get("/")
    assert res.status_code == 302 and res["Location"] == "/review/"
    assert "Tasker queue" not in client.get("/review/").content.decode()
    tina = make_tasker("tina")
    client.force_login(tina)
    assert "Review queue" not in client.get("/").content.decode()


def test_someone_in_both_roles_gets_a_link_between_the_queues(client, rita):
    rita.groups.add(make_tasker("tina").groups.get())
    client.force_login(rita)
    assert 'href="/review/"' in client.get("/").content.decode()
    assert 'href="/"' in client.get("/review/").content.decode().split("<main")[0]


def test_the_reviewer_holding_a_task_may_load_its_data_and_image(client, account, project,
                                                                 rita):
    task = in_review(account)
    client.force_login(rita)
    client.post(f"/review/projects/{project.pk}/start")
    data = client.get(f"/tasks/{task.task_id}/data")
    assert data.status_code == 200 and data.json()["task_id"] == task.task_id
    assert client.get(f"/tasks/{task.task_id}/image").status_code == 302  # not fetched yet
    # Release: back in the review queue, the task still waiting for review
    res = client.post(f"/tasks/{task.task_id}/skip")
    assert res["Location"] == "/review/"
    task.refresh_from_db()
    assert task.claimed_by is None and task.stage == TaskStage.REVIEW
    client.force_login(make_reviewer("remy"))
    assert client.get(f"/tasks/{task.task_id}/data").status_code == 403


def test_a_user_in_neither_role_may_not_load_a_task(client, account, project,
                                                    django_user_model):
    task = in_review(account)
    nobody = django_user_model.objects.create_user("nobody", password="pw-nobody-1")
    Task.objects.filter(pk=task.pk).update(claimed_by=nobody,
                                           lease_expires_at="2999-01-01T00:00:00Z")
    client.force_login(nobody)
    assert client.get(f"/tasks/{task.task_id}/data").status_code == 403
    assert queue.holds(nobody, Task.objects.get(pk=task.pk))
