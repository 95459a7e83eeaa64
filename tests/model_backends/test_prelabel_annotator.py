"""Prelabel on create with annotator's own protocol: a real backend on loopback, the worker's
real jobs, the queue's hold (docs/assist.md, "Prelabel on create")."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from tasks import queue
from tasks.models import Annotation, Prelabel, Task
from tests.model_backends.conftest import GEOMETRIES, attach_backend
from tests.worker.conftest import png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]

ANSWER = [
    {"uuid": "p-box", "type": "box", "label": "car", "left": 2, "top": 3, "width": 10,
     "height": 8, "score": 0.9},
    {"uuid": "p-poly", "type": "polygon", "label": "road", "score": 0.8,
     "vertices": [{"x": 1, "y": 1}, {"x": 20, "y": 1}, {"x": 20, "y": 12}]},
    {"type": "point", "label": "sign", "x": 30.5, "y": 4.25},
    {"uuid": "p-bad", "type": "box", "label": "tree", "left": 0, "top": 0, "width": 4,
     "height": 4},  # "tree" is no box label: dropped and noted
]
EXPECTED = [
    {"uuid": "p-box", "type": "box", "label": "car", "left": 2, "top": 3, "width": 10,
     "height": 8, "attributes": {}},
    {"uuid": "p-poly", "type": "polygon", "label": "road",
     "vertices": [{"x": 1, "y": 1}, {"x": 20, "y": 1}, {"x": 20, "y": 12}], "attributes": {}},
    {"type": "point", "label": "sign", "x": 30.5, "y": 4.25, "attributes": {}},
]


def create(api, receiver, **extra) -> Task:
    body = {"project": "streets", "attachment": receiver.serve_file("/image.png", png_bytes()),
            "geometries": GEOMETRIES, **extra}
    res = api.post("task/imageannotation", body)
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def test_a_new_task_is_prelabelled_by_the_worker_before_it_is_served(
        api, account, receiver, backend_server):
    backend_server.predict_answer = {"model_version": "fixed-1", "annotations": ANSWER}
    attach_backend(account, backend_server.url)
    task = create(api, receiver)
    before = api.get(f"task/{task.task_id}").json()
    assert Prelabel.objects.get(task=task).status == "queued"
    assert not queue.free_tasks().filter(pk=task.pk).exists()  # held while queued

    assert run_jobs() == ["stored", "done"]  # the image first, then the backend

    task.refresh_from_db()
    stored = task.params["hypothesis"]["annotations"]
    generated = stored[2].pop("uuid")
    assert len(generated) >= 32
    assert stored == EXPECTED
    prelabel = Prelabel.objects.get(task=task)
    assert (prelabel.status, prelabel.model_version, prelabel.annotation_count) == (
        "done", "fixed-1", 3)
    assert prelabel.notes == ['annotations[3] left out (box tree): annotations[3].label must '
                              'be one of the box labels: "car", "bus"']
    rows = Annotation.objects.filter(task=task).order_by("position")
    assert [(r.uuid, r.source) for r in rows] == [
        ("p-box", "hypothesis"), ("p-poly", "hypothesis"), (generated, "hypothesis")]
    assert queue.free_tasks().filter(pk=task.pk).exists()

    # what the backend was sent: the image inline, in pixels, with the task's labels
    (sent,) = backend_server.bodies("/predict")
    assert sent["protocol"] == "annotator/1"
    assert base64.b64decode(sent["image"]["data"]) == png_bytes()
    assert (sent["image"]["width"], sent["image"]["height"]) == (40, 30)
    assert sent["labels"]["box"] == ["car", "bus"]
    assert sent["task"]["id"] == task.task_id

    # the customer's task is as created, plus the hypothesis
    after = api.get(f"task/{task.task_id}").json()
    assert after["params"].pop("hypothesis")["annotations"][0]["uuid"] == "p-box"
    assert after == before


def test_a_task_with_its_own_hypothesis_is_not_sent(api, account, receiver, backend_server):
    attach_backend(account, backend_server.url)
    hypothesis = {"annotations": [{"type": "box", "label": "bus", "left": 1, "top": 1,
                                   "width": 3, "height": 3}]}
    task = create(api, receiver, hypothesis=hypothesis)
    assert run_jobs() == ["stored"]
    assert not Prelabel.objects.filter(task=task).exists()
    assert backend_server.count() == 0


def test_a_failing_backend_leaves_the_task_workable(api, account, receiver, backend_server):
    backend_server.failing = True
    attach_backend(account, backend_server.url)
    task = create(api, receiver)
    assert run_jobs() == ["stored", "failed"]
    prelabel = Prelabel.objects.get(task=task)
    assert "HTTP 500" in prelabel.error
    task.refresh_from_db()
    assert "hypothesis" not in task.params
    assert queue.free_tasks().filter(pk=task.pk).exists()


def test_the_hold_ends_even_when_no_worker_answers(api, account, receiver, backend_server,
                                                   settings):
    attach_backend(account, backend_server.url)
    task = create(api, receiver)
    assert not queue.free_tasks().filter(pk=task.pk).exists()
    Prelabel.objects.filter(task=task).update(
        created_at=timezone.now() - timezone.timedelta(
            seconds=settings.ANNOTATOR_PRELABEL_HOLD_SECONDS + 1))
    assert queue.free_tasks().filter(pk=task.pk).exists()
