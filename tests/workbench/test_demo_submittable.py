"""Every demo task can be opened and submitted as the workbench would send it (its draft's
annotations, global attributes and links), and fails only where a rule says so."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tasks import demo, queue
from tasks.models import Project, Task
from tests.factories import make_tasker

pytestmark = pytest.mark.django_db
META = ("source", "locked", "version")


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=StringIO())


def page_body(data: dict) -> dict:
    """What the page submits when the tasker changed nothing."""
    body = {"annotations": [{k: v for k, v in a.items() if k not in META}
                            for a in data["annotations"]]}
    defs = data["params"].get("annotation_attributes") or {}
    if any((d.get("conditions") or {}).get("is_global") for d in defs.values()):
        body["global_attributes"] = data["global_attributes"]
    if data["params"].get("links"):
        body["links"] = data["links"]
    return body


def test_every_demo_task_opens_and_submits_unchanged(client, loaded, django_user_model):
    tasker = make_tasker("demo-tasker")
    project = Project.objects.get(name=demo.PROJECT, owner__username=demo.ACCOUNT)
    project.taskers.add(tasker)  # the demo project names its taskers
    client.force_login(tasker)
    submitted = 0
    kinds = set()
    while (task := queue.claim_next(tasker, project)) is not None:
        data = client.get(f"/tasks/{task.task_id}/data").json()
        hypothesis = task.params.get("hypothesis") or {}
        assert data["global_attributes"] == hypothesis.get("global_attributes", {})
        assert data["links"] == hypothesis.get("links", [])
        assert len(data["context"]) == len(task.params.get("context_attachments") or [])
        res = client.post(f"/tasks/{task.task_id}/submit", page_body(data),
                          content_type="application/json")
        assert res.status_code == 200, (task.metadata, res.json())
        kinds.update(d.get("type", "category") for d in
                     (task.params.get("annotation_attributes") or {}).values())
        submitted += 1
    assert submitted == Task.objects.filter(project=project).count()
    assert {"category", "number", "text", "angle", "linked", "x_line", "y_line"} <= kinds


def test_a_new_demo_vehicle_needs_its_required_attribute(client, loaded, django_user_model):
    tasker = make_tasker("demo-tasker")
    project = Project.objects.get(name=demo.PROJECT, owner__username=demo.ACCOUNT)
    project.taskers.add(tasker)  # the demo project names its taskers
    client.force_login(tasker)
    while (task := queue.claim_next(tasker, project)) is not None:
        if "box" in task.params["geometries"] and \
                "is_parked" in (task.params.get("annotation_attributes") or {}):
            break
        queue.release(task, tasker)
        Task.objects.filter(pk=task.pk).update(status="canceled")
    data = client.get(f"/tasks/{task.task_id}/data").json()
    body = page_body(data)
    new = {"uuid": "55555555-5555-4555-8555-000000000001", "type": "box", "label": "Car",
           "left": 10, "top": 10, "width": 40, "height": 30, "attributes": {}}
    body["annotations"].append(new)
    res = client.post(f"/tasks/{task.task_id}/submit", body, content_type="application/json")
    assert res.status_code == 400
    assert res.json()["annotation_uuid"] == new["uuid"] and "is_parked" in res.json()["error"]
    new["attributes"] = {"is_parked": "no", "speed_kmh": 35, "centre_line": 20}
    res = client.post(f"/tasks/{task.task_id}/submit", body, content_type="application/json")
    assert res.status_code == 200, res.json()
