"""Base tracks of a video task: loaded into the draft as base annotations, and the lock rules
applied to their keyframes in the live session (WebsocketCommunicator) and at submit (the draft
or a hand-made response), with the reason naming the track."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tasks.models import Annotation, Task
from tests.realtime.conftest import run, task_path
from tests.video.conftest import claimed_video_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("video_settings")]

COUNT = 10
ATTRIBUTES = {"moving": {"choices": ["yes", "no"]}}


def base_track(uuid: str, **extra: object) -> dict:
    return {"uuid": uuid, "type": "box", "label": "car", "keyframes": [
        {"frame": 0, "left": 10, "top": 20, "width": 30, "height": 40,
         "attributes": {"moving": "no"}},
        {"frame": 9, "left": 70, "top": 20, "width": 30, "height": 40}], **extra}


LOCKED = base_track("locked-1", locked=True)
OPEN = base_track("open-1")
HYPOTHESIS = {**base_track("hyp-1"), "label": "bus"}


def make_task(api, receiver, tasker, **flags) -> Task:
    return claimed_video_task(api, receiver, tasker, COUNT, annotation_attributes=ATTRIBUTES,
                              hypothesis={"annotations": [HYPOTHESIS]},
                              base_annotations={"annotations": [LOCKED, OPEN]}, **flags)


def moved(track: dict, frame: int = 5) -> list[dict]:
    """The track's keyframes with one more, where a drag on `frame` would put it."""
    return [track["keyframes"][0],
            {"frame": frame, "left": 50, "top": 30, "width": 30, "height": 40},
            track["keyframes"][1]]


def answered(track: dict) -> list[dict]:
    return [{**track["keyframes"][0], "attributes": {"moving": "yes"}}, track["keyframes"][1]]


def update(uuid: str, **after: object) -> dict:
    return {"op": "update", "uuid": uuid, "base_version": 1, "after": after}


def submit(tasker, task, body=None):
    client = Client()
    client.force_login(tasker)
    return client.post(f"/tasks/{task.task_id}/submit", json.dumps(body) if body else "",
                       content_type="application/json")


def test_base_tracks_load_into_the_draft_as_base_annotations(api, receiver, tasker):
    task = make_task(api, receiver, tasker)
    assert task.params["base_annotations"]["annotations"][0]["locked"] is True
    rows = {row.uuid: row for row in Annotation.objects.filter(task=task)}
    assert [(rows[u].source, rows[u].locked) for u in ("locked-1", "open-1", "hyp-1")] == [
        ("base", True), ("base", False), ("hypothesis", False)]
    assert rows["locked-1"].geometry == {"keyframes": LOCKED["keyframes"]}
    client = Client()
    client.force_login(tasker)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    first = next(a for a in data["annotations"] if a["uuid"] == "locked-1")
    assert (first["source"], first["locked"], first["keyframes"]) == (
        "base", True, LOCKED["keyframes"])


def test_the_live_session_refuses_what_the_locks_forbid(api, receiver, tasker, socket_for):
    task = make_task(api, receiver, tasker, can_edit_base_annotation_labels=False,
                     can_delete_base_annotations=False)

    replies, allowed = [], []

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        replies.extend([
            await ws.op(1, update("locked-1", keyframes=moved(LOCKED))),
            await ws.op(2, update("locked-1", keyframes=answered(LOCKED))),
            await ws.op(3, update("locked-1", keyframes=LOCKED["keyframes"][:1])),
            await ws.op(4, update("open-1", label="bus")),
            await ws.op(5, {"op": "delete", "uuid": "open-1", "base_version": 1}),
            # a batch is all or nothing: the allowed edit before the refused one is undone
            await ws.op(6, {"op": "batch", "ops": [
                update("hyp-1", keyframes=moved(HYPOTHESIS)),
                update("locked-1", keyframes=moved(LOCKED, 3))]}),
        ])
        allowed.extend([
            await ws.op(7, update("open-1", keyframes=moved(OPEN))),
            await ws.op(8, update("hyp-1", keyframes=answered(HYPOTHESIS))),
        ])
        await ws.close()

    run(scenario)
    assert [(r["type"], r["kind"], r["uuid"]) for r in replies] == [
        ("reject", "lock", "locked-1"), ("reject", "lock", "locked-1"),
        ("reject", "lock", "locked-1"), ("reject", "lock", "open-1"),
        ("reject", "lock", "open-1"), ("reject", "lock", "locked-1")]
    assert [r["reason"] for r in replies] == [
        "This base annotation is locked", "This base annotation is locked",
        "This base annotation is locked",
        "The labels of base annotations cannot be changed in this task",
        "Base annotations cannot be deleted in this task", "This base annotation is locked"]
    # the reply carries the track as it stands, for the page to put back
    assert replies[0]["annotation"]["keyframes"] == LOCKED["keyframes"]
    assert [r["type"] for r in allowed] == ["ack", "ack"]
    rows = {row.uuid: row for row in Annotation.objects.filter(task=task)}
    assert rows["locked-1"].geometry == {"keyframes": LOCKED["keyframes"]}
    assert rows["open-1"].label == "car" and len(rows["open-1"].geometry["keyframes"]) == 3
    assert rows["hyp-1"].geometry["keyframes"][0]["attributes"] == {"moving": "yes"}


def test_can_edit_false_refuses_keyframes_and_their_attributes(api, receiver, tasker, socket_for):
    task = make_task(api, receiver, tasker, can_edit_base_annotations=False)
    replies = []

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        replies.append(await ws.op(1, update("open-1", keyframes=moved(OPEN))))
        replies.append(await ws.op(2, update("open-1", keyframes=answered(OPEN))))
        replies.append(await ws.op(3, update("open-1", keyframes=[
            *OPEN["keyframes"][:1], {"frame": 9, "outside": True}])))
        # putting a deleted base track back changed is an edit too
        replies.append(await ws.op(4, {"op": "delete", "uuid": "open-1", "base_version": 1}))
        replies.append(await ws.op(5, {"op": "add", "annotation": {
            **OPEN, "keyframes": moved(OPEN)}}))
        replies.append(await ws.op(6, {"op": "add", "annotation": OPEN}))
        await ws.close()

    run(scenario)
    assert [(r["type"], r.get("kind")) for r in replies] == [
        ("reject", "lock"), ("reject", "lock"), ("reject", "lock"), ("ack", None),
        ("reject", "lock"), ("ack", None)]
    assert replies[0]["reason"] == "Base annotations cannot be edited in this task"
    assert replies[4]["reason"] == ("keyframes change the geometry of base annotation open-1, "
                                    "which cannot be edited in this task")
    row = Annotation.objects.get(task=task, uuid="open-1")
    assert (row.source, row.geometry) == ("base", {"keyframes": OPEN["keyframes"]})


def test_a_hand_made_submit_cannot_change_a_locked_base_track(api, receiver, tasker):
    task = make_task(api, receiver, tasker, can_delete_base_annotations=False)
    plain = {k: v for k, v in LOCKED.items() if k != "locked"}
    cases = [
        ({"annotations": [{**plain, "keyframes": moved(LOCKED)}, OPEN, HYPOTHESIS]},
         "response.annotations[0].keyframes change the geometry of base annotation locked-1, "
         "which is locked", "locked-1"),
        ({"annotations": [{**plain, "keyframes": answered(LOCKED)}, OPEN]},
         "response.annotations[0].keyframes change the attributes of base annotation "
         "locked-1, which is locked", "locked-1"),
        ({"annotations": [{**plain, "label": "bus"}, OPEN]},
         "response.annotations[0].label of base annotation locked-1 cannot change: it is "
         "locked", "locked-1"),
        ({"annotations": [plain]}, "response.annotations must keep base annotation open-1: it "
                                   "cannot be deleted in this task", "open-1"),
    ]
    for body, message, uuid in cases:
        res = submit(tasker, task, body)
        assert res.status_code == 400, res.content
        assert (res.json()["error"], res.json()["annotation_uuid"]) == (message, uuid)
    assert Task.objects.get(pk=task.pk).status == "pending"
    # the open base track may change; the locked one as it was
    res = submit(tasker, task, {"annotations": [plain, {**OPEN, "keyframes": moved(OPEN)}]})
    assert res.status_code == 200, res.content
    assert Task.objects.get(pk=task.pk).status == "completed"
