"""`/v1/files/upload` takes any file up to the upload limit, as Scale's does: a video uploaded
there is a video task's `scaledata://` attachment, decoded by the worker; a file that is not
what its use needs fails there, by its content (never by its name)."""

from __future__ import annotations

import pytest

from tasks.models import Task, VideoFrame
from tests.video.conftest import encode_video, run_jobs
from tests.video.test_video_frames import create, video_body
from tests.worker.conftest import png_bytes

pytestmark = pytest.mark.django_db


def upload(api, data: bytes, name: str):
    return api.client.post("/v1/files/upload", {"file": _named(data, name)})


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.usefixtures("video_settings")
def test_an_uploaded_video_is_a_video_tasks_attachment(api):
    res = upload(api, encode_video(seconds=1, fps=4), "clip.mp4")
    assert res.status_code == 200, res.content
    assert res.json()["mime_type"] == "video/mp4"
    task = create(api, video_body(res.json()["attachment_url"], frame_rate=4))
    assert run_jobs() == ["stored"]
    assert VideoFrame.objects.filter(task=task).count() == 4


def test_any_file_is_taken_and_served_back_as_a_download(api):
    html = b"<!doctype html><script>alert(document.domain)</script>"
    res = upload(api, html, "page.html")
    assert res.status_code == 200, res.content
    assert res.json()["mime_type"] == "application/octet-stream"  # by content, not the name
    content = api.get(f"/v1/files/{res.json()['id']}/content")
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == html
    assert content["Content-Type"] == "application/octet-stream"
    assert content["Content-Disposition"].startswith("attachment")
    assert content["X-Content-Type-Options"] == "nosniff"
    image = upload(api, png_bytes(), "a.png").json()
    shown = api.get(f"/v1/files/{image['id']}/content")
    assert shown["Content-Type"] == "image/png" and "attachment" not in shown.get(
        "Content-Disposition", "")


def test_an_empty_file_is_refused(api):
    res = upload(api, b"", "empty.bin")
    assert res.status_code == 400 and "empty" in res.json()["error"]


@pytest.mark.usefixtures("video_settings")
def test_a_file_that_is_not_an_image_fails_an_image_task_by_its_content(api):
    record = upload(api, b"%PDF-1.4 not an image at all", "looks-like.png").json()
    res = api.post("task/imageannotation", {
        "attachment": record["attachment_url"],
        "geometries": {"box": {"objects_to_annotate": ["car"]}}})
    assert res.status_code == 200, res.content
    assert run_jobs() == ["error"]
    task = Task.objects.get(pk=res.json()["task_id"])
    assert task.status == "error"
