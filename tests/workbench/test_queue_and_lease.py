"""The queue page, Start next task, leases and Skip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import lifecycle, projects, queue
from tasks.models import Annotation, Task
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


def create(account, **extra) -> Task:
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets", **extra))


def test_queue_shows_projects_with_pending_counts(client, tasker, project, account):
    create(account)
    create(account)
    client.force_login(tasker)
    res = client.get("/")
    assert res.status_code == 200
    html = res.content.decode()
    assert "streets" in html and "Start next task" in html
    assert [r.pending for r in queue.queue_rows(tasker)] == [2]


def test_non_taskers_are_refused_and_anonymous_redirected(client, django_user_model):
    assert client.get("/").status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody", password="x-y-z-1"))
    assert client.get("/").status_code == 403


def test_start_next_takes_highest_priority_then_oldest(client, tasker, project, account):
    low = create(account, priority=10)
    old_high = create(account, priority=30)
    create(account, priority=30)
    client.force_login(tasker)
    res = client.post(f"/projects/{project.pk}/start")
    assert res.status_code == 302 and res["Location"] == f"/tasks/{old_high.task_id}/work/"
    old_high.refresh_from_db()
    assert old_high.claimed_by == tasker and old_high.work_started is True
    assert old_high.lease_expires_at > timezone.now()
    # Asking again gives the same task back, not a second one.
    again = client.post(f"/projects/{project.pk}/start")
    assert again["Location"] == f"/tasks/{old_high.task_id}/work/"
    low.refresh_from_db()
    assert low.claimed_by is None


def test_two_taskers_never_get_the_same_task(tasker, django_user_model, project, account):
    create(account)
    create(account)
    other = make_tasker("otto")
    first = queue.claim_next(tasker, project)
    second = queue.claim_next(other, project)
    assert first and second and first.pk != second.pk
    third = queue.claim_next(make_tasker("ula"), project)
    assert third is None


def test_expired_lease_returns_task_to_queue(tasker, django_user_model, project, account):
    create(account)
    task = queue.claim_next(tasker, project)
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    other = make_tasker("otto")
    assert queue.claim_next(other, project).pk == task.pk


def test_skip_releases(client, tasker, project, account):
    task = create(account)
    client.force_login(tasker)
    client.post(f"/projects/{project.pk}/start")
    res = client.post(f"/tasks/{task.task_id}/skip")
    assert res.status_code == 302
    task.refresh_from_db()
    assert task.claimed_by is None


def test_skip_discards_the_draft(client, tasker, project, account):
    hypothesis = {"annotations": [{"type": "box", "label": "car", "left": 1, "top": 2,
                                   "width": 30, "height": 40}]}
    task = create(account, hypothesis=hypothesis)
    client.force_login(tasker)
    client.post(f"/projects/{project.pk}/start")
    Annotation.objects.filter(task=task).update(geometry={"left": 99, "top": 2, "width": 30,
                                                          "height": 40})
    client.post(f"/tasks/{task.task_id}/skip")
    (row,) = Annotation.objects.filter(task=task)
    assert row.geometry["left"] == 1


def test_taskers_see_only_their_projects(client, tasker, django_user_model, project, account):
    other_project = make_project(account, "secret")
    other_project.taskers.add(make_tasker("otto"))
    client.force_login(tasker)
    html = client.get("/").content.decode()
    assert "streets" in html and "secret" not in html
    assert client.post(f"/projects/{other_project.pk}/start").status_code == 404


def test_test_tasks_never_reach_the_queue(tasker, project, account):
    projects.create_project(owner=account, is_test=True,
                             body={"type": "imageannotation", "name": "streets"})
    lifecycle.create_task(owner=account, is_test=True, task_type="imageannotation",
                          body=box_task(project="streets"))
    assert queue.claim_next(tasker, project) is None
