"""The Assist right after a tasker claims a new image task: the worker has not stored the
image yet, so the endpoint fetches the original itself (the worker's SSRF-safe fetch, over
real HTTP on loopback) once, keeps it, and answers (docs/assist.md, "The image")."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tasks import lifecycle, queue
from tasks.assist import task_image
from tasks.models import Task
from tests.assist import scenes
from tests.factories import box_task, make_project, make_tasker
from tests.worker.conftest import Receiver, receiver  # noqa: F401 (the loopback server)

pytestmark = pytest.mark.django_db

GEOMETRIES = {"polygon": {"objects_to_annotate": ["blob"], "max_vertices": 16}}


@pytest.fixture
def loopback_allowed(settings):
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    return settings


def claimed_task(account, url: str) -> tuple[Task, Client]:
    """A new image task whose image the worker has not stored (no job run), claimed by a
    tasker (an image task may be claimed at once; a mask task waits for its media)."""
    tasker = make_tasker("tina")
    make_project(account, "fresh")
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="fresh", attachment=url,
                                               geometries=GEOMETRIES))
    assert not task.attachment_file and not task.attachment_mime  # not stored
    claimed = queue.claim_next(tasker, task.project)
    assert claimed is not None and claimed.pk == task.pk
    client = Client(enforce_csrf_checks=True)
    client.force_login(tasker)
    client.get("/")
    return claimed, client


def post(client: Client, task: Task, body: dict):
    return client.post(f"/tasks/{task.task_id}/assist", json.dumps(body),
                       content_type="application/json",
                       headers={"X-CSRFToken": client.cookies["csrftoken"].value})


def box_around(truth) -> dict:
    x0, y0, x1, y1 = truth.bounds
    return {"tool": "box", "box": [x0 - 10, y0 - 10, x1 + 10, y1 + 10]}


def image_gets(server: Receiver) -> int:
    with server.lock:
        return sum(1 for r in server.received if r.method == "GET" and r.path == "/scene.png")


def test_a_task_claimed_before_its_image_is_stored_is_assisted_from_its_original(
        account, loopback_allowed, receiver, scene):  # noqa: F811
    data, truth, _ = scene
    url = receiver.serve_file("/scene.png", data)
    task, client = claimed_task(account, url)
    res = post(client, task, box_around(truth))
    assert res.status_code == 200, res.content
    shape = res.json()["shape"]
    assert scenes.iou([(v["x"], v["y"]) for v in shape["vertices"]], truth) >= 0.9
    assert image_gets(receiver) == 1
    assert f"original:{task.task_id}" in task_image.fetched_originals()
    # the next clicks use the kept original: no second fetch
    assert post(client, task, box_around(truth)).status_code == 200
    assert image_gets(receiver) == 1
    # nothing was stored on the task: the worker's copy is still the worker's to make
    task.refresh_from_db()
    assert not task.attachment_file and not task.attachment_mime


def test_once_the_worker_stored_the_copy_it_is_used_and_the_url_is_not_fetched(
        account, loopback_allowed, receiver, scene):  # noqa: F811
    from tests.worker.conftest import run_jobs

    data, truth, _ = scene
    url = receiver.serve_file("/scene.png", data)
    task, client = claimed_task(account, url)
    run_jobs()  # the worker stores the copy
    task.refresh_from_db()
    assert task.attachment_file and task.attachment_width == 800
    fetched = image_gets(receiver)
    assert post(client, task, box_around(truth)).status_code == 200
    assert image_gets(receiver) == fetched
    assert task.attachment_file.name in task_image.cached_names()


def test_an_original_that_cannot_be_fetched_is_503_saying_why(
        account, loopback_allowed, receiver, scene):  # noqa: F811
    _, truth, _ = scene
    url = receiver.serve_file("/scene.png", b"missing", status=404, content_type="text/plain")
    task, client = claimed_task(account, url)
    res = post(client, task, box_around(truth))
    assert res.status_code == 503, res.content
    body = res.json()
    assert body["status_code"] == 503 and "could not be fetched yet" in body["error"]
    assert "404" in body["error"]


def test_the_original_is_fetched_under_the_fetch_rules(account, settings, receiver, scene):  # noqa: F811
    """Loopback allowed at create only: the assist's fetch is refused as the worker's is."""
    data, truth, _ = scene
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    url = receiver.serve_file("/scene.png", data)
    task, client = claimed_task(account, url)
    settings.ANNOTATOR_FETCH_ALLOW = []
    res = post(client, task, box_around(truth))
    assert res.status_code == 503 and "ANNOTATOR_FETCH_ALLOW" in res.json()["error"], res.content
    assert image_gets(receiver) == 0


def test_an_original_over_the_upload_limit_is_refused(account, loopback_allowed, receiver, scene):  # noqa: F811
    data, truth, _ = scene
    loopback_allowed.ANNOTATOR_MAX_UPLOAD_BYTES = len(data) - 1
    url = receiver.serve_file("/scene.png", data)
    task, client = claimed_task(account, url)
    res = post(client, task, box_around(truth))
    assert res.status_code == 503, res.content
    assert f"original:{task.task_id}" not in task_image.fetched_originals()
