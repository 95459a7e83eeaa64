"""POST /tasks/<id>/assist: the holder of a task gets a shape from a prompt on the task's
stored image; everyone else, bad prompts, empty regions and a busy server get the contract's
error shape (docs/assist.md)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from tasks import lifecycle, queue
from tasks.assist import providers, task_image
from tasks.models import Task
from tasks.models.tasks import TaskStage
from tests.assist import scenes
from tests.factories import box_task, make_project, make_reviewer, make_tasker

pytestmark = pytest.mark.django_db

GEOMETRIES = {"polygon": {"objects_to_annotate": ["blob"], "max_vertices": 16},
              "box": {"objects_to_annotate": ["blob"]}}


@pytest.fixture
def tasker(account):
    return make_tasker("tina")


@pytest.fixture
def leased(account, tasker, scene):
    """A task with its image stored (as the worker leaves it), leased to `tasker`."""
    make_project(account, "blobs")
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="blobs", geometries=GEOMETRIES))
    name = default_storage.save(f"attachments/{task.task_id}/0.png", ContentFile(scene[0]))
    Task.objects.filter(pk=task.pk).update(attachment_file=name, attachment_width=800,
                                           attachment_height=600, attachment_mime="image/png")
    claimed = queue.claim_next(tasker, task.project)
    assert claimed is not None and claimed.pk == task.pk
    return claimed


@pytest.fixture
def browser(tasker) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(tasker)
    client.get("/")
    return client


def post(client: Client, task: Task, body: object, *, csrf: bool = True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(f"/tasks/{task.task_id}/assist", data, content_type="application/json",
                       headers=headers)


def vertices(res) -> list[tuple[float, float]]:
    shape = res.json()["shape"]
    assert shape["type"] == "polygon"
    return [(v["x"], v["y"]) for v in shape["vertices"]]


def test_box_prompt_returns_the_outline(browser, leased, scene):
    _, truth, _ = scene
    x0, y0, x1, y1 = truth.bounds
    res = post(browser, leased, {"tool": "box", "box": [x0 - 10, y0 - 10, x1 + 10, y1 + 10]})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["source"] == "opencv" and body["model_version"] is None
    assert isinstance(body["ms"], int)
    assert scenes.iou(vertices(res), truth) >= 0.9
    assert all(round(x, 2) == x and round(y, 2) == y for x, y in vertices(res))


def test_the_geometrys_max_vertices_caps_the_polygon(browser, leased, scene):
    _, truth, centre = scene
    res = post(browser, leased, {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]})
    assert res.status_code == 200, res.content
    assert 3 <= len(vertices(res)) <= 16  # geometries.polygon.max_vertices
    assert scenes.iou(vertices(res), truth) >= 0.85
    res = post(browser, leased, {"tool": "click", "max_vertices": 6,
                                 "points": [{"x": centre[0], "y": centre[1]}]})
    assert len(vertices(res)) <= 6


def test_box_geometry_returns_the_bounding_box(browser, leased, scene):
    _, truth, centre = scene
    res = post(browser, leased, {"tool": "click", "geometry": "box",
                                 "points": [{"x": centre[0], "y": centre[1]}]})
    assert res.status_code == 200, res.content
    shape = res.json()["shape"]
    assert set(shape) == {"type", "left", "top", "width", "height"} and shape["type"] == "box"
    x0, y0, x1, y1 = truth.bounds
    assert abs(shape["left"] - x0) < 6 and abs(shape["top"] - y0) < 6
    assert abs(shape["left"] + shape["width"] - x1) < 6


def test_scissors_and_snap(browser, leased, scene):
    _, truth, _ = scene
    img, _, centre, axes, angle = scenes.ellipse_scene(800, 600)
    clicks = scenes.ellipse_outline_points(centre, axes, angle, 6)
    res = post(browser, leased, {"tool": "scissors",
                                 "points": [{"x": x, "y": y} for x, y in clicks]})
    assert res.status_code == 200, res.content
    assert scenes.iou(vertices(res), truth) >= 0.9
    sloppy = scenes.ellipse_outline_points(centre, axes, angle, 16, grow=(7, -6))
    res = post(browser, leased, {"tool": "snap", "vertices": [{"x": x, "y": y}
                                                              for x, y in sloppy]})
    assert res.status_code == 200, res.content
    assert scenes.iou(vertices(res), truth) > scenes.iou(sloppy, truth)


@pytest.mark.parametrize("body, word", [
    ({"tool": "lasso"}, "tool"),
    ({"tool": "box"}, "box"),
    ({"tool": "box", "box": [1, 2, "x", 4]}, "box[2]"),
    ({"tool": "box", "box": [5000, 5000, 5100, 5100]}, "box"),
    ({"tool": "click", "points": [{"x": 1, "y": 2, "positive": False}]}, "positive click"),
    ({"tool": "click", "points": [{"x": -10, "y": 2}]}, "outside"),
    ({"tool": "click", "points": [{"x": 10, "y": 2}], "tolerance": 300}, "tolerance"),
    ({"tool": "scissors", "points": [{"x": 10, "y": 2}]}, "scissors"),
    ({"tool": "snap", "vertices": [{"x": 1}]}, "vertices[0].y"),
    ({"tool": "snap", "vertices": [{"x": 1, "y": 1}] * 3}, "distinct"),
    ({"tool": "click", "points": [{"x": 10, "y": 2}], "max_vertices": 2}, "max_vertices"),
    ({"tool": "click", "points": [{"x": 10, "y": 2}], "geometry": "cuboid"}, "geometry"),
    ([1, 2], "object"),
    (b"{not json", "JSON"),
])
def test_bad_prompts_are_400_in_the_error_shape(browser, leased, body, word):
    res = post(browser, leased, body)
    assert res.status_code == 400, res.content
    error = res.json()
    assert error["status_code"] == 400 and word in error["error"]


def test_a_geometry_the_task_lacks_is_400(browser, account, tasker, leased):
    Task.objects.filter(pk=leased.pk).update(
        params={**Task.objects.get(pk=leased.pk).params,
                "geometries": {"box": {"objects_to_annotate": ["blob"]}}})
    res = post(browser, leased, {"tool": "click", "points": [{"x": 10, "y": 10}]})
    assert res.status_code == 400 and "polygon" in res.json()["error"]


def test_nothing_found_is_422(browser, leased):
    flat = io.BytesIO()
    Image.new("RGB", (800, 600), (128, 128, 128)).save(flat, "PNG")
    name = default_storage.save("attachments/flat.png", ContentFile(flat.getvalue()))
    Task.objects.filter(pk=leased.pk).update(attachment_file=name)
    res = post(browser, leased, {"tool": "box", "box": [100, 100, 300, 300]})
    assert res.status_code == 422, res.content
    assert res.json() == {"status_code": 422, "error": "nothing found there"}


def test_the_token_is_needed(browser, leased):
    res = post(browser, leased, {"tool": "click", "points": [{"x": 10, "y": 10}]}, csrf=False)
    assert res.status_code == 403


def test_only_the_holder_may_assist(account, leased, scene):
    other = Client()
    other.force_login(make_tasker("otto"))
    res = other.post(f"/tasks/{leased.task_id}/assist", {"tool": "box"},
                     content_type="application/json")
    assert res.status_code == 404
    assert res.json()["status_code"] == 404
    anonymous = Client().post(f"/tasks/{leased.task_id}/assist", {"tool": "box"},
                              content_type="application/json")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    missing = other.post("/tasks/nope/assist", {}, content_type="application/json")
    assert missing.status_code == 404


def test_an_expired_lease_is_404(browser, leased, scene):
    Task.objects.filter(pk=leased.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1))
    res = post(browser, leased, {"tool": "click", "points": [{"x": 10, "y": 10}]})
    assert res.status_code == 404


def test_the_reviewer_holding_a_task_in_review_may_assist(account, leased, scene):
    reviewer = make_reviewer("rev1", account=account)
    Task.objects.filter(pk=leased.pk).update(claimed_by=reviewer, stage=TaskStage.REVIEW)
    client = Client()
    client.force_login(reviewer)
    _, _, centre = scene
    res = client.post(f"/tasks/{leased.task_id}/assist",
                      {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]},
                      content_type="application/json")
    assert res.status_code == 200, res.content


def test_busy_when_every_cv_slot_is_taken(browser, leased, scene):
    _, _, centre = scene
    taken = 0
    try:
        while providers.CV_SLOTS.acquire(blocking=False):
            taken += 1
        assert taken == providers.CV_CONCURRENCY
        res = post(browser, leased, {"tool": "click",
                                     "points": [{"x": centre[0], "y": centre[1]}]})
        assert res.status_code == 503
        assert res.json() == {"status_code": 503, "error": "assist busy"}
    finally:
        for _ in range(taken):
            providers.CV_SLOTS.release()
    res = post(browser, leased, {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]})
    assert res.status_code == 200


def test_the_decoded_image_is_kept_for_the_next_click(browser, leased, scene):
    _, _, centre = scene
    click = {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]}
    assert post(browser, leased, click).status_code == 200
    name = Task.objects.get(pk=leased.pk).attachment_file.name
    assert task_image.cached_names()[-1] == name
    default_storage.delete(name)  # the next click reads nothing from storage
    assert post(browser, leased, click).status_code == 200


def test_a_registered_provider_answers_and_an_unavailable_one_falls_back(browser, leased, scene):
    _, _, centre = scene
    calls = []

    class Fixed:
        name = "fixed-model"

        def assist(self, task, prompt, image, max_vertices):
            calls.append((task.pk, prompt.tool, image.width, max_vertices))
            return providers.Answer(self.name, box=(10, 20, 30, 40), model_version="v7")

    class Down:
        name = "down-model"

        def assist(self, task, prompt, image, max_vertices):
            raise providers.Unavailable("connection refused")

    click = {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]}
    try:
        providers.register("test", lambda task, prompt: Fixed())
        res = post(browser, leased, click)
        assert res.status_code == 200, res.content
        assert res.json()["source"] == "fixed-model" and res.json()["model_version"] == "v7"
        assert res.json()["shape"]["vertices"][2] == {"x": 40, "y": 60}
        assert calls == [(leased.pk, "click", 800, 16)]
        providers.register("test", lambda task, prompt: Down())
        res = post(browser, leased, click)
        assert res.json()["source"] == "opencv"
        assert "down-model unavailable: connection refused" in res.json()["note"]
    finally:
        providers.unregister("test")


def test_django_start_up_imports_no_cv2_nor_numpy():
    code = ("import sys, django; django.setup(); import annotator.urls, annotator.asgi; "
            "print(sorted(m for m in ('cv2', 'numpy', 'tasks.assist.cv') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120, check=True,
                         env={**os.environ,
                              "DJANGO_SETTINGS_MODULE": "annotator.settings"})
    assert out.stdout.strip() == "[]", out.stdout  # numpy neither: the memory budget


def test_a_segmentation_task_is_assisted_with_polygons_only(account, tasker, scene):
    """A mask task has no `geometries`: its kind offers polygons (the page fills the mask with
    the returned one, docs/segmentation.md "Assist"); a box prompt for a box is refused."""
    make_project(account, "masks", type="segmentannotation")
    task = lifecycle.create_task(owner=account, is_test=False, task_type="segmentannotation",
                                 body={"project": "masks", "attachment": "https://example.com/a.png",
                                       "labels": ["blob", "ground"]})
    name = default_storage.save(f"attachments/{task.task_id}/0.png", ContentFile(scene[0]))
    Task.objects.filter(pk=task.pk).update(attachment_file=name, attachment_width=800,
                                           attachment_height=600, attachment_mime="image/png")
    claimed = queue.claim_next(tasker, task.project)
    assert claimed is not None and claimed.pk == task.pk
    client = Client(enforce_csrf_checks=True)
    client.force_login(tasker)
    client.get("/")
    _, truth, _ = scene
    x0, y0, x1, y1 = truth.bounds
    res = post(client, claimed, {"tool": "box", "box": [x0 - 10, y0 - 10, x1 + 10, y1 + 10]})
    assert res.status_code == 200, res.content
    assert scenes.iou(vertices(res), truth) >= 0.9
    res = post(client, claimed, {"tool": "box", "geometry": "box",
                                 "box": [x0 - 10, y0 - 10, x1 + 10, y1 + 10]})
    assert res.status_code == 400 and "box" in res.json()["error"], res.content
