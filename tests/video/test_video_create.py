"""POST /v1/task/videoannotation: what is accepted, the errors naming the field, and the reads,
lists, cancels and tags that work for any task."""

from __future__ import annotations

import pytest

from tasks.models import Annotation, Task
from tests.video.conftest import file_json, frame_body

pytestmark = pytest.mark.django_db

FRAMES = [f"https://example.com/frames/{n}.jpg" for n in range(5)]
TRACK = {"uuid": "car-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40},
    {"frame": 4, "left": 50, "top": 20, "width": 30, "height": 40},
]}


def error_of(res) -> str:
    assert res.status_code == 400, res.content
    body = res.json()
    assert set(body) >= {"status_code", "error"} and body["status_code"] == 400
    return body["error"]


def test_frames_as_urls_create_a_pending_video_task_with_its_params_echoed(api):
    res = api.post("task/videoannotation", frame_body(
        FRAMES, events_to_annotate=["Turning", "Braking"], frame_rate=5, padding=10,
        instruction="Track the cars", metadata={"clip": 7}, tags=["night"],
        hypothesis={"annotations": [TRACK]}))
    assert res.status_code == 200, res.content
    task = res.json()
    assert (task["type"], task["status"]) == ("videoannotation", "pending")
    params = task["params"]
    assert list(params)[:3] == ["attachment_type", "attachments", "frame_rate"]
    assert params["attachment_type"] == "image" and params["attachments"] == FRAMES
    assert params["frame_rate"] == 5 and params["padding"] == 10
    assert params["events_to_annotate"] == ["Turning", "Braking"]
    assert params["geometries"]["box"]["can_rotate"] is False  # defaults filled in
    assert params["hypothesis"]["annotations"] == [{**TRACK, "keyframes": [
        {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40},
        {"frame": 4, "left": 50, "top": 20, "width": 30, "height": 40}]}]
    (row,) = Annotation.objects.filter(task_id=task["task_id"])
    assert (row.uuid, row.type, row.label, row.source) == ("car-1", "box", "car", "hypothesis")
    assert row.geometry == {"keyframes": TRACK["keyframes"]}
    # reads, lists, tags and cancel work as for any task
    assert api.get(f"task/{task['task_id']}").json()["params"] == params
    listed = api.get("tasks", type="videoannotation").json()["docs"]
    assert [t["task_id"] for t in listed] == [task["task_id"]]
    assert api.post(f"task/{task['task_id']}/tags", ["day"]).json()["tags"] == ["day"]
    assert api.post(f"task/{task['task_id']}/cancel").json()["status"] == "canceled"


def test_a_video_file_with_a_frame_rate_is_accepted(api):
    res = api.post("task/videoannotation", {
        "attachment_type": "video", "attachment": "https://example.com/clip.mp4",
        "frame_rate": 2.5, "geometries": {"point": {"objects_to_annotate": ["head"]}}})
    assert res.status_code == 200, res.content
    params = res.json()["params"]
    assert (params["attachment_type"], params["attachment"], params["frame_rate"]) == (
        "video", "https://example.com/clip.mp4", 2.5)
    assert "attachments" not in params


def test_frame_rate_defaults_to_one(api):
    res = api.post("task/videoannotation", frame_body(FRAMES))
    assert res.json()["params"]["frame_rate"] == 1


def test_uploaded_files_are_frames_and_another_accounts_are_refused(api, other_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.worker.conftest import png_bytes

    upload = api.client.post("/v1/files/upload", {"file": SimpleUploadedFile(
        "f.png", png_bytes(), content_type="image/png")})
    url = upload.json()["attachment_url"]
    assert api.post("task/videoannotation", frame_body([url, url])).status_code == 200
    message = error_of(other_api.post("task/videoannotation", frame_body([FRAMES[0], url])))
    assert message.startswith("attachments[1] ") and "not a file of this account" in message


@pytest.mark.parametrize(("change", "field"), [
    ({"attachments": None}, "attachments is required"),
    ({"attachments": []}, "attachments must have between 1 and 3000"),
    ({"attachments": ["ftp://x/1.jpg"]}, "attachments[0] must be an http(s) URL"),
    ({"attachments": [f"https://e.com/{n}.jpg" for n in range(3001)]},
     "attachments must have between 1 and 3000"),
    ({"attachment": "https://e.com/a.mp4"}, "attachment must be omitted"),
    ({"attachment_type": "audio"}, "attachment_type must be"),
    ({"frame_rate": 0}, "frame_rate must be a number > 0"),
    ({"frame_rate": "fast"}, "frame_rate must be a number"),
    ({"frame_rate": 61}, "frame_rate must be a number > 0 and <= 60"),
    ({"geometries": None}, "geometries is required"),
    ({"geometries": {"box": {"min_width": -1}}}, "geometries.box.min_width"),
    ({"annotation_attributes": {"moving": {"type": "colour"}}},
     "annotation_attributes.moving.type"),
    ({"paddingX": -3}, "paddingX"),
    ({"links": {"follows": []}}, "links.follows"),
    ({"events_to_annotate": ["Turn", "Turn"]}, 'events_to_annotate[1] repeats "Turn"'),
    ({"events_to_annotate": [""]}, "events_to_annotate[0] must not be empty"),
    ({"events_to_annotate": "Turn"}, "events_to_annotate must be a list"),
    ({"base_annotations": {"annotations": [{"type": "box", "label": "car",
                                          "keyframes": [{"frame": 0}]}]}},
     "base_annotations.annotations[0].keyframes[0].left is required"),
    ({"layers": {"boxes": []}}, 'layers must be {"url": "<URL of a JSON array with one Layer '
                                'object per frame>"} or an array'),
    ({"layer": [{"boxes": []}]}, "layer must have one Layer object per frame: 5, not 1"),
    ({"context_attachments": []}, "context_attachments is not supported"),
    ({"callback_url": "not a url"}, "callback_url"),
    ({"priority": 7}, "priority must be 10, 20 or 30"),
])
def test_bad_fields_are_named_and_nothing_is_written(api, change, field):
    body = {k: v for k, v in {**frame_body(FRAMES), **change}.items() if v is not None}
    assert field in error_of(api.post("task/videoannotation", body))
    assert Task.objects.count() == 0


def test_a_video_needs_its_url_and_no_frame_urls(api):
    video = {"attachment_type": "video", "geometries": {"box": {"objects_to_annotate": ["car"]}}}
    assert "attachment is required" in error_of(api.post("task/videoannotation", video))
    both = {**video, "attachment": "https://e.com/v.mp4", "attachments": FRAMES}
    assert 'attachments must be omitted when attachment_type is "video"' in error_of(
        api.post("task/videoannotation", both))


def bad_track(**change) -> dict:
    return {**TRACK, **change}


@pytest.mark.parametrize(("track", "field"), [
    (bad_track(type="polygon"), "hypothesis.annotations[0].type must be one of the task's"),
    (bad_track(label="plane"), "hypothesis.annotations[0].label must be one of the box labels"),
    (bad_track(label=None), "hypothesis.annotations[0].label is required"),
    (bad_track(keyframes=[]), "hypothesis.annotations[0].keyframes must have at least one"),
    (bad_track(keyframes=None), "hypothesis.annotations[0].keyframes is required"),
    (bad_track(keyframes=[{"frame": 0, "outside": True}]),
     "keyframes must have at least one keyframe that is not outside"),
    (bad_track(keyframes=[{**TRACK["keyframes"][0], "frame": 5}]),
     "hypothesis.annotations[0].keyframes[0].frame must be an integer between 0 and 4"),
    (bad_track(keyframes=[TRACK["keyframes"][1], TRACK["keyframes"][0]]),
     "hypothesis.annotations[0].keyframes[1].frame must be greater than 4"),
    (bad_track(keyframes=[{**TRACK["keyframes"][0], "width": -1}]),
     "hypothesis.annotations[0].keyframes[0].width must be greater than 0"),
    (bad_track(keyframes=[{"frame": 0, "left": 1}]),
     "hypothesis.annotations[0].keyframes[0].top is required"),
    (bad_track(keyframes=[{**TRACK["keyframes"][0], "attributes": {"speed": 3}}]),
     "hypothesis.annotations[0].keyframes[0].attributes.speed is not a defined attribute"),
    (bad_track(keyframes=[{"frame": 0, "outside": "yes"}]),
     "hypothesis.annotations[0].keyframes[0].outside must be true or false"),
])
def test_bad_hypothesis_tracks_are_named(api, track, field):
    res = api.post("task/videoannotation", frame_body(FRAMES, hypothesis={"annotations": [track]}))
    assert field in error_of(res)
    assert Task.objects.count() == 0


def test_duplicate_track_uuids_are_refused(api):
    res = api.post("task/videoannotation", frame_body(FRAMES, hypothesis={
        "annotations": [TRACK, TRACK]}))
    assert "hypothesis.annotations[1].uuid duplicates the uuid of hypothesis.annotations[0]" \
        in error_of(res)


def test_a_video_task_in_an_image_project_is_refused(api):
    assert api.post("projects", {"type": "imageannotation", "name": "stills"}).status_code == 200
    message = error_of(api.post("task/videoannotation", frame_body(FRAMES, project="stills")))
    assert message == 'Project "stills" is for imageannotation tasks, not videoannotation.'
    assert api.post("projects", {"type": "videoannotation", "name": "clips"}).status_code == 200
    assert api.post("task/videoannotation", frame_body(FRAMES, project="clips")).status_code \
        == 200


def test_a_test_key_completes_at_once_with_the_hypothesis_as_files(test_api):
    res = test_api.post("task/videoannotation", frame_body(
        FRAMES, hypothesis={"annotations": [TRACK]}))
    assert res.status_code == 200, res.content
    task = res.json()
    assert task["status"] == "completed"
    url = task["response"]["annotations"]["url"]
    assert url == f"http://testserver/v1/task/{task['task_id']}/files/annotations.json"
    frames = file_json(test_api, url)
    assert len(frames) == 5
    assert [f["annotations"][0]["left"] for f in frames] == [10, 20, 30, 40, 50]
    assert file_json(test_api, task["response"]["events"]["url"]) == []


def test_a_test_keys_video_file_task_has_the_frames_its_hypothesis_reaches(test_api):
    res = test_api.post("task/videoannotation", {
        "attachment_type": "video", "attachment": "https://example.com/clip.mp4",
        "frame_rate": 4, "events_to_annotate": ["Stop"],
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "hypothesis": {"annotations": [{**TRACK, "keyframes": TRACK["keyframes"][:1]}]}})
    task = res.json()
    assert task["status"] == "completed"
    frames = file_json(test_api, task["response"]["annotations"]["url"])
    assert frames == [{"annotations": [{"uuid": "car-1", "type": "box", "label": "car",
                                        "left": 10, "top": 20, "width": 30, "height": 40,
                                        "attributes": {}}]}]
