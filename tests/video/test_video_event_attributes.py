"""Event attributes of a video task end to end: global attributes whose label_condition names an
event label are answered per event (draft ops over the live session, refused when they do not
apply), `required` ones block the submit, and events.json carries each event's values while
response.global_attributes keeps the task-wide ones."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tasks.models import Task
from tests.realtime.conftest import run, task_path
from tests.video.conftest import claimed_video_task, file_json, frame_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("video_settings")]

FRAME_COUNT = 12
ATTRIBUTES = {
    "weather": {"choices": ["sun", "rain"], "conditions": {"is_global": True}},
    "lane": {"choices": ["left", "right"], "required": True,
             "conditions": {"is_global": True, "label_condition": {"label": "Turning"}}},
    "signal": {"choices": ["on", "off"],
               "conditions": {"is_global": True, "label_condition": {"label": "Turning"},
                              "attribute_conditions": [{"lane": "left"}]}},
}
CAR = {"uuid": "car-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40}]}
TURN = {"label": "Turning", "type": "range", "start": 3, "end": 8}
STOP = {"label": "Stop", "type": "point", "start": 10, "attributes": {}}


@pytest.fixture
def video_task(api, receiver, tasker):
    return claimed_video_task(api, receiver, tasker, FRAME_COUNT, project="clips", frame_rate=4,
                              events_to_annotate=["Turning", "Stop"],
                              annotation_attributes=ATTRIBUTES)


def set_events(events: list[dict]) -> dict:
    return {"op": "set_extras", "key": "events", "after": events}


def submit(tasker, task, body=None):
    client = Client()
    client.force_login(tasker)
    return client.post(f"/tasks/{task.task_id}/submit", json.dumps(body) if body else "",
                       content_type="application/json")


def test_a_create_may_name_event_labels_in_global_label_conditions(api):
    assert api.post("projects", {"type": "videoannotation", "name": "clips"}).status_code == 200
    frames = [f"https://example.com/{n}.png" for n in range(3)]
    bad = api.post("task/videoannotation", frame_body(
        frames, project="clips", events_to_annotate=["Turning"],
        annotation_attributes={"lane": {"choices": ["l"], "conditions": {
            "label_condition": {"label": "Turning"}}}}))
    assert bad.status_code == 400
    assert bad.json()["error"] == ('annotation_attributes.lane.conditions.label_condition.label '
                                   '"Turning" is not a label of any geometry')
    mixed = api.post("task/videoannotation", frame_body(
        frames, project="clips", events_to_annotate=["Turning"],
        annotation_attributes={**ATTRIBUTES, "wet": {"choices": ["y"], "conditions": {
            "is_global": True, "label_condition": {"label": "Turning"},
            "attribute_conditions": [{"weather": "rain"}]}}}))
    assert mixed.status_code == 400
    assert mixed.json()["error"].startswith(
        "annotation_attributes.wet.conditions.attribute_conditions[0].weather an event "
        "attribute cannot depend on a task-wide global attribute")


def test_event_attribute_ops_are_refused_when_they_do_not_apply(tasker, video_task, socket_for):
    task = video_task

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        # an incomplete event is fine in a draft (lane is required at the submit)
        assert (await ws.op(1, set_events([{**TURN, "attributes": {}}])))["type"] == "ack"
        hidden = await ws.op(2, set_events([{**TURN, "attributes": {"lane": "right",
                                                                     "signal": "on"}}]))
        assert hidden["type"] == "reject" and hidden["kind"] == "rule"
        assert hidden["reason"] == ('events[0].attributes.signal does not apply to a "Turning" '
                                    "event (its conditions do not hold)")
        other = await ws.op(3, set_events([{**STOP, "attributes": {"lane": "left"}}]))
        assert other["type"] == "reject" and other["reason"].startswith(
            'events[0].attributes.lane does not apply to a "Stop" event')
        task_wide = await ws.op(4, set_events([{**STOP, "attributes": {"weather": "sun"}}]))
        assert task_wide["type"] == "reject" and task_wide["reason"].startswith(
            "events[0].attributes.weather is a task-wide global attribute")
        misplaced = await ws.op(5, {"op": "set_extras", "key": "global_attributes",
                                    "after": {"weather": "sun", "lane": "left"}})
        assert misplaced["type"] == "reject" and misplaced["reason"].startswith(
            "global_attributes.lane is an event attribute")
        good = await ws.op(6, set_events([{**TURN, "attributes": {"lane": "left",
                                                                   "signal": "on"}}]))
        assert good["type"] == "ack"
        await ws.close()

    run(scenario)
    task.refresh_from_db()
    assert task.draft_extras["events"] == [{**TURN, "attributes": {"lane": "left",
                                                                   "signal": "on"}}]


def test_a_missing_required_event_attribute_blocks_the_submit(
        api, tasker, video_task, socket_for):
    task = video_task

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, {"op": "add", "annotation": CAR}))["type"] == "ack"
        assert (await ws.op(2, set_events([STOP, {**TURN, "attributes": {}}])))["type"] == "ack"
        assert (await ws.op(3, {"op": "set_extras", "key": "global_attributes",
                                "after": {"weather": "rain"}}))["type"] == "ack"
        await ws.close()

    run(scenario)
    # a hand-made submit of the draft: refused, naming the event, nothing changes
    res = submit(tasker, task)
    assert res.status_code == 400
    assert res.json()["error"] == \
        'response.events[1].attributes.lane is required for a "Turning" event'
    assert Task.objects.get(pk=task.pk).status == "pending"
    # a whole payload is checked the same way
    whole = submit(tasker, task, {"annotations": [CAR], "events": [{**TURN, "attributes": {
        "signal": "on"}}]})
    assert whole.status_code == 400
    assert whole.json()["error"].startswith("response.events[0].attributes.signal does not "
                                            "apply")

    async def answer():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello(session_id="s2")
        assert (await ws.op(1, set_events([STOP, {**TURN, "attributes": {
            "lane": "left", "signal": "off"}}])))["type"] == "ack"
        await ws.close()

    run(answer)
    res = submit(tasker, task)
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    assert task.status == "completed"
    assert task.response["global_attributes"] == {"weather": "rain"}
    assert file_json(api, task.response["events"]["url"]) == [
        {"label": "Stop", "type": "point", "start": 10, "startTime": 2.5, "attributes": {}},
        {"label": "Turning", "type": "range", "start": 3, "startTime": 0.75, "end": 8,
         "endTime": 2.0, "attributes": {"lane": "left", "signal": "off"}}]
