"""The task admin lists a video task's frames beside its tracks."""

from __future__ import annotations

import pytest

from tasks.models import Task
from tests.video.conftest import frame_body, png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("video_settings")]


def test_the_task_page_shows_the_frames(api, receiver, client, django_user_model):
    urls = [receiver.serve_file(f"/frame-{n}.png", png_bytes(30 + n, 20)) for n in range(2)]
    res = api.post("task/videoannotation", frame_body(urls, frame_rate=4))
    run_jobs()
    task = Task.objects.get(pk=res.json()["task_id"])
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-1-boss"))
    page = client.get(f"/admin/tasks/task/{task.task_id}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Video frames" in text and urls[0] in text and urls[1] in text
    assert "0.25" in text  # frame 1's timestamp at 4 frames a second


def test_an_image_task_page_has_no_frames(api, client, django_user_model):
    res = api.post("task/imageannotation", {"attachment": "https://example.com/a.png",
                                            "geometries": {"box": {}}})
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-1-boss"))
    page = client.get(f"/admin/tasks/task/{res.json()['task_id']}/change/")
    assert page.status_code == 200 and "Video frames" not in page.content.decode()
