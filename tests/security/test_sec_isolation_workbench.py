"""Isolation of the browser side: a tasker opens only the tasks leased to them (work page,
data, image, submit, skip), non-taskers and strangers open none, and the admin is for staff
only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tasks import lifecycle, projects
from tasks.models import Task
from tests.factories import box_task, make_project
from tests.security.conftest import BOX

pytestmark = pytest.mark.django_db

PAGES = ("/tasks/{id}/work/", "/tasks/{id}/data", "/tasks/{id}/image",
         "/tasks/{id}/context/0", "/tasks/{id}/tiles/0/0_0.jpg")


def submit(client, task_id: str):
    return client.post(f"/tasks/{task_id}/submit", {"annotations": [BOX]},
                       content_type="application/json")


def test_the_holder_opens_their_task(client, tasker, leased):
    client.force_login(tasker)
    assert client.get(f"/tasks/{leased.task_id}/work/").status_code == 200
    assert client.get(f"/tasks/{leased.task_id}/data").status_code == 200
    image = client.get(f"/tasks/{leased.task_id}/image")  # not fetched yet: the original
    assert image.status_code == 302 and image["Location"] == "https://example.com/image.png"


def test_another_tasker_opens_nothing_and_changes_nothing(client, other_tasker, leased,
                                                          tasker):
    client.force_login(other_tasker)
    for page in PAGES:
        assert client.get(page.format(id=leased.task_id)).status_code == 403, page
    res = submit(client, leased.task_id)
    assert res.status_code == 409 and "no longer yours" in res.json()["error"]
    client.post(f"/tasks/{leased.task_id}/skip")
    task = Task.objects.get(pk=leased.pk)
    assert task.claimed_by == tasker and task.status == "pending"
    assert [a.uuid for a in task.annotations.all()] == ["b1"]


def test_a_lapsed_lease_opens_nothing(client, tasker, leased):
    Task.objects.filter(pk=leased.pk).update(lease_expires_at=timezone.now()
                                             - timedelta(seconds=1))
    client.force_login(tasker)
    for page in PAGES:
        assert client.get(page.format(id=leased.task_id)).status_code == 403, page
    assert submit(client, leased.task_id).status_code == 409


def test_users_who_are_not_taskers_open_nothing(client, account, leased):
    account.set_password("pw-acme-123")
    account.save()
    client.force_login(account)
    assert client.get("/").status_code == 403
    for page in PAGES:
        assert client.get(page.format(id=leased.task_id)).status_code == 403, page
    assert client.post(f"/projects/{leased.project_id}/start").status_code == 403
    assert submit(client, leased.task_id).status_code == 403
    assert client.post(f"/tasks/{leased.task_id}/skip").status_code == 403


def test_strangers_are_sent_to_the_login_page(client, leased):
    for page in ("/", *PAGES):
        res = client.get(page.format(id=leased.task_id))
        assert res.status_code == 302 and res["Location"].startswith("/accounts/login/"), page
    for action in (f"/projects/{leased.project_id}/start", f"/tasks/{leased.task_id}/skip"):
        assert client.post(action).status_code == 302
    assert submit(client, leased.task_id).status_code == 302


def test_a_project_that_names_its_taskers_is_closed_to_others(client, account, tasker,
                                                              other_tasker):
    project = make_project(account, "private")
    project.taskers.add(tasker)
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="private"))
    client.force_login(other_tasker)
    assert b"private" not in client.get("/").content
    assert client.post(f"/projects/{project.pk}/start").status_code == 404
    assert Task.objects.get(project=project).claimed_by is None


def test_test_key_tasks_never_reach_the_queue(client, account, tasker):
    project = projects.create_project(owner=account, is_test=True,
                                       body={"type": "imageannotation", "name": "sandbox"})
    client.force_login(tasker)
    assert b"sandbox" not in client.get("/").content
    assert client.post(f"/projects/{project.pk}/start").status_code == 404


# --- the admin --------------------------------------------------------------------------------

def admin_urls() -> list[str]:
    urls = ["/admin/", "/admin/stats/", "/media/uploads/x.png"]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


def test_the_admin_is_closed_to_taskers_and_api_accounts(client, tasker, account, leased):
    for user in (tasker, account):
        client.force_login(user)
        for url in admin_urls():
            res = client.get(url)
            assert res.status_code == 302 and "/admin/login/" in res["Location"], (url, res)
        task_page = reverse("admin:tasks_task_change", args=[leased.task_id])
        assert client.get(task_page).status_code == 302


def test_an_admin_login_with_tasker_credentials_is_refused(client, tasker):
    res = client.post("/admin/login/", {"username": "tina", "password": "pw-tina-1",
                                        "next": "/admin/"})
    assert res.status_code == 200 and b"staff account" in res.content
    assert client.get("/admin/").status_code == 302


def test_staff_without_permissions_see_no_model(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-1",
                                                  is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("admin:tasks_task_changelist")).status_code == 403


def test_superusers_open_the_admin(client, staff, leased):
    client.force_login(staff)
    for url in admin_urls()[:2] + [reverse("admin:tasks_task_changelist")]:
        assert client.get(url).status_code == 200, url
