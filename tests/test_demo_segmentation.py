"""The demo's segmentation project: its tasks' images and hypothesis masks are stored by the
worker, the page starts from the prelabelled sky and road, and a submit of the painted mask
completes the task with files the live key reads back."""

from __future__ import annotations

import base64
import io
import json
import re
from io import StringIO

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from PIL import Image

from tasks import demo, queue
from tasks.demo.segmentation import HORIZON, SIZE, draw_scene, expected_hypothesis
from tasks.models import Project, Task
from tests.worker.conftest import run_jobs

HILLS = [(70, 110, 70), (60, 100, 65)]  # draw_scene's two hill colours


@pytest.mark.django_db(transaction=True)
def test_the_demo_segmentation_tasks_open_on_their_prelabels_and_submit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert f"'{demo.SEGMENT_PROJECT}' with {demo.SEGMENT_TASKS} images" in out.getvalue()
    live_key = re.search(r"live_[0-9a-f]{32}", out.getvalue()).group()
    run_jobs()

    project = Project.objects.get(name=demo.SEGMENT_PROJECT, owner__username=demo.ACCOUNT)
    assert project.tasks.filter(status="pending").count() == demo.SEGMENT_TASKS
    tasker = get_user_model().objects.get(username="tasker")
    task = queue.claim_next(tasker, project)
    assert task is not None and task.type == "segmentannotation"
    client = Client()
    client.force_login(tasker)
    block = client.get(f"/tasks/{task.task_id}/data").json()["segmentation"]
    assert [label["label"] for label in block["labels"]] == ["sky", "road", "hill", "grass",
                                                             "car"]
    base = client.get(block["base"])
    start = np.asarray(Image.open(io.BytesIO(b"".join(base.streaming_content))))
    scene = task.metadata["scene"]
    assert start.shape == (SIZE[1], SIZE[0]) and (start == expected_hypothesis(scene)).all()

    painted = start.copy()
    painted[painted == 0] = 4  # grass
    painted[300:330, 100:160] = 6  # a car instance
    png = io.BytesIO()
    Image.fromarray(painted, "L").save(png, "PNG")
    body = {"mask": base64.b64encode(png.getvalue()).decode(),
            "instances": [{"index": 6, "label": "car", "attributes": {"parked": "no"}}]}
    res = client.post(f"/tasks/{task.task_id}/submit", json.dumps(body),
                      content_type="application/json")
    assert res.status_code == 200, res.content
    task = Task.objects.get(pk=task.pk)
    assert task.status == "completed"
    assert task.response["labelMapping"]["car"][0]["index"] == 6
    api = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{live_key}:".encode()).decode())
    path = task.response["annotations"]["combined"]["indexedImage"].split("://", 1)[1]
    res = api.get("/" + path.split("/", 1)[1])
    assert res.status_code == 200
    stored = np.asarray(Image.open(io.BytesIO(b"".join(res.streaming_content))))
    assert (stored == painted).all()


def test_the_prelabels_leave_every_hill_pixel_unlabeled_and_label_the_sky_around_them():
    """The module's docstring: the sky and the road are prelabelled, the hills (each scene's
    own) are left for the tasker."""
    for n in range(demo.SEGMENT_TASKS):
        pixels = np.asarray(Image.open(io.BytesIO(draw_scene(n))).convert("RGB"))
        prelabel = expected_hypothesis(n)
        hills = (pixels == HILLS[0]).all(axis=-1) | (pixels == HILLS[1]).all(axis=-1)
        above = np.zeros_like(hills)
        above[:HORIZON] = True
        assert hills[:HORIZON].sum() > 1000, n
        assert (prelabel[hills] == 0).all(), n
        assert (prelabel[above & ~hills] == 1).all(), n  # the sky, to the pixel
