"""The official `scaleapi` client creates segmentation tasks on a real server process over
real HTTP: a test key's task completes from its hypothesis and the response files it links
decode to the expected pixels; a live task waits for the worker; bad input is the client's
ScaleInvalidRequest."""

from __future__ import annotations

import io
import uuid

import numpy as np
import pytest
import requests
import scaleapi
from PIL import Image
from scaleapi.exceptions import ScaleInvalidRequest
from scaleapi.tasks import TaskStatus, TaskType

from tasks.rules.segmentation import color, rgb
from tests.polling import wait_until
from tests.segmentation.conftest import (
    FILE_MAPPING,
    LABELS,
    file_mask,
    image_png,
    png,
    task_mask,
)

pytestmark = pytest.mark.live

SEGMENT = TaskType.SegmentAnnotation


def clients(server) -> tuple[scaleapi.ScaleClient, scaleapi.ScaleClient, str]:
    name = f"seg-{uuid.uuid4().hex[:10]}"
    test_key = server.new_key(name, test=True)
    live_key = server.new_key(name)
    return (scaleapi.ScaleClient(test_key, api_instance_url=server.base_url),
            scaleapi.ScaleClient(live_key, api_instance_url=server.base_url), test_key)


def upload(client: scaleapi.ScaleClient, data: bytes) -> str:
    return client.upload_file(io.BytesIO(data)).attachment_url


def download(url: str, key: str) -> Image.Image:
    res = requests.get(url, auth=(key, ""), timeout=30)
    assert res.status_code == 200 and res.headers["Content-Type"] == "image/png", res.text
    return Image.open(io.BytesIO(res.content))


def body(client: scaleapi.ScaleClient) -> dict:
    return {"attachment": upload(client, image_png()), "labels": LABELS,
            "hypothesis": {"labelMapping": FILE_MAPPING, "annotations": {"combined": {
                "indexedImage": upload(client, png(file_mask()))}}},
            "annotation_attributes": {"occluded": {"type": "category",
                                                   "description": "Occluded?",
                                                   "choices": ["yes", "no"]}}}


def test_a_test_key_task_completes_from_its_hypothesis(live_server_process):
    test, _, key = clients(live_server_process)
    task = test.create_task(SEGMENT, **body(test), metadata={"scene": 4})
    assert task.status == TaskStatus.Completed.value and task.type == "segmentannotation"
    assert task.metadata == {"scene": 4}
    response = test.get_task(task.id).response
    assert response["labelMapping"]["road"] == {"index": 1, "color": color(1)}
    assert [car["index"] for car in response["labelMapping"]["car"]] == [4, 5]
    files = response["annotations"]
    expected = task_mask()
    indexed = np.asarray(download(files["combined"]["indexedImage"], key))
    assert (indexed == expected).all()
    extended = np.asarray(download(files["combined"]["extendedIndexedImage"], key))
    assert (extended[..., 0] == expected).all() and not extended[..., 1:3].any()
    image = np.asarray(download(files["combined"]["image"], key))
    assert (image[expected == 2] == (*rgb(color(2)), 255)).all()
    sky = np.asarray(download(files["labeled"]["sky"], key).convert("RGBA"))
    assert ((sky[..., 3] == 255) == (expected == 2)).all()
    first_car = np.asarray(download(files["labeled"]["car"][0], key).convert("RGBA"))
    assert ((first_car[..., 3] == 255) == (expected == 4)).all()
    # another account's key gets nothing
    _, _, stranger = clients(live_server_process)
    url = files["combined"]["indexedImage"]
    assert requests.get(url, auth=(stranger, ""), timeout=30).status_code == 404


def test_live_tasks_are_fetched_by_the_worker(live_server_process):
    """The worker fetches the image and the hypothesis mask: one that fits leaves the task
    pending for a tasker, one of another size ends its task in error."""
    _, live, _ = clients(live_server_process)
    good = live.create_task(SEGMENT, **body(live))
    assert good.status == TaskStatus.Pending.value
    assert good.params["hypothesis"]["labelMapping"] == FILE_MAPPING
    wrong = body(live)
    wrong["hypothesis"]["annotations"]["combined"]["indexedImage"] = upload(
        live, png(np.zeros((10, 10), np.uint8)))
    bad = live.create_task(SEGMENT, **wrong)
    failed = wait_until(lambda: (t := live.get_task(bad.id)).status == "error" and t, 30,
                        interval=0.2)
    assert "the mask is 10 x 10 pixels, the image 40 x 30" in failed.response["error"]
    assert live.get_task(good.id).status == TaskStatus.Pending.value


def test_bad_input_is_the_clients_invalid_request(live_server_process):
    test, _, _ = clients(live_server_process)
    with pytest.raises(ScaleInvalidRequest) as refused:
        test.create_task(SEGMENT, attachment="https://example.com/a.png",
                         labels=[f"l{i}" for i in range(51)])
    assert "at most 50 labels" in str(refused.value)
