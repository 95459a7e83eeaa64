"""The worker stores a video task's frames once: frame URLs fetched, or a real video file decoded
with PyAV at frame_rate, under the fetch rules of images; failures end the task in error. The
queue hands out no video task before its frames, and the workbench serves them."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage

from tasks import jobs, lifecycle, projects, queue
from tasks.models import VideoFrame
from tests.factories import make_tasker
from tests.video.conftest import create, encode_video, frame_body, frame_colour, png_bytes, run_jobs

pytestmark = pytest.mark.django_db

GEOMETRIES = {"box": {"objects_to_annotate": ["car"]}}


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")



def video_body(url: str, frame_rate: float, **extra) -> dict:
    return {"attachment_type": "video", "attachment": url, "frame_rate": frame_rate,
            "geometries": GEOMETRIES, **extra}


def stored_files(task_id: str) -> list[str]:
    found = []
    for folder in (f"attachments/{task_id}", f"frames/{task_id}"):
        if default_storage.exists(folder):
            found += default_storage.listdir(folder)[1]
    return found


@pytest.mark.usefixtures("video_settings")
def test_frame_urls_are_fetched_once_and_kept_in_order(api, receiver):
    urls = [receiver.serve_file(f"/f{n}.png", png_bytes(40 + n, 30)) for n in range(3)]
    task = create(api, frame_body(urls, frame_rate=2))
    assert run_jobs() == ["stored"]
    frames = list(VideoFrame.objects.filter(task=task).order_by("index"))
    assert [(f.index, f.width, f.height, f.timestamp, f.source_url) for f in frames] == [
        (0, 40, 30, 0.0, urls[0]), (1, 41, 30, 0.5, urls[1]), (2, 42, 30, 1.0, urls[2])]
    for n, frame in enumerate(frames):
        with default_storage.open(frame.file.name, "rb") as handle:
            assert handle.read() == png_bytes(40 + n, 30)
    task.refresh_from_db()
    assert (task.attachment_width, task.attachment_height, task.attachment_mime) == (
        40, 30, "image/png")
    assert jobs.fetch_for_task(task.task_id) == "skipped"
    assert len(receiver.received) == 3


@pytest.mark.usefixtures("video_settings")
def test_a_failing_frame_ends_the_task_in_error_and_keeps_nothing(api, receiver):
    good = receiver.serve_file("/ok.png", png_bytes())
    text = receiver.serve_file("/text.png", b"hello", content_type="text/plain")
    missing = receiver.url("/missing.png")
    task = create(api, frame_body([good, missing, text], callback_url=receiver.url()))
    assert run_jobs() == ["error", "delivered"]
    task.refresh_from_db()
    assert task.status == "error"
    assert task.response == {"error": "One or more attachments could not be downloaded.",
                             "attachments": [{"statusCode": 404, "url": missing},
                                             {"statusCode": 200, "url": text}]}
    assert receiver.posts()[0].json()["status"] == "error"
    assert not VideoFrame.objects.filter(task=task).exists()
    assert stored_files(task.task_id) == []


@pytest.mark.usefixtures("video_settings")
@pytest.mark.parametrize(("container", "codec"), [("mp4", "mpeg4"), ("webm", "libvpx")])
def test_a_video_file_is_decoded_at_the_frame_rate(api, receiver, container, codec):
    video = encode_video(seconds=3, fps=10, container=container, codec=codec)
    url = receiver.serve_file(f"/clip.{container}", video, content_type=f"video/{container}")
    task = create(api, video_body(url, 2))
    assert run_jobs() == ["stored"]
    frames = list(VideoFrame.objects.filter(task=task).order_by("index"))
    assert [f.timestamp for f in frames] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    assert {(f.width, f.height, f.mime_type, f.source_url) for f in frames} == {
        (64, 48, "image/jpeg", url)}
    from PIL import Image

    for frame in frames:
        with default_storage.open(frame.file.name, "rb") as handle:
            red = Image.open(handle).convert("RGB").getpixel((32, 24))[0]
        # the frame shown at that time: frame 5 × timestamp of the 10 fps source
        assert abs(red - frame_colour(round(frame.timestamp * 10))[0]) <= 8, (frame, red)
    task.refresh_from_db()
    assert (task.attachment_width, task.attachment_height, task.attachment_mime) == (
        64, 48, "image/jpeg")


@pytest.mark.usefixtures("video_settings")
def test_every_source_frame_at_its_own_rate(api, receiver):
    url = receiver.serve_file("/clip.mp4", encode_video(seconds=3, fps=10),
                              content_type="video/mp4")
    task = create(api, video_body(url, 10))
    run_jobs()
    stamps = list(VideoFrame.objects.filter(task=task).values_list("timestamp", flat=True))
    assert len(stamps) == 30
    assert stamps[:3] == [0.0, 0.1, 0.2] and stamps[-1] == pytest.approx(2.9)


@pytest.mark.usefixtures("video_settings")
def test_an_uploaded_file_as_the_video_is_read_from_storage(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Uploads are images: one named as a video is read from our storage and refused clearly.
    upload = api.client.post("/v1/files/upload", {"file": SimpleUploadedFile(
        "still.png", png_bytes(), content_type="image/png")})
    url = upload.json()["attachment_url"]
    task = create(api, video_body(url, 5))
    assert run_jobs() == ["error"]
    task.refresh_from_db()
    assert task.response["error"] == "The video could not be used: the file is not a video " \
                                     "this server can decode (MP4, MOV, WebM, MKV, Ogg or AVI)."
    assert task.response["attachments"] == [{"statusCode": None, "url": url}]


NOT_A_VIDEO = "the file is not a video this server can decode"


@pytest.mark.usefixtures("video_settings")
@pytest.mark.parametrize(("data", "reason"), [
    (os.urandom(4000), f"{NOT_A_VIDEO} (MP4, MOV, WebM, MKV, Ogg or AVI)"),
    (b"\x00\x00\x00\x18ftypmp42" + os.urandom(4000), NOT_A_VIDEO),
    (encode_video()[:1500], NOT_A_VIDEO),  # cut short
    # an HLS playlist is never probed: it would make FFmpeg open the URLs it names
    (b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://10.0.0.1/a.ts\n",
     f"{NOT_A_VIDEO} (MP4, MOV, WebM, MKV, Ogg or AVI)"),
])
def test_an_undecodable_video_ends_the_task_in_error(api, receiver, data, reason):
    url = receiver.serve_file("/broken.mp4", data, content_type="video/mp4")
    task = create(api, video_body(url, 1))
    assert run_jobs() == ["error"]
    task.refresh_from_db()
    assert task.status == "error"
    assert task.response == {"error": f"The video could not be used: {reason}.",
                             "attachments": [{"statusCode": None, "url": url}]}
    assert not VideoFrame.objects.filter(task=task).exists()


@pytest.mark.usefixtures("video_settings")
def test_a_video_giving_too_many_frames_is_refused_and_its_frames_dropped(api, receiver):
    url = receiver.serve_file("/long.mp4", encode_video(seconds=51, fps=60, size=(16, 16)),
                              content_type="video/mp4")
    task = create(api, video_body(url, 60))
    assert run_jobs() == ["error"]
    task.refresh_from_db()
    assert "more than 3000 frames at frame_rate 60: use a lower frame_rate" in \
        task.response["error"]
    assert stored_files(task.task_id) == []


def test_a_loopback_video_is_refused_without_an_allowance(api, receiver, settings):
    url = receiver.serve_file("/clip.mp4", encode_video(seconds=1), content_type="video/mp4")
    refused = api.post("task/videoannotation", video_body(url, 1))
    assert refused.status_code == 400 and "attachment" in refused.json()["error"]
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]  # allowed at create, no longer at fetch
    task = create(api, video_body(url, 1))
    settings.ANNOTATOR_FETCH_ALLOW = []
    assert run_jobs() == ["error"]
    task.refresh_from_db()
    assert task.response["attachments"] == [{"statusCode": None, "url": url}]
    assert receiver.received == []


@pytest.mark.usefixtures("video_settings")
def test_the_queue_waits_for_the_frames_and_the_workbench_serves_them(
        account, receiver, tasker, client):
    project = projects.create_project(owner=account, is_test=False,
                                       body={"type": "videoannotation", "name": "clips"})
    urls = [receiver.serve_file(f"/f{n}.png", png_bytes(20, 10 + n)) for n in range(2)]
    task = lifecycle.create_task(owner=account, is_test=False, task_type="videoannotation",
                                 body=frame_body(urls, project="clips",
                                                 events_to_annotate=["Stop"]))
    assert queue.claim_next(tasker, project) is None
    assert queue.queue_rows(tasker)[0].pending == 0
    run_jobs()
    assert queue.claim_next(tasker, project).task_id == task.task_id

    client.force_login(tasker)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    assert data["image"]["width"] == 20 and data["image"]["height"] == 10
    assert data["video"] == {
        "frames": [{"index": n, "url": f"/tasks/{task.task_id}/frames/{n}", "width": 20,
                    "height": 10 + n, "timestamp": float(n)} for n in range(2)],
        "events_to_annotate": ["Stop"], "events": []}
    image = client.get(f"/tasks/{task.task_id}/frames/1")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png_bytes(20, 11)
    assert client.get(f"/tasks/{task.task_id}/frames/2").status_code == 404


def test_frames_are_only_for_who_may_see_the_task(account, django_user_model, client):
    projects.create_project(owner=account, is_test=False,
                             body={"type": "videoannotation", "name": "clips"})
    task = lifecycle.create_task(owner=account, is_test=False, task_type="videoannotation",
                                 body=frame_body(["https://example.com/0.png"],
                                                 project="clips"))
    other = make_tasker("otto")
    client.force_login(other)
    assert client.get(f"/tasks/{task.task_id}/frames/0").status_code == 403
    client.logout()
    assert client.get(f"/tasks/{task.task_id}/frames/0").status_code == 302  # to the login
    admin = django_user_model.objects.create_superuser("boss", password="pw-boss-1")
    client.force_login(admin)
    # not fetched yet: staff are sent to the original, as for a task's image
    answer = client.get(f"/tasks/{task.task_id}/frames/0")
    assert answer.status_code == 302 and answer["Location"] == "https://example.com/0.png"


@pytest.mark.usefixtures("video_settings")
def test_uploaded_frames_are_used_where_they_are(api, receiver):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = api.client.post("/v1/files/upload", {"file": SimpleUploadedFile(
        "first.png", png_bytes(12, 8), content_type="image/png")})
    uploaded = upload.json()["attachment_url"]
    fetched = receiver.serve_file("/second.png", png_bytes(12, 8))
    task = create(api, frame_body([uploaded, fetched]))
    assert run_jobs() == ["stored"]
    first, second = VideoFrame.objects.filter(task=task).order_by("index")
    assert first.file.name.startswith("uploads/") and first.source_url == uploaded
    assert second.file.name.startswith(f"attachments/{task.task_id}/")
    assert [r.path for r in receiver.received] == ["/second.png"]
