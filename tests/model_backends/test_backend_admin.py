"""The admin of model backends: the "test connection" action against a real backend, the
project's field, and a task's prelabel on its page (docs/assist.md)."""

from __future__ import annotations

import pytest

from tasks.models import ModelBackend, Prelabel, Project
from tests.factories import make_project
from tests.model_backends.conftest import attach_backend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


def test_test_connection_reports_health_and_failures(admin_client, account, backend_server):
    live = attach_backend(account, backend_server.url)
    dead = ModelBackend.objects.create(owner=account, name="dead", url="http://127.0.0.1:9")
    res = admin_client.post("/admin/tasks/modelbackend/", {
        "action": "test_connection", "_selected_action": [live.pk, dead.pk], "index": 0,
        "select_across": 0}, follow=True)
    text = "\n".join(str(m) for m in res.context["messages"])
    assert "detector: ok, model version fixed-1, capabilities predict, interact" in text
    assert "dead: " in text and "could not connect" in text
    assert backend_server.count("/health") == 1
    dead.refresh_from_db()
    assert dead.failures == 1


def test_the_project_names_only_its_accounts_backends(admin_client, account, django_user_model):
    other = django_user_model.objects.create(username="other")
    ModelBackend.objects.create(owner=other, name="not-ours", url="https://o.example")
    mine = ModelBackend.objects.create(owner=account, name="ours", url="https://m.example")
    project = make_project(account, "streets")
    page = admin_client.get(f"/admin/tasks/project/{project.pk}/change/").content.decode()
    assert "ours" in page and "not-ours" not in page
    assert Project.objects.get(pk=project.pk).model_backend is None
    assert mine.pk


def test_a_tasks_page_shows_its_prelabel(admin_client, api, account, receiver,
                                         backend_server):
    from tests.worker.conftest import png_bytes, run_jobs

    backend_server.failing = True
    attach_backend(account, backend_server.url)
    res = api.post("task/imageannotation", {
        "project": "streets", "attachment": receiver.serve_file("/i.png", png_bytes()),
        "geometries": {"box": {"objects_to_annotate": ["car"]}}})
    run_jobs()
    task_id = res.json()["task_id"]
    assert Prelabel.objects.get(task_id=task_id).status == "failed"
    page = admin_client.get(f"/admin/tasks/task/{task_id}/change/").content.decode()
    assert "prelabel from the model backend" in page.lower()
    assert "<b>failed</b> · backend detector" in page and "HTTP 500" in page
