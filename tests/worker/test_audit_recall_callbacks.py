"""Audits and recalls: the callbacks they fire, and the response loaded back as rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tasks import lifecycle
from tasks.errors import ApiError
from tasks.models import Annotation, CallbackDelivery, Task
from tests.worker.conftest import BOX, a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]

BASE = {"uuid": "base-1", "type": "box", "label": "bus", "left": 10, "top": 10, "width": 5,
        "height": 5, "attributes": {}, "locked": True}
MOVED_BASE = {**{k: v for k, v in BASE.items() if k != "locked"}, "left": 10}
HYPOTHESIS = {"uuid": "hyp-1", "type": "box", "label": "car", "left": 0, "top": 0, "width": 2,
              "height": 2, "attributes": {}}


@pytest.fixture
def done(api, receiver) -> Task:
    """A completed task with a base annotation, a hypothesis, and the first callback sent."""
    body = box_body(receiver, base_annotations={"annotations": [BASE]},
                    hypothesis={"annotations": [HYPOTHESIS]})
    res = api.post("task/imageannotation", body)
    assert res.status_code == 200, res.content
    task = Task.objects.get(pk=res.json()["task_id"])
    lifecycle.complete_task(task, a_response(BOX, MOVED_BASE, HYPOTHESIS))
    run_jobs()
    assert len(receiver.posts()) == 1
    return Task.objects.get(pk=task.pk)


def last_post(receiver) -> dict:
    return receiver.posts()[-1].json()


def test_accepted_audit_fires_a_callback(api, receiver, done):
    res = api.post(f"task/{done.task_id}/audit", {"accepted": True, "comments": "fine"})
    assert res.status_code == 200
    run_jobs()
    body = last_post(receiver)
    assert len(receiver.posts()) == 2
    assert body["status"] == "completed" and body["response"] == done.response
    assert body["task"]["audits"][0]["audit_result"] == "accepted"
    assert body["task"]["audits"][0]["comments"] == "fine"
    assert CallbackDelivery.objects.filter(task=done, event="audit").count() == 1


def test_rejected_audit_sends_the_task_back_with_its_response_as_rows(api, receiver, done):
    res = api.post(f"task/{done.task_id}/audit", {"accepted": False, "comments": "redo"})
    assert res.status_code == 200
    task_after = res.json()
    assert task_after["status"] == "pending" and "response" not in task_after
    assert "completed_at" not in task_after
    run_jobs()
    body = last_post(receiver)
    assert body["status"] == "pending"
    assert body["response"] == done.response  # what was rejected
    assert body["task"]["audits"][-1]["audit_result"] == "rejected"
    rows = {a.uuid: a for a in Annotation.objects.filter(task=done)}
    assert list(rows) == ["a1", "base-1", "hyp-1"]
    assert (rows["a1"].source, rows["a1"].locked) == ("tasker", False)
    assert (rows["base-1"].source, rows["base-1"].locked) == ("base", True)
    assert rows["hyp-1"].source == "tasker"
    assert rows["a1"].as_json() == BOX


def test_recall_round_trip(api, receiver, done):
    recalled = done.response
    task = lifecycle.recall_task(done)
    assert task is done  # the caller's object follows the change
    assert task.status == "pending" and task.response is None
    run_jobs()
    body = last_post(receiver)
    assert body["status"] == "pending" and body["response"] == recalled
    assert CallbackDelivery.objects.filter(task=done, event="recall").count() == 1
    assert sorted(Annotation.objects.filter(task=done).values_list("uuid", flat=True)) == [
        "a1", "base-1", "hyp-1"]
    with pytest.raises(ApiError, match="only completed tasks can be recalled"):
        lifecycle.recall_task(task)
    # The task can be done again, and that calls back again.
    lifecycle.complete_task(task, a_response(BOX))
    run_jobs()
    assert last_post(receiver)["status"] == "completed"
    assert len(receiver.posts()) == 3


def test_recall_action_in_the_task_admin(client, receiver, done, api):
    admin_user = get_user_model().objects.create_superuser("root", "r@example.com", "pw-12345")
    client.force_login(admin_user)
    pending = api.post("task/imageannotation", box_body(receiver)).json()["task_id"]
    res = client.post("/admin/tasks/task/", {"action": "recall_tasks",
                                             "_selected_action": [done.task_id, pending]},
                      follow=True)
    assert res.status_code == 200
    text = res.content.decode()
    assert "Recalled 1 task(s)." in text and "only completed tasks can be recalled" in text
    assert Task.objects.get(pk=done.task_id).status == "pending"
    run_jobs()
    assert last_post(receiver)["task_id"] == done.task_id


def test_response_loading_ignores_broken_annotations(done):
    lifecycle.load_response(done, {"annotations": [BOX, BOX, {"type": "box"}, "x", None]})
    assert list(Annotation.objects.filter(task=done).values_list("uuid", flat=True)) == ["a1"]
    lifecycle.load_response(done, None)
    assert not Annotation.objects.filter(task=done).exists()
