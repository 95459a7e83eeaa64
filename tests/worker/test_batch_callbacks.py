"""A batch completes, and calls back, when its last pending task is done."""

from __future__ import annotations

import pytest

from tasks import lifecycle
from tasks.models import Batch, CallbackDelivery, Task
from tests.worker.conftest import a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


@pytest.fixture
def batch(api, receiver) -> Batch:
    assert api.post("projects", {"type": "imageannotation", "name": "p"}).status_code == 200
    res = api.post("batches", {"project": "p", "name": "b1",
                               "callback": receiver.url("/batch")})
    assert res.status_code == 200, res.content
    return Batch.objects.get(name="b1")


def add_task(api, receiver) -> Task:
    res = api.post("task/imageannotation", box_body(receiver, batch="b1", callback_url=None))
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def batch_posts(receiver) -> list[dict]:
    return [p.json() for p in receiver.posts() if p.path == "/batch"]


def test_last_task_done_completes_the_batch_and_calls_back(api, receiver, batch):
    first, second, third = (add_task(api, receiver) for _ in range(3))
    lifecycle.complete_task(first, a_response())
    lifecycle.cancel_task(second)
    run_jobs()
    assert Batch.objects.get(pk=batch.pk).status == "in_progress"
    assert batch_posts(receiver) == []

    lifecycle.fail_task(third, {"error": "x", "attachments": []})
    run_jobs()
    batch.refresh_from_db()
    assert batch.status == "completed" and batch.completed_at is not None
    (body,) = batch_posts(receiver)
    assert body["status"] == "completed"
    assert body["counts"] == {"pending": 0, "completed": 1, "error": 1, "canceled": 1}
    assert body["batch"]["name"] == "b1" and body["batch"]["status"] == "completed"
    assert body["batch"]["completed_at"]
    (delivery,) = CallbackDelivery.objects.filter(batch=batch)
    assert (delivery.event, delivery.status, delivery.task_id) == ("batch_completed",
                                                                   "delivered", None)
    status = api.get("batches/b1/status").json()
    assert status["status"] == "completed"


def test_a_new_task_reopens_a_completed_batch(api, receiver, batch):
    lifecycle.complete_task(add_task(api, receiver), a_response())
    assert Batch.objects.get(pk=batch.pk).status == "completed"
    late = add_task(api, receiver)
    batch.refresh_from_db()
    assert batch.status == "in_progress" and batch.completed_at is None
    lifecycle.complete_task(late, a_response())
    run_jobs()
    assert Batch.objects.get(pk=batch.pk).status == "completed"
    assert len(batch_posts(receiver)) == 2


def test_a_rejected_task_reopens_its_batch(api, receiver, batch):
    task = lifecycle.complete_task(add_task(api, receiver), a_response())
    assert api.post(f"task/{task.task_id}/audit", {"accepted": False}).status_code == 200
    assert Batch.objects.get(pk=batch.pk).status == "in_progress"


def test_a_batch_without_callback_completes_silently(api, receiver):
    api.post("projects", {"type": "imageannotation", "name": "p"})
    api.post("batches", {"project": "p", "name": "b1"})
    lifecycle.complete_task(add_task(api, receiver), a_response())
    assert Batch.objects.get(name="b1").status == "completed"
    assert not CallbackDelivery.objects.exists()
