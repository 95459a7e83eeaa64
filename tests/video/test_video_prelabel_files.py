"""A video task's prelabels given as files (docs/api-decisions.md, "Video"): `hypothesis` /
`base_annotations` as {"annotations": {"url"}}. The URL is checked at create (a 400 naming
the field); the worker fetches the JSON array of tracks after the frames, from a real
loopback server or the account's upload, checks it against the frames and stores it exactly as
inline prelabels are stored, before the task is handed out; a file that does not fit ends the
task in error."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tasks import queue
from tasks.models import Annotation, Task, VideoFrame
from tasks.rules import locks
from tests.factories import make_tasker
from tests.video.conftest import create, frame_body, png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("video_settings")]

COUNT = 4
ATTRIBUTES = {"moving": {"choices": ["yes", "no"]}, "weather": {
    "choices": ["sun", "rain"], "conditions": {"is_global": True}}}


def track(uuid: str, label: str = "car", **extra: object) -> dict:
    return {"uuid": uuid, "type": "box", "label": label, "keyframes": [
        {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40,
         "attributes": {"moving": "no"}},
        {"frame": 3, "left": 70, "top": 20, "width": 30, "height": 40}], **extra}


HYPOTHESIS_TRACKS = [track("hyp-1", "bus")]
BASE_TRACKS = [track("base-1", locked=True), track("base-2")]


def frames(receiver) -> list[str]:
    return [receiver.serve_file(f"/f{n}.png", png_bytes(80, 60)) for n in range(COUNT)]


def body(receiver, **extra: object) -> dict:
    return frame_body(frames(receiver), annotation_attributes=ATTRIBUTES,
                      can_edit_base_annotations=False, **extra)


def serve_json(receiver, path: str, content: object) -> str:
    return receiver.serve_file(path, json.dumps(content).encode(),
                               content_type="application/json")



def error_of(res) -> str:
    assert res.status_code == 400, res.content
    return res.json()["error"]


def rows(task: Task) -> list[tuple]:
    return list(Annotation.objects.filter(task=task).order_by("position").values_list(
        "uuid", "type", "label", "geometry", "attributes", "source", "locked", "position"))


def test_prelabels_files_are_stored_as_inline_prelabels_before_the_task_is_handed_out(
        api, receiver):
    hypothesis_url = serve_json(receiver, "/hypothesis.json", HYPOTHESIS_TRACKS)
    base_url = serve_json(receiver, "/base.json", BASE_TRACKS)
    globals_ = {"weather": "rain"}
    by_file = create(api, body(receiver, hypothesis={
        "annotations": {"url": hypothesis_url}, "global_attributes": globals_},
        base_annotations={"annotations": {"url": base_url}}))
    assert by_file.params["hypothesis"]["annotations"] == {"url": hypothesis_url}
    assert by_file.params["base_annotations"] == {"annotations": {"url": base_url}}
    assert rows(by_file) == []  # no prelabel rows before the file is fetched
    inline = create(api, body(receiver, hypothesis={
        "annotations": HYPOTHESIS_TRACKS, "global_attributes": globals_},
        base_annotations={"annotations": BASE_TRACKS}))
    tasker = make_tasker("tina")
    assert queue.claim_next(tasker, None) is None  # neither is ready before the worker
    assert run_jobs() == ["stored", "stored"]
    paths = [r.path for r in receiver.received]
    assert paths.count("/hypothesis.json") == 1 and paths.count("/base.json") == 1
    by_file.refresh_from_db()
    inline.refresh_from_db()
    for name in ("hypothesis", "base_annotations"):
        assert by_file.params[name] == inline.params[name]
    assert by_file.draft_extras == inline.draft_extras
    assert by_file.draft_extras["global_attributes"] == globals_
    assert [r[:1] + r[2:] for r in rows(by_file)] == [r[:1] + r[2:] for r in rows(inline)]
    assert [(r[0], r[5], r[6]) for r in rows(by_file)] == [
        ("base-1", "base", True), ("base-2", "base", False), ("hyp-1", "hypothesis", False)]
    # the lock rules read the fetched base tracks as they read inline ones
    assert locks.prelabel("base-1", by_file.params) == locks.prelabel("base-1", inline.params)
    claimed = queue.claim_next(tasker, None)
    assert claimed is not None and claimed.task_id == by_file.task_id
    client = Client()
    client.force_login(tasker)
    data = client.get(f"/tasks/{by_file.task_id}/data")
    assert data.status_code == 200
    assert {a["uuid"] for a in data.json()["annotations"]} == {"base-1", "base-2", "hyp-1"}


def test_a_prelabels_file_uploaded_to_the_account_is_read_from_storage(api, receiver):
    upload = api.client.post("/v1/files/upload", {"file": SimpleUploadedFile(
        "base.json", json.dumps(BASE_TRACKS).encode(), content_type="application/json")})
    assert upload.status_code == 200, upload.content
    url = upload.json()["attachment_url"]
    task = create(api, body(receiver, base_annotations={"annotations": {"url": url}}))
    assert run_jobs() == ["stored"]
    task.refresh_from_db()
    assert [t["uuid"] for t in task.params["base_annotations"]["annotations"]] == \
        ["base-1", "base-2"]
    assert [r[0] for r in rows(task)] == ["base-1", "base-2"]


@pytest.mark.parametrize(("name", "content", "status", "message", "code"), [
    ("hypothesis", b"[]", 404, "HTTP 404", 404),
    ("hypothesis", b"not json", 200, "the hypothesis file is not JSON", 200),
    ("base_annotations", json.dumps({"tracks": BASE_TRACKS}).encode(), 200,
     "base_annotations.annotations must be a list", 200),
    ("base_annotations", json.dumps([{**BASE_TRACKS[0], "keyframes": [
        {"frame": COUNT, "left": 1, "top": 1, "width": 5, "height": 5}]}]).encode(), 200,
     "base_annotations.annotations[0].keyframes[0].frame", 200),
    ("hypothesis", json.dumps([track("hyp-1", "truck")]).encode(), 200,
     "hypothesis.annotations[0]", 200),
])
def test_a_prelabels_file_that_does_not_fit_ends_the_task_in_error(
        api, receiver, name, content, status, message, code):
    url = receiver.serve_file(f"/{name}.json", content, status=status,
                              content_type="application/json")
    task = create(api, body(receiver, callback_url=receiver.url(),
                            **{name: {"annotations": {"url": url}}}))
    assert run_jobs() == ["error", "delivered"]
    task.refresh_from_db()
    assert task.status == "error"
    assert task.response["error"].startswith("The prelabels could not be used: ")
    assert message in task.response["error"]
    assert task.response[name] == {"statusCode": code, "url": url}
    assert not VideoFrame.objects.filter(task=task).exists()
    assert rows(task) == []
    assert receiver.posts()[0].json()["status"] == "error"


@pytest.mark.parametrize(("change", "message"), [
    ({"hypothesis": {"annotations": {"url": "http://10.1.2.3/h.json"}}},
     "hypothesis.annotations.url must be a public address"),
    ({"base_annotations": {"annotations": {"url": "http://[::1]/b.json"}}},
     "base_annotations.annotations.url must be a public address"),
    ({"base_annotations": {"annotations": {"url": "ftp://example.com/b.json"}}},
     "base_annotations.annotations.url must be an http(s) URL"),
    ({"hypothesis": {"annotations": {"url": "https://e.com/h.json", "x": 1}}},
     'hypothesis.annotations must be a list of tracks or {"url"'),
    ({"base_annotations": {"annotations": {
        "url": "scaledata://1/00000000-0000-0000-0000-000000000000"}}},
     "base_annotations.annotations.url scaledata://1/00000000-0000-0000-0000-000000000000 is "
     "not a file of this account"),
])
def test_a_bad_prelabels_url_is_a_400_naming_the_field(api, settings, change, message):
    settings.ANNOTATOR_FETCH_ALLOW = []
    payload = frame_body([f"https://example.com/{n}.png" for n in range(COUNT)], **change)
    assert message in error_of(api.post("task/videoannotation", payload))
    assert Task.objects.count() == 0


def test_a_test_keys_hypothesis_must_be_inline(test_api):
    urls = [f"https://example.com/{n}.png" for n in range(COUNT)]
    message = error_of(test_api.post("task/videoannotation", frame_body(
        urls, hypothesis={"annotations": {"url": "https://example.com/h.json"}})))
    assert message.startswith("hypothesis.annotations must be a list of tracks for a test "
                              "key's task")
    assert Task.objects.count() == 0
    # base annotations play no part in a test task's response: their file is never fetched
    res = test_api.post("task/videoannotation", frame_body(
        urls, annotation_attributes=ATTRIBUTES, hypothesis={"annotations": [track("hyp-1")]},
        base_annotations={"annotations": {"url": "https://example.com/b.json"}}))
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "completed"
    assert run_jobs() == []
