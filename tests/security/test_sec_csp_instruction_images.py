"""The images of a task's instruction load only from this server, the task's own attachment
origins and the deployment's ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS (docs/workbench.md,
"Instructions"): the page's img-src and GET /data's `instruction_image_origins` say which."""

from __future__ import annotations

import pytest

from tasks.models import Task
from tests.security.test_sec_csp import directives

pytestmark = pytest.mark.django_db

INSTRUCTION = "\n".join([
    "| Label | Example |",
    "| --- | --- |",
    "| car | ![car](https://cdn.example.org:8443/car.png) |",
    "| bus | ![bus](https://allowed.example.com/bus.png \"a bus\") |",
    "",
    "![tracker](https://tracker.example.net/pixel.gif) ![own](/static/favicon.svg)",
    "![js](javascript:alert(1)) ![header](https://e.com;script-src)",
])


def use_instruction(task, **params) -> None:
    Task.objects.filter(pk=task.pk).update(
        instruction=INSTRUCTION, params={**task.params, **params},
        attachment_file="attachments/x.png")  # kept: the attachment adds no img-src itself


def test_only_the_tasks_own_and_allowed_origins_load_images(client, tasker, leased, settings):
    settings.ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS = ["https://allowed.example.com"]
    use_instruction(leased, context_attachments=[
        {"attachment": "https://cdn.example.org:8443/side.png"}])
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:", "https://allowed.example.com",
                                 "https://cdn.example.org:8443"]
    data = client.get(f"/tasks/{leased.task_id}/data").json()
    assert data["instruction_image_origins"] == ["https://allowed.example.com",
                                                 "https://cdn.example.org:8443"]


def test_without_allowed_origins_no_foreign_image_loads(client, tasker, leased, settings):
    settings.ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS = []
    use_instruction(leased)
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert client.get(f"/tasks/{leased.task_id}/data").json()["instruction_image_origins"] == []


def test_an_instruction_without_images_adds_nothing(client, tasker, leased, settings):
    settings.ANNOTATOR_INSTRUCTION_IMAGE_ORIGINS = ["https://allowed.example.com"]
    Task.objects.filter(pk=leased.pk).update(attachment_file="attachments/x.png")
    client.force_login(tasker)
    policy = directives(client.get(f"/tasks/{leased.task_id}/work/"))
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
