"""Exports of a project holding video tasks: Scale JSON lines carries them as they are; the image
formats (COCO, YOLO, VOC) have no frames or tracks, so they leave them out and say so."""

from __future__ import annotations

import orjson
import pytest

from tests.video.conftest import frame_body

pytestmark = pytest.mark.django_db

FRAMES = [f"https://example.com/frames/{n}.jpg" for n in range(3)]
TRACK = {"uuid": "car-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40}]}


@pytest.fixture
def video_task(test_api) -> dict:
    assert test_api.post("projects", {"type": "videoannotation", "name": "clips"}).status_code \
        == 200
    res = test_api.post("task/videoannotation", frame_body(
        FRAMES, project="clips", hypothesis={"annotations": [TRACK]}))
    assert res.json()["status"] == "completed", res.content
    return res.json()


def test_scale_lines_carry_the_video_task_with_its_file_urls(test_api, video_task):
    res = test_api.get("exports/scale", project="clips")
    assert res.status_code == 200
    (line,) = b"".join(res.streaming_content).splitlines()
    task = orjson.loads(line)
    assert task["task_id"] == video_task["task_id"]
    assert task["response"]["annotations"]["url"].endswith("/files/annotations.json")


@pytest.mark.parametrize("fmt", ["coco", "yolo", "voc"])
def test_image_formats_leave_video_tasks_out_and_report_them(test_api, video_task, fmt):
    res = test_api.get(f"exports/{fmt}", project="clips")
    assert res.status_code == 200
    report = orjson.loads(res["X-Export-Report"])
    assert report["tasks"] == 0 and report["images"] == 0
    text = res["X-Export-Report"]
    assert "video task" in text and "Scale JSON lines" in text
