"""The workbench page, its data, its image, and submit."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tasks import files, lifecycle, queue
from tasks.models import Annotation, Task
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

BOX = {"type": "box", "label": "car", "left": 10, "top": 20, "width": 30, "height": 40}


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


@pytest.fixture
def task(account, tasker):
    project = make_project(account, "streets")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="streets", hypothesis={"annotations": [BOX]},
                                        geometries={"box": {"objects_to_annotate": ["car"],
                                                            "min_width": 5}}))
    return queue.claim_next(tasker, project)


def test_holder_sees_page_and_data(client, tasker, task):
    client.force_login(tasker)
    page = client.get(f"/tasks/{task.task_id}/work/")
    assert page.status_code == 200 and b"js/workbench/main.js" in page.content
    data = client.get(f"/tasks/{task.task_id}/data").json()
    assert data["read_only"] is False
    assert data["params"]["geometries"]["box"]["objects_to_annotate"] == ["car"]
    (ann,) = data["annotations"]
    assert ann["left"] == 10 and ann["source"] == "hypothesis" and ann["version"] == 1


def test_others_get_403_and_staff_read_only(client, django_user_model, task):
    other = make_tasker("otto")  # a tasker of the same account
    client.force_login(other)
    assert client.get(f"/tasks/{task.task_id}/work/").status_code == 403
    assert client.get(f"/tasks/{task.task_id}/data").status_code == 403
    admin = django_user_model.objects.create_superuser("boss", password="pw-boss-1")
    client.force_login(admin)
    assert client.get(f"/tasks/{task.task_id}/data").json()["read_only"] is True


def test_submit_completes_and_opens_next(client, tasker, task, account):
    client.force_login(tasker)
    body = {"annotations": [BOX, {**BOX, "left": 50}]}
    res = client.post(f"/tasks/{task.task_id}/submit", body, content_type="application/json")
    assert res.status_code == 200, res.content
    assert res.json()["next_url"] == "/"
    task.refresh_from_db()
    assert task.status == "completed" and task.completed_by == tasker
    assert [a["left"] for a in task.response["annotations"]] == [10, 50]
    assert Annotation.objects.filter(task=task).count() == 2


def test_rejected_submit_names_the_annotation_and_keeps_the_task(client, tasker, task):
    client.force_login(tasker)
    small = {**BOX, "uuid": "11111111-1111-4111-8111-111111111111", "width": 2}
    res = client.post(f"/tasks/{task.task_id}/submit", {"annotations": [BOX, small]},
                      content_type="application/json")
    assert res.status_code == 400
    error = res.json()
    assert error["annotation_uuid"] == small["uuid"]
    assert "width" in error["error"]
    task.refresh_from_db()
    assert task.status == "pending" and task.claimed_by == tasker


def test_submit_needs_the_lease(client, django_user_model, task):
    other = make_tasker("otto")  # a tasker of the same account
    client.force_login(other)
    res = client.post(f"/tasks/{task.task_id}/submit", {"annotations": []},
                      content_type="application/json")
    assert res.status_code == 409
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_image_of_an_uploaded_file(client, account, tasker):
    buf = io.BytesIO()
    Image.new("RGB", (12, 8), "blue").save(buf, "PNG")
    record = files.store_file(owner=account, is_test=False, data=buf.getvalue(), fields={})
    project = make_project(account, "up")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="up", attachment=record.attachment_url))
    task = queue.claim_next(tasker, project)
    client.force_login(tasker)
    res = client.get(f"/tasks/{task.task_id}/image")
    assert res.status_code == 200 and res["Content-Type"] == "image/png"
    assert b"".join(res.streaming_content) == buf.getvalue()


def test_submit_refuses_changes_to_locked_base_annotations(client, account, tasker):
    base = {**BOX, "uuid": "22222222-2222-4222-8222-222222222222", "locked": True}
    project = make_project(account, "locks")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project="locks", base_annotations={"annotations": [base]},
                                        geometries={"box": {"objects_to_annotate": ["car"]}}))
    task = queue.claim_next(tasker, project)
    client.force_login(tasker)
    moved = {k: v for k, v in base.items() if k != "locked"} | {"left": 99}
    res = client.post(f"/tasks/{task.task_id}/submit", {"annotations": [moved]},
                      content_type="application/json")
    assert res.status_code == 400
    assert res.json()["annotation_uuid"] == base["uuid"] and "locked" in res.json()["error"]
    gone = client.post(f"/tasks/{task.task_id}/submit", {"annotations": []},
                       content_type="application/json")
    assert gone.status_code == 400 and "must keep" in gone.json()["error"]
    kept = {k: v for k, v in base.items() if k != "locked"}
    ok = client.post(f"/tasks/{task.task_id}/submit", {"annotations": [kept]},
                     content_type="application/json")
    assert ok.status_code == 200, ok.content
    row = Annotation.objects.get(task=task)
    assert row.source == "base" and row.locked is True
