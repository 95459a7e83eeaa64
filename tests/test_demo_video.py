"""The demo's video task: its frames are stored by the worker, the tasker gets the car as a
hypothesis track, and submitting it unchanged gives the car where each frame drew it."""

from __future__ import annotations

import base64
import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tasks import demo, queue
from tasks.demo.video import CAR_TRACK, car_box
from tasks.models import Project, Task
from tests.worker.conftest import run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_video_opens_and_submits_with_the_car_on_every_frame(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert f"'{demo.VIDEO_PROJECT}' with a {demo.FRAME_COUNT}-frame video" in out.getvalue()
    live_key = re.search(r"live_[0-9a-f]{32}", out.getvalue()).group()
    run_jobs()

    project = Project.objects.get(name=demo.VIDEO_PROJECT, owner__username=demo.ACCOUNT)
    tasker = get_user_model().objects.get(username="tasker")
    task = queue.claim_next(tasker, project)
    assert task is not None and task.type == "videoannotation"
    client = Client()
    client.force_login(tasker)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    assert len(data["video"]["frames"]) == demo.FRAME_COUNT
    assert data["video"]["events_to_annotate"] == ["crossing", "braking"]
    (track,) = data["annotations"]
    assert track["uuid"] == CAR_TRACK and [k["frame"] for k in track["keyframes"]] == [0, 39]

    assert client.post(f"/tasks/{task.task_id}/submit", "",
                       content_type="application/json").status_code == 200
    task = Task.objects.get(pk=task.pk)
    assert task.status == "completed"
    api = Client(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{live_key}:".encode()).decode())
    path = task.response["annotations"]["url"].split("://", 1)[1].split("/", 1)[1]
    res = api.get(f"/{path}")
    assert res.status_code == 200
    frames = json.loads(b"".join(res.streaming_content))
    assert len(frames) == demo.FRAME_COUNT
    for number, frame in enumerate(frames):
        (car,) = frame["annotations"]
        assert car["uuid"] == CAR_TRACK and car["label"] == "car"
        assert {k: car[k] for k in ("left", "top", "width", "height")} == car_box(number)
