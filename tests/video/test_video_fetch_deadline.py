"""A video task's fetches (frames, video, layers and prelabels files) run a few at a time
within one deadline per task (tasks/fetch_pool.py, docs/deploy.md): slow servers hold the
worker for at most that long, whatever the number of frames."""

from __future__ import annotations

import json
import time

import pytest

from tasks.models import VideoFrame
from tests.video.conftest import create, frame_body, png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("video_settings")]


@pytest.fixture
def short_deadline(monkeypatch):
    monkeypatch.setattr("tasks.fetch_pool.TASK_DEADLINE_SECONDS", 1.5)



def test_frames_are_fetched_a_few_at_a_time(api, receiver):
    urls = [receiver.serve_file(f"/f{n}.png", png_bytes(80, 60), delay=1.0) for n in range(8)]
    task = create(api, frame_body(urls))
    started = time.monotonic()
    assert run_jobs() == ["stored"]
    # one after another: 8 s; four at a time: 2 s
    assert time.monotonic() - started < 6
    assert list(VideoFrame.objects.filter(task=task).order_by("index")
                .values_list("source_url", flat=True)) == urls


@pytest.mark.usefixtures("short_deadline")
def test_slow_frames_end_the_task_in_error_within_its_deadline(api, receiver):
    urls = [receiver.serve_file(f"/slow{n}.png", png_bytes(80, 60), delay=5.0)
            for n in range(6)]
    task = create(api, frame_body(urls))
    started = time.monotonic()
    assert run_jobs() == ["error"]
    assert time.monotonic() - started < 4.5  # one after another: 30 s
    task.refresh_from_db()
    failed = task.response["attachments"]
    assert [f["url"] for f in failed] == urls and {f["statusCode"] for f in failed} == {None}
    assert not VideoFrame.objects.filter(task=task).exists()


@pytest.mark.usefixtures("short_deadline")
def test_a_slow_prelabels_file_gets_what_is_left_of_the_deadline(api, receiver):
    urls = [receiver.serve_file(f"/f{n}.png", png_bytes(80, 60)) for n in range(2)]
    url = receiver.serve_file("/hypothesis.json", json.dumps([]).encode(),
                              content_type="application/json", delay=5.0)
    task = create(api, frame_body(urls, hypothesis={"annotations": {"url": url}}))
    started = time.monotonic()
    assert run_jobs() == ["error"]
    assert time.monotonic() - started < 4.5
    task.refresh_from_db()
    assert task.response["error"].startswith("The prelabels could not be used: ")
    assert task.response["hypothesis"] == {"statusCode": None, "url": url}
