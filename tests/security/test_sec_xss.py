"""Text from API keys never runs as script in a page: instruction, labels, metadata,
attribute text, names, tags and ids carrying <script> and event-handler payloads appear
escaped on the queue page, the workbench page, the login page and the admin's changelist and
change pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tasks import lifecycle, projects, queue
from tasks.models import Annotation, Batch, CallbackDelivery, Project, UploadedFile
from tests.factories import make_project
from tests.security.conftest import png_bytes

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x1")</script>'
IMG = "\"'><img src=x onerror=alert('x2')>"
SVG = "</textarea></pre><svg onload=alert(3)>"
NAME = '<script>alert("x1")'  # names may not contain "/"
# What must never reach a page unescaped: an element an attacker opened.
FORBIDDEN = [re.compile(p, re.I) for p in
             (r"<script>alert", r"<img src=x", r"<svg onload", r"</textarea></pre><svg")]


def hostile_body(project: str, batch: str) -> dict:
    return {
        "attachment": "https://example.com/a.png",
        "project": project,
        "batch": batch,
        "instruction": f"# {SCRIPT}\n\n{IMG} [click](javascript:alert(4)) {SVG}",
        "geometries": {"box": {"objects_to_annotate": [SCRIPT, IMG,
                                                       {"choice": SVG, "subchoices": ["ok"]}]}},
        "annotation_attributes": {
            "note": {"type": "text", "description": IMG},
            "kind": {"type": "category", "description": SCRIPT, "choices": [SCRIPT, SVG]},
        },
        "hypothesis": {"annotations": [{"uuid": "h1", "type": "box", "label": SCRIPT,
                                        "left": 1, "top": 1, "width": 10, "height": 10,
                                        "attributes": {"note": SVG, "kind": SCRIPT}}]},
        "metadata": {"name": SCRIPT, IMG: SVG},
        "tags": [SCRIPT, IMG[:40]],
        "unique_id": IMG,
        "callback_url": "https://example.com/hook",
    }


@pytest.fixture
def hostile(account, tasker):
    """A project, batch, task (leased to the tasker, then completed) and file full of
    payloads."""
    project = make_project(account, NAME)
    projects.create_batch(owner=account, is_test=False, body={"project": NAME, "name": IMG,
                                                               "metadata": {"m": SVG}})
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=hostile_body(NAME, IMG))
    task = queue.claim_next(tasker, project)
    from tasks import files

    files.store_file(owner=account, is_test=False, data=png_bytes(),
                     fields={"display_name": SCRIPT, "reference_id": IMG,
                             "metadata": {"x": SVG}}, default_name=IMG)
    return task


def assert_escaped(html: str, where: str, *expected: str) -> None:
    for pattern in FORBIDDEN:
        assert not pattern.search(html), f"{where}: unescaped {pattern.pattern!r}"
    for text in expected:
        assert text in html, f"{where}: {text!r} not shown"


def test_the_queue_page_escapes_project_names(client, tasker, hostile):
    client.force_login(tasker)
    html = client.get("/").content.decode()
    assert_escaped(html, "queue", "&lt;script&gt;alert(&quot;x1&quot;)")


def test_the_workbench_page_escapes_and_its_data_is_json(client, tasker, hostile):
    client.force_login(tasker)
    page = client.get(f"/tasks/{hostile.task_id}/work/")
    assert page.status_code == 200
    assert_escaped(page.content.decode(), "work page", "&lt;script&gt;")
    data = client.get(f"/tasks/{hostile.task_id}/data")
    assert data["Content-Type"] == "application/json"
    assert data["X-Content-Type-Options"] == "nosniff"
    assert data.json()["instruction"].startswith(f"# {SCRIPT}")  # as sent, for textContent


def test_the_login_page_escapes_its_next_parameter(client):
    html = client.get("/accounts/login/", {"next": f"/{IMG}{SCRIPT}"}).content.decode()
    assert_escaped(html, "login", "&lt;img src=x")


def admin_pages(task) -> list[str]:
    project = Project.objects.get(name=NAME)
    batch = Batch.objects.get(name=IMG)
    file = UploadedFile.objects.get(display_name=SCRIPT)
    pages = [reverse("admin:tasks_task_changelist"),
             reverse("admin:tasks_task_changelist") + "?q=" + "x1",
             reverse("admin:tasks_task_change", args=[task.task_id]),
             reverse("admin:tasks_project_changelist"),
             reverse("admin:tasks_project_change", args=[project.pk]),
             reverse("admin:tasks_batch_changelist"),
             reverse("admin:tasks_batch_change", args=[batch.pk]),
             reverse("admin:tasks_uploadedfile_changelist"),
             reverse("admin:tasks_uploadedfile_change", args=[file.pk]),
             "/admin/stats/"]
    delivery = CallbackDelivery.objects.filter(task=task).first()
    if delivery is not None:
        pages += [reverse("admin:tasks_callbackdelivery_changelist"),
                  reverse("admin:tasks_callbackdelivery_change", args=[delivery.pk])]
    return pages


def test_the_admin_escapes_every_string_of_a_task(client, staff, tasker, hostile):
    from tasks import submission

    submission.submit(hostile, tasker, {"annotations": [
        {"uuid": "h1", "type": "box", "label": SCRIPT, "left": 1, "top": 1, "width": 10,
         "height": 10, "attributes": {"note": SVG, "kind": SCRIPT}}]})
    assert Annotation.objects.filter(task=hostile, label=SCRIPT).exists()
    assert CallbackDelivery.objects.filter(task=hostile).exists()
    client.force_login(staff)
    shown = ""
    for url in admin_pages(hostile):
        res = client.get(url)
        assert res.status_code == 200, (url, res.status_code)
        html = res.content.decode()
        assert_escaped(html, url)
        shown += html
    # They were shown (escaped), not dropped.
    assert "&lt;script&gt;alert(" in shown and "&lt;svg onload=alert(3)&gt;" in shown
    assert "&lt;img src=x onerror=alert(" in shown
