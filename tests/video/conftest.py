"""Fixtures for the video tests: the worker's local receiver, and real videos made with PyAV."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import pytest
from PIL import Image

from tests.factories import make_tasker
from tests.live import conftest as live_fixtures
from tests.realtime import conftest as realtime_fixtures
from tests.worker import conftest as worker_fixtures
from tests.worker.conftest import png_bytes, run_jobs  # noqa: F401 - for the tests here

# Fixtures of other folders the video tests use: the worker's local receiver, the live
# sessions' WebSocket clients, and the real server process.
receiver = worker_fixtures.receiver
worker_settings = worker_fixtures.worker_settings
socket_for = realtime_fixtures.socket_for
fresh_channel_layer = realtime_fixtures.fresh_channel_layer
live_server_process = live_fixtures.live_server_process
image_server = live_fixtures.image_server


def frame_colour(index: int) -> tuple[int, int, int]:
    """The solid colour of frame `index` of encode_video: its red tells the frame."""
    return (min(index * 8, 255), 90, 160)


def encode_video(seconds: float = 3, fps: int = 10, size: tuple[int, int] = (64, 48),
                 container: str = "mp4", codec: str = "mpeg4") -> bytes:
    """A real video: `seconds` × `fps` solid frames, frame i coloured frame_colour(i)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", size, frame_colour(index))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return buffer.getvalue()


@pytest.fixture
def video_settings(worker_settings):
    return worker_settings


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


def claimed_video_task(api, receiver, tasker, frame_count: int, *, project: str | None = None,
                       **body: object):
    """A video task of `frame_count` 160 × 120 frames served by `receiver`, its frames stored
    by the worker, and claimed by `tasker` (in `project`, made first when given)."""
    from tasks import queue
    from tasks.models import Task

    if project is not None:
        made = api.post("projects", {"type": "videoannotation", "name": project})
        assert made.status_code == 200, made.content
        body["project"] = project
    urls = [receiver.serve_file(f"/f{n}.png", png_bytes(160, 120)) for n in range(frame_count)]
    res = api.post("task/videoannotation", frame_body(urls, **body))
    assert res.status_code == 200, res.content
    assert run_jobs() == ["stored"]
    task = Task.objects.get(pk=res.json()["task_id"])
    assert queue.claim_next(tasker, task.project).task_id == task.task_id
    return task


def frame_body(urls: list[str], **extra: object) -> dict:
    """A valid videoannotation body with frames given as image URLs."""
    body = {
        "attachments": urls,
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
    }
    body.update(extra)
    return body


def create(api, body: dict):
    """A videoannotation task created through the API (200 asserted), read back as a Task."""
    from tasks.models import Task

    res = api.post("task/videoannotation", body)
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def file_json(api, url: str) -> object:
    """A response file fetched through the API client (a streamed FileResponse)."""
    import json

    res = api.get(url.removeprefix("http://testserver"))
    assert res.status_code == 200, res.content
    assert res["Content-Type"] == "application/json"
    return json.loads(b"".join(res.streaming_content))
