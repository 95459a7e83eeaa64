"""A segmentation task on the workbench: GET /data's segmentation block and the base mask
route, the seg.* draft operations through the live session (checked, appended, dropped,
snapshotted, refused), the submit's refusals and a good submit, and the draft of a task sent
back (its base is the response's mask)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.test import Client
from PIL import Image

from tasks import lifecycle, queue
from tasks.models import Task
from tasks.rules.segmentation import color
from tasks.rules.segmentation_ops import encode_points
from tasks.segmentation import masks
from tests.realtime.conftest import run, task_path
from tests.segmentation.conftest import HEIGHT, WIDTH, b64, fetched_task, task_mask

pytestmark = pytest.mark.django_db(transaction=True)

STROKE = {"op": "seg.stroke", "id": "s1", "tool": "brush", "index": 1, "radius": 3,
          "protect": False, "points": encode_points([(5, 5), (20, 8), (25, 9)])}


@pytest.fixture
def task(account, seg_project, tasker):
    fetched_task(account)
    claimed = queue.claim_next(tasker, seg_project)
    assert claimed is not None
    return claimed


@pytest.fixture
def browser(tasker) -> Client:
    client = Client()
    client.force_login(tasker)
    return client


def page(browser: Client, task) -> dict:
    res = browser.get(f"/tasks/{task.task_id}/data")
    assert res.status_code == 200, res.content
    return res.json()["segmentation"]


def mask_at(browser: Client, url: str) -> np.ndarray:
    res = browser.get(url)
    assert res.status_code == 200 and res["Content-Type"] == "image/png"
    return np.asarray(Image.open(io.BytesIO(b"".join(res.streaming_content))))


def submit(browser: Client, task, body: dict):
    return browser.post(f"/tasks/{task.task_id}/submit", json.dumps(body),
                        content_type="application/json")


INSTANCES = [{"index": 4, "label": "car", "attributes": {"occluded": "no"}},
             {"index": 5, "label": "car", "attributes": {"occluded": "yes"}}]


def test_the_page_block_starts_from_the_hypothesis(browser, task):
    block = page(browser, task)
    assert block["labels"] == [
        {"label": "road", "path": ["road"], "index": 1, "color": color(1), "instance": False},
        {"label": "sky", "path": ["sky"], "index": 2, "color": color(2), "instance": False},
        {"label": "car", "path": ["car"], "index": 3, "color": color(3), "instance": True}]
    assert block["allow_unlabeled"] is False and block["ops"] == []
    assert block["instances"] == [
        {"index": 4, "label": "car", "attributes": {"occluded": "no"}},
        {"index": 5, "label": "car", "attributes": {}}]
    assert block["base"].startswith(f"/tasks/{task.task_id}/mask?v=")
    assert (mask_at(browser, block["base"]) == task_mask()).all()


def test_the_base_mask_is_only_for_who_may_see_the_task(task, django_user_model):
    from tests.factories import make_tasker

    other = Client()
    other.force_login(make_tasker("tom"))
    assert other.get(f"/tasks/{task.task_id}/mask").status_code == 403
    assert Client().get(f"/tasks/{task.task_id}/mask").status_code == 302  # the login page


def test_operations_are_checked_appended_dropped_and_snapshotted(task, tasker, socket_for,
                                                                 browser):
    fill = {"op": "seg.fill", "id": "f1", "index": 2, "x": 3, "y": 3, "tolerance": 12}
    eraser = {**STROKE, "id": "e1", "tool": "eraser", "index": 2}
    new_car = {"op": "seg.instance", "index": 6, "label": "car",
               "attributes": {"occluded": "yes"}}
    polygon = {"op": "seg.polygon", "id": "p1", "index": 6, "protect": True,
               "points": encode_points([(1, 1), (10, 1), (10, 10)])}
    snapshot = task_mask()
    snapshot[0:3, 0:3] = 6

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, STROKE))["type"] == "ack"
        assert (await ws.op(2, fill))["type"] == "ack"
        assert (await ws.op(3, eraser))["type"] == "ack"
        early = await ws.op(4, polygon)  # instance 6 does not exist yet
        assert early["type"] == "reject" and "index 6 is neither" in early["reason"]
        assert (await ws.op(5, new_car))["type"] == "ack"
        assert (await ws.op(6, polygon))["type"] == "ack"
        assert (await ws.op(7, {"op": "seg.drop", "ids": ["f1", "unknown"]}))["type"] == "ack"
        return ws

    ws = None

    async def first():
        nonlocal ws
        ws = await scenario()
        await ws.close()

    run(first)
    block = page(browser, task)
    assert [op["id"] for op in block["ops"]] == ["s1", "e1", "p1"]
    assert block["ops"][0] == {**STROKE, "protect": False}
    assert block["ops"][1]["index"] == 0  # an eraser writes 0
    assert block["instances"][-1] == {"index": 6, "label": "car",
                                      "attributes": {"occluded": "yes"}}

    async def second():
        again = await socket_for(tasker, task_path(task)).open()
        welcome = await again.hello(last_seq=7)
        assert welcome["last_seq"] == 7
        ack = await again.op(8, {"op": "seg.snapshot", "id": "snap1", "png": b64(snapshot)})
        assert ack["type"] == "ack", ack
        assert ack["segmentation"]["snap1"]["base"].startswith(f"/tasks/{task.task_id}/mask")
        await again.close()

    run(second)
    block = page(browser, task)
    assert block["ops"] == [] and len(block["instances"]) == 3
    assert (mask_at(browser, block["base"]) == snapshot).all()


BAD_OPS = [
    ({**STROKE, "index": 3}, "instance label car: paint one of its instances"),
    ({**STROKE, "index": 9}, "index 9 is neither"),
    ({**STROKE, "points": encode_points([(5, 5), (41, 5)])}, "outside the image (40 x 30)"),
    ({**STROKE, "points": "!!"}, "points is not base64url"),
    ({**STROKE, "points": "gA"}, "ends inside a number"),
    ({**STROKE, "radius": 0.1}, "radius must be a number from 0.5 to 500"),
    ({**STROKE, "tool": "spray"}, 'tool must be "brush" or "eraser"'),
    ({**STROKE, "id": "x" * 41}, "id must be a string of 1 to 40"),
    ({"op": "seg.polygon", "id": "p", "index": 1, "points": encode_points([(1, 1), (2, 2)])},
     "at least 3 point(s)"),
    ({"op": "seg.fill", "id": "f", "index": 1, "x": 40, "y": 0}, "x must be an integer"),
    ({**STROKE, "id": "big", "points": encode_points([(1, 1)] * 30000)}, "at most 65536 bytes"),
    ({"op": "seg.instance", "index": 2, "label": "car"}, "index must be an integer between 4"),
    ({"op": "seg.instance", "index": 7, "label": "road"}, "must be one of the instance labels"),
    ({"op": "seg.instance", "index": 7, "label": "car", "attributes": {"occluded": "maybe"}},
     "occluded"),
    ({"op": "seg.drop", "ids": "s1"}, "a list of at most"),
    ({"op": "seg.snapshot", "id": "s", "png": b64(np.zeros((5, 5), np.uint8))},
     "png is 5 x 5 pixels; the image is 40 x 30"),
    ({"op": "seg.snapshot", "id": "s", "png": "not a png"}, "png is not"),
]


def test_bad_operations_are_rejected_and_change_nothing(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, STROKE))["type"] == "ack"
        again = await ws.op(2, STROKE)
        assert again["type"] == "reject" and again["kind"] == "conflict"
        for seq, (op, reason) in enumerate(BAD_OPS, start=3):
            reply = await ws.op(seq, op)
            assert reply["type"] == "reject" and reason in reply["reason"], (op, reply)
        await ws.close()

    run(scenario)
    state = Task.objects.get(pk=task.pk).draft_extras["segmentation"]
    assert [op["id"] for op in state["ops"]] == ["s1"] and len(state["instances"]) == 2


def test_seg_operations_are_refused_on_an_image_task(account, tasker, socket_for):
    from tests.factories import make_project
    from tests.realtime.conftest import new_task

    project = make_project(account, "streets")
    new_task(account)
    image_task = queue.claim_next(tasker, project)

    async def scenario():
        ws = await socket_for(tasker, task_path(image_task)).open()
        await ws.hello()
        reply = await ws.op(1, STROKE)
        assert reply["type"] == "reject" and "operation of segmentation tasks" in reply["reason"]
        await ws.close()

    run(scenario)


def test_submit_refusals_name_the_problem(browser, task):
    full = task_mask()
    holes = full.copy()
    holes[0, :7] = 0
    unknown = full.copy()
    unknown[1, 1] = 9
    own = full.copy()
    own[1, 1] = 3
    cases = [
        ({"mask": b64(holes), "instances": INSTANCES},
         "leaves 7 pixels unlabeled: every pixel must carry a label"),
        ({"mask": b64(full[:10]), "instances": INSTANCES},
         "response.mask is 40 x 10 pixels; the image is 40 x 30"),
        ({"mask": b64(unknown), "instances": INSTANCES}, "index 9 is neither"),
        ({"mask": b64(own), "instances": INSTANCES}, "instance label car"),
        ({"mask": b64(full), "instances": INSTANCES[:1]}, "index 5 is neither"),
        ({"mask": b64(full), "instances": [INSTANCES[0], {"index": 5, "label": "car"}]},
         "response.instances[1].attributes.occluded"),
        ({"instances": INSTANCES}, "response.mask is required"),
        ({"mask": "@@@", "instances": INSTANCES}, "response.mask is not valid base64"),
        (None, "response.mask is required"),
    ]
    for body, message in cases:
        res = submit(browser, task, body)
        assert res.status_code == 400, (message, res.content)
        error = res.json()
        assert error["status_code"] == 400 and message in error["error"], (message, error)
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_a_submit_publishes_the_files_and_a_send_back_restarts_from_them(
        browser, task, api, tasker, seg_project):
    mask = task_mask()
    mask[0:2, 0:2] = 2
    res = submit(browser, task, {"mask": b64(mask), "instances": INSTANCES})
    assert res.status_code == 200, res.content
    done = Task.objects.get(pk=task.pk)
    assert done.status == "completed"
    assert done.response["labelMapping"]["car"][1] == {
        "index": 5, "color": color(5), "attributes": {"occluded": "yes"}}
    assert (masks.load_indexed(done) == mask).all()
    url = done.response["annotations"]["combined"]["indexedImage"]
    res = api.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    decoded = np.asarray(Image.open(io.BytesIO(b"".join(res.streaming_content))))
    assert (decoded == mask).all()

    lifecycle.audit_task(done, accepted=False, comments="the sky", by="customer")
    again = queue.claim_next(tasker, seg_project)
    assert again is not None and again.pk == task.pk
    block = page(browser, again)
    assert block["ops"] == [] and [i["index"] for i in block["instances"]] == [4, 5]
    assert block["instances"][1]["attributes"] == {"occluded": "yes"}
    assert (mask_at(browser, block["base"]) == mask).all()


def test_allow_unlabeled_lets_a_submit_leave_pixels_unlabeled(account, seg_project, tasker,
                                                              browser, api):
    fetched_task(account, allow_unlabeled=True, hypothesis=False)
    task = queue.claim_next(tasker, seg_project)
    assert page(browser, task)["base"] is None
    mask = np.zeros((HEIGHT, WIDTH), np.uint8)
    mask[:5] = 1
    res = submit(browser, task, {"mask": b64(mask)})
    assert res.status_code == 200, res.content
    response = Task.objects.get(pk=task.pk).response
    assert response["labelMapping"]["car"] == [] and response["annotations"]["labeled"]["car"] == []
    url = response["annotations"]["unlabeled"]
    res = api.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    unlabeled = np.asarray(Image.open(io.BytesIO(b"".join(res.streaming_content)))
                           .convert("RGBA"))
    assert ((unlabeled[..., 3] == 255) == (mask == 0)).all()


def test_the_kind_registers_every_operation_of_the_draft_module():
    """The kind names the operations without importing tasks/segmentation/draft.py (numpy);
    the two lists must agree."""
    from tasks.kinds import segment
    from tasks.segmentation import draft

    assert set(segment.OP_NAMES) == set(draft.OPS)
