"""A video task's read-only layers, one Layer object per frame: sent inline (checked at create,
a 400 naming the field) or as {"url"} (a JSON file the worker fetches like a frame, checked
against the frames, the task in error when it does not fit), stored on the frame rows and
handed to the workbench with GET /tasks/<id>/data."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tasks import queue
from tasks.models import Task, VideoFrame
from tests.factories import make_tasker
from tests.video.conftest import create, encode_video, frame_body, png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("video_settings")]

COUNT = 6


def layer(frame: int) -> dict:
    """Frame `frame`'s layer: a box that moves 10 px a frame, a line on even frames."""
    result = {"boxes": [{"left": 10 * frame, "top": 5, "width": 20, "height": 10,
                         "label": f"road {frame}"}]}
    if frame % 2 == 0:
        result["lines"] = [{"vertices": [{"x": 0, "y": frame}, {"x": 50, "y": frame}]}]
    return result


LAYERS = [layer(n) for n in range(COUNT)]


def frames(receiver) -> list[str]:
    return [receiver.serve_file(f"/f{n}.png", png_bytes(80, 60)) for n in range(COUNT)]



def error_of(res) -> str:
    assert res.status_code == 400, res.content
    body = res.json()
    assert body["status_code"] == 400
    return body["error"]


def workbench_data(task: Task, django_user_model) -> dict:
    tasker = make_tasker("tina")
    assert queue.claim_next(tasker, None).task_id == task.task_id
    client = Client()
    client.force_login(tasker)
    res = client.get(f"/tasks/{task.task_id}/data")
    assert res.status_code == 200
    return res.json()


def stored_layers(task: Task) -> list:
    return list(VideoFrame.objects.filter(task=task).order_by("index")
                .values_list("layer", flat=True))


def test_a_layers_url_is_fetched_by_the_worker_and_served_per_frame(
        api, receiver, django_user_model):
    url = receiver.serve_file("/layers.json", json.dumps(LAYERS).encode(), content_type="")
    task = create(api, frame_body(frames(receiver), layers={"url": url}))
    assert task.params["layers"] == {"url": url}  # echoed as sent
    assert run_jobs() == ["stored"]
    assert [r.path for r in receiver.received].count("/layers.json") == 1
    stored = stored_layers(task)
    assert stored[0]["boxes"][0] == {"uuid": stored[0]["boxes"][0]["uuid"], "type": "box",
                                     "label": "road 0", "left": 0, "top": 5, "width": 20,
                                     "height": 10, "attributes": {}}
    assert [f["boxes"][0]["left"] for f in stored] == [0, 10, 20, 30, 40, 50]
    assert ["lines" in f for f in stored] == [True, False] * 3
    data = workbench_data(task, django_user_model)
    assert data["video"]["layers"] == stored
    assert len(data["video"]["frames"]) == COUNT


def test_inline_layers_and_layer_are_checked_merged_and_served(api, receiver, django_user_model):
    extra = [{"points": [{"x": n, "y": n}]} for n in range(COUNT)]
    task = create(api, frame_body(frames(receiver), layers=LAYERS,
                                  layer=[*extra[:-1], None]))
    assert len(task.params["layers"]) == COUNT and task.params["layer"][-1] == {}
    assert run_jobs() == ["stored"]
    stored = stored_layers(task)
    assert [sorted(f) for f in stored[:2]] == [["boxes", "lines", "points"], ["boxes", "points"]]
    assert "points" not in stored[-1]
    assert workbench_data(task, django_user_model)["video"]["layers"][1]["points"][0]["x"] == 1


def test_a_task_without_layers_sends_none(api, receiver, django_user_model):
    task = create(api, frame_body(frames(receiver)))
    assert run_jobs() == ["stored"]
    assert "layers" not in workbench_data(task, django_user_model)["video"]


@pytest.mark.parametrize(("change", "message"), [
    ({"layers": {"url": "ftp://example.com/l.json"}}, "layers.url must be an http(s) URL"),
    ({"layers": {"url": "https://e.com/l.json", "boxes": []}}, 'layers must be {"url"'),
    ({"layer": "https://e.com/l.json"}, 'layer must be {"url"'),
    ({"layers": [{}] * (COUNT - 1)}, f"layers must have one Layer object per frame: {COUNT}, "
                                      f"not {COUNT - 1}"),
    ({"layers": [{}, {"boxes": [{"left": 1}]}, *[{}] * (COUNT - 2)]},
     "layers[1].boxes[0].top is required"),
    ({"layers": [{"circles": []}, *[{}] * (COUNT - 1)]}, "layers[0].circles is not a layer"),
    ({"layers": [[], *[{}] * (COUNT - 1)]}, "layers[0] must be an object"),
    ({"layer": {"url": "scaledata://1/00000000-0000-0000-0000-000000000000"}},
     "layer.url scaledata://1/00000000-0000-0000-0000-000000000000 is not a file of this "
     "account"),
])
def test_bad_inline_layers_are_a_400_naming_the_field(api, change, message):
    body = frame_body([f"https://example.com/{n}.png" for n in range(COUNT)], **change)
    assert message in error_of(api.post("task/videoannotation", body))
    assert Task.objects.count() == 0


@pytest.mark.parametrize(("content", "status", "message"), [
    (b"not json", 200, "the layers file is not JSON"),
    (json.dumps(LAYERS[:-1]).encode(), 200,
     f"layers.url must have one Layer object per frame: {COUNT}, not {COUNT - 1}"),
    (json.dumps({"boxes": []}).encode(), 200,
     "layers.url must be an array with one Layer object per frame"),
    (json.dumps([{"boxes": [{"left": 1, "top": 1}]}, *LAYERS[1:]]).encode(), 200,
     "layers.url[0].boxes[0].width is required"),
    (b"[]", 404, "HTTP 404"),
])
def test_a_layers_file_that_does_not_fit_ends_the_task_in_error(
        api, receiver, content, status, message):
    url = receiver.serve_file("/layers.json", content, status=status,
                              content_type="application/json")
    task = create(api, frame_body(frames(receiver), layers={"url": url},
                                  callback_url=receiver.url()))
    assert run_jobs() == ["error", "delivered"]
    task.refresh_from_db()
    assert task.status == "error"
    assert task.response["error"].startswith("The layers could not be used: ")
    assert message in task.response["error"]
    assert task.response["layers"]["url"] == url
    assert not VideoFrame.objects.filter(task=task).exists()
    assert receiver.posts()[0].json()["status"] == "error"


def test_inline_layers_of_a_video_file_are_checked_against_its_decoded_frames(api, receiver):
    video = receiver.serve_file("/clip.mp4", encode_video(seconds=1, fps=10),
                                content_type="video/mp4")
    body = {"attachment_type": "video", "attachment": video, "frame_rate": 5,
            "geometries": {"box": {"objects_to_annotate": ["car"]}}, "layers": LAYERS}
    task = create(api, body)  # the frame count is not known before decoding
    assert run_jobs() == ["error"]
    task.refresh_from_db()
    assert task.status == "error"
    assert task.response == {"error": "The layers could not be used: layers must have one "
                                      f"Layer object per frame: 5, not {COUNT}."}
