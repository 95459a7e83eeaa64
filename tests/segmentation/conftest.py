"""Fixtures for the segmentation tests: a generated image and hypothesis mask uploaded to the
account, a task of a segmentation project fetched by the worker's job, and the live sessions'
WebSocket clients (tests/realtime)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from tasks import files, lifecycle, projects, queue
from tests.factories import make_tasker
from tests.live import conftest as live_fixtures
from tests.quality.flow import signed_in
from tests.realtime import conftest as realtime_fixtures
from tests.worker.conftest import run_jobs

socket_for = realtime_fixtures.socket_for
fresh_channel_layer = realtime_fixtures.fresh_channel_layer
live_server_process = live_fixtures.live_server_process

SEGMENT = "segmentannotation"
WIDTH, HEIGHT = 40, 30
# road = 1, sky = 2, car = 3 (an instance label: its pixels belong to instances 4, 5, ...)
LABELS = ["road", "sky", {"choice": "car", "instance_label": True}]
ATTRIBUTES = {"occluded": {"type": "category", "description": "Is it occluded?",
                           "choices": ["yes", "no"], "required": True}}
# The hypothesis file uses its own values, which the server maps to the task's indices.
FILE_MAPPING = {"road": {"index": 10}, "sky": {"index": 20},
                "car": [{"index": 30, "attributes": {"occluded": "no"}}, {"index": 31}]}
FILE_TO_TASK = {0: 0, 10: 1, 20: 2, 30: 4, 31: 5}


def image_png(width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A generated RGB image: a gradient with a darker block."""
    x = np.linspace(0, 255, width, dtype=np.uint8)[None, :].repeat(height, 0)
    rgb = np.stack([x, x[::-1, ::-1], np.full_like(x, 90)], axis=-1)
    rgb[5:15, 5:15] = (20, 20, 20)
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, "PNG")
    return out.getvalue()


def file_mask() -> np.ndarray:
    """The hypothesis file's values: road below, sky above, two cars."""
    mask = np.full((HEIGHT, WIDTH), 10, dtype=np.uint8)
    mask[:12] = 20
    mask[15:22, 3:12] = 30
    mask[18:25, 25:35] = 31
    return mask


def task_mask() -> np.ndarray:
    """file_mask() in the task's indices."""
    lut = np.zeros(256, dtype=np.uint8)
    for value, index in FILE_TO_TASK.items():
        lut[value] = index
    return lut[file_mask()]


def png(mask: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8), "L").save(out, "PNG")
    return out.getvalue()


def b64(mask: np.ndarray) -> str:
    return base64.b64encode(png(mask)).decode()


def upload(account, data: bytes, *, is_test: bool = False) -> str:
    record = files.store_file(owner=account, is_test=is_test, data=data, fields={})
    return record.attachment_url


def seg_body(account, *, is_test: bool = False, hypothesis: bool = True, **extra) -> dict:
    body: dict = {"attachment": upload(account, image_png(), is_test=is_test),
                  "labels": LABELS, "annotation_attributes": ATTRIBUTES}
    if hypothesis:
        body["hypothesis"] = {"labelMapping": FILE_MAPPING, "annotations": {"combined": {
            "indexedImage": upload(account, png(file_mask()), is_test=is_test)}}}
    body.update(extra)
    return body


@pytest.fixture
def seg_project(account):
    return projects.create_project(owner=account, is_test=False,
                                   body={"type": SEGMENT, "name": "masks"})


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


def fetched_task(account, **extra):
    """A live segmentation task of the project "masks", its media stored by the worker's job."""
    task = lifecycle.create_task(owner=account, is_test=False, task_type=SEGMENT,
                                 body=seg_body(account, project="masks", **extra))
    run_jobs()
    task.refresh_from_db()
    return task


def submitted_task(account, project, tasker, mask: np.ndarray, instances: list[dict]):
    """A fetched task of `project` claimed by `tasker` and submitted with `mask` and
    `instances` (complete, unless the project reviews it)."""
    fetched_task(account)
    task = queue.claim_next(tasker, project)
    assert task is not None
    res = signed_in(tasker).post(f"/tasks/{task.task_id}/submit",
                                 {"mask": b64(mask), "instances": instances},
                                 content_type="application/json")
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    return task
