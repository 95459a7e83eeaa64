"""A video task from end to end: created with frame URLs, frames fetched by the worker, claimed,
tracks and events drawn through the live session (WebsocketCommunicator), submitted from the
draft, and its response files served to the owner with the expected per-frame boxes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from tasks import queue
from tasks.models import Annotation, Task
from tests.factories import make_tasker
from tests.realtime.conftest import run, task_path
from tests.video.conftest import claimed_video_task, file_json, run_jobs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("video_settings")]

FRAME_COUNT = 30
ATTRIBUTES = {"moving": {"choices": ["yes", "no"], "required": True}}
CAR = {"uuid": "car-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40,
     "attributes": {"moving": "no"}},
    {"frame": 29, "left": 70, "top": 20, "width": 30, "height": 40,
     "attributes": {"moving": "yes"}},
]}
TURN = {"label": "Turning", "type": "range", "start": 3, "end": 10, "attributes": {}}


@pytest.fixture
def video_task(api, receiver, tasker):
    return claimed_video_task(api, receiver, tasker, FRAME_COUNT, project="clips", frame_rate=10,
                              events_to_annotate=["Turning", "Stop"],
                              annotation_attributes=ATTRIBUTES, callback_url=receiver.url())


def add(track: dict) -> dict:
    return {"op": "add", "annotation": track}


def submit(tasker, task, body=None):
    client = Client()
    client.force_login(tasker)
    return client.post(f"/tasks/{task.task_id}/submit", json.dumps(body) if body else "",
                       content_type="application/json")


def test_tracks_and_events_drawn_live_become_the_response_files(
        api, other_api, receiver, tasker, video_task, socket_for):
    task = video_task

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, add(CAR)))["type"] == "ack"
        # leaves the view at frame 20 and comes back at frame 25
        keyframes = [*CAR["keyframes"][:1],
                     {"frame": 10, "left": 40, "top": 20, "width": 30, "height": 40},
                     {"frame": 20, "outside": True},
                     {"frame": 25, "left": 100, "top": 50, "width": 20, "height": 20},
                     CAR["keyframes"][1]]
        ack = await ws.op(2, {"op": "update", "uuid": "car-1", "base_version": 1,
                              "after": {"keyframes": keyframes}})
        assert ack["type"] == "ack" and ack["versions"] == {"car-1": 2}
        beyond = await ws.op(3, {"op": "update", "uuid": "car-1", "base_version": 2,
                                 "after": {"keyframes": [{**CAR["keyframes"][0], "frame": 30}]}})
        assert beyond["type"] == "reject" and beyond["kind"] == "rule"
        assert beyond["reason"].startswith("keyframes[0].frame must be an integer between 0 "
                                           "and 29")
        wrong = await ws.op(4, add({**CAR, "uuid": "car-2", "type": "polygon"}))
        assert wrong["type"] == "reject" and "type must be one of the task's geometries" in \
            wrong["reason"]
        events = await ws.op(5, {"op": "set_extras", "key": "events", "after": [TURN]})
        assert events["type"] == "ack"
        unknown = await ws.op(6, {"op": "set_extras", "key": "events",
                                  "after": [{**TURN, "label": "Jump"}]})
        assert unknown["type"] == "reject" and unknown["reason"].startswith(
            "events[0].label must be one of events_to_annotate")
        await ws.close()

    run(scenario)
    (row,) = Annotation.objects.filter(task=task)
    assert row.geometry["keyframes"][2] == {"frame": 20, "outside": True}

    client = Client()
    client.force_login(tasker)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    assert data["video"]["events"] == [TURN]
    assert len(data["video"]["frames"]) == FRAME_COUNT
    assert data["annotations"][0]["keyframes"][3]["left"] == 100

    res = submit(tasker, task)
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    assert task.status == "completed"
    base = f"http://testserver/v1/task/{task.task_id}/files"
    assert task.response == {"annotations": {"url": f"{base}/annotations.json"},
                             "events": {"url": f"{base}/events.json"}}
    # the API and the callback carry the same response
    assert api.get(f"task/{task.task_id}").json()["response"] == task.response
    run_jobs()
    (callback,) = receiver.posts()
    assert callback.json()["response"] == task.response

    frames = file_json(api, task.response["annotations"]["url"])
    assert len(frames) == FRAME_COUNT
    for index, frame in enumerate(frames):
        if 20 <= index < 25:
            assert frame == {"annotations": []}, index
            continue
        (box,) = frame["annotations"]
        assert (box["uuid"], box["type"], box["label"]) == ("car-1", "box", "car")
        if index < 20:  # 10 → 40 up to frame 10, then held until it leaves at 20
            assert box["left"] == (10 + 3 * index if index <= 10 else 40)
            assert box["width"] == 30 and box["attributes"] == {"moving": "no"}
        else:  # re-entered at 25, towards the keyframe at 29
            assert box["left"] == round(100 + (70 - 100) * (index - 25) / 4, 2)
    assert frames[29]["annotations"][0]["attributes"] == {"moving": "yes"}
    assert file_json(api, task.response["events"]["url"]) == [
        {"label": "Turning", "type": "range", "start": 3, "startTime": 0.3, "end": 10,
         "endTime": 1.0, "attributes": {}}]
    tracks = file_json(api, f"{base}/tracks.json")
    assert tracks[0]["uuid"] == "car-1" and len(tracks[0]["keyframes"]) == 5

    # the owner only; other names are 404s in the API's error shape
    assert other_api.get(f"task/{task.task_id}/files/annotations.json").status_code == 404
    missing = api.get(f"task/{task.task_id}/files/secrets.json")
    assert missing.status_code == 404 and missing.json()["status_code"] == 404


def test_submit_asks_for_required_attributes_on_every_keyframe(tasker, video_task, socket_for):
    task = video_task
    bare = {**CAR, "keyframes": [CAR["keyframes"][0],
                                 {k: v for k, v in CAR["keyframes"][1].items()
                                  if k != "attributes"},
                                 {"frame": 15, "left": 1, "top": 1, "width": 5, "height": 5}]}
    bare["keyframes"] = sorted(bare["keyframes"], key=lambda k: k["frame"])
    unanswered = {**CAR, "uuid": "car-2", "keyframes": [
        {k: v for k, v in CAR["keyframes"][0].items() if k != "attributes"}]}

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, add(bare)))["type"] == "ack"  # attributes hold: answered
        assert (await ws.op(2, add(unanswered)))["type"] == "ack"  # drafts may be incomplete
        await ws.close()

    run(scenario)
    res = submit(tasker, task)
    assert res.status_code == 400
    body = res.json()
    assert body["error"] == "response.annotations[1].keyframes[0].attributes.moving is required"
    assert body["annotation_uuid"] == "car-2"
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_events_beyond_the_frames_are_refused_at_submit(tasker, video_task, socket_for):
    task = video_task

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        late = {"label": "Stop", "type": "point", "start": 31}
        assert (await ws.op(1, {"op": "set_extras", "key": "events", "after": [late]}))[
            "type"] == "ack"
        await ws.close()

    run(scenario)
    res = submit(tasker, task)
    assert res.status_code == 400
    assert res.json()["error"] == \
        "response.events[0].start must be an integer between 0 and 29"


def test_a_rejected_audit_gives_the_next_tasker_the_tracks_and_events(
        api, django_user_model, tasker, video_task, socket_for):
    task = video_task

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, add(CAR)))["type"] == "ack"
        assert (await ws.op(2, {"op": "set_extras", "key": "events", "after": [TURN]}))[
            "type"] == "ack"
        await ws.close()

    run(scenario)
    assert submit(tasker, task).status_code == 200
    assert api.post(f"task/{task.task_id}/audit", {"accepted": False}).status_code == 200
    task.refresh_from_db()
    assert task.status == "pending"
    (row,) = Annotation.objects.filter(task=task)
    assert row.geometry == {"keyframes": CAR["keyframes"]}
    assert task.draft_extras["events"] == [TURN]
    # the files of the rejected completion are no longer served
    assert api.get(f"task/{task.task_id}/files/annotations.json").status_code == 404
    other = make_tasker("otto")
    assert queue.claim_next(other, task.project) is None  # first its tasker's (rework)
    Task.objects.filter(pk=task.pk).update(reserved_until=timezone.now())  # who lets it lapse
    assert queue.claim_next(other, task.project).task_id == task.task_id
    assert submit(other, task).status_code == 200
    task.refresh_from_db()
    frames = file_json(api, task.response["annotations"]["url"])
    assert [frames[n]["annotations"][0]["left"] for n in (0, 1, 29)] == [10, 12.07, 70]


def test_a_whole_response_can_be_submitted_instead_of_the_draft(api, tasker, video_task):
    task = video_task
    point = {"label": "Stop", "type": "point", "start": 29, "attributes": {}}
    res = submit(tasker, task, {"annotations": [CAR], "events": [point]})
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    (row,) = Annotation.objects.filter(task=task)
    assert row.geometry == {"keyframes": CAR["keyframes"]}
    assert file_json(api, task.response["events"]["url"]) == [
        {"label": "Stop", "type": "point", "start": 29, "startTime": 2.9,
         "attributes": {}}]
    frames = file_json(api, task.response["annotations"]["url"])
    assert [len(f["annotations"]) for f in frames] == [1] * FRAME_COUNT
