"""POST /v1/task/segmentannotation: the params accepted and normalized, every bad input a 400
in the contract's error shape with nothing written, a test key's completion from the
hypothesis (files decoded pixel for pixel), the files served only to the owning key, and the
worker's fetch of the hypothesis mask."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tasks.models import Task
from tasks.rules.segmentation import color, rgb
from tasks.segmentation import masks
from tests.segmentation.conftest import (
    LABELS,
    fetched_task,
    file_mask,
    png,
    seg_body,
    task_mask,
    upload,
)
from tests.worker.conftest import run_jobs

pytestmark = pytest.mark.django_db

PATH = "task/segmentannotation"


def get_png(api, url: str) -> Image.Image:
    res = api.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert res.status_code == 200, res.content
    assert res["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(b"".join(res.streaming_content)))


def test_a_full_body_is_accepted_and_normalized(api, account):
    api.post("projects", {"type": "segmentannotation", "name": "masks"})
    body = seg_body(account, project="masks", unique_id="seg-1", tags=["a"],
                    metadata={"k": 1}, callback_url="https://example.com/cb",
                    context_attachments=[{"attachment": "https://example.com/ctx.png"}],
                    allow_unlabeled=True, extra_key="kept")
    res = api.post(PATH, body)
    assert res.status_code == 200, res.content
    task = res.json()
    assert task["type"] == "segmentannotation" and task["status"] == "pending"
    assert task["project"] == "masks" and task["unique_id"] == "seg-1"
    params = task["params"]
    assert params["labels"] == LABELS and params["allow_unlabeled"] is True
    assert params["attachment_type"] == "image" and params["extra_key"] == "kept"
    assert params["annotation_attributes"]["occluded"]["choices"] == ["yes", "no"]
    assert params["hypothesis"]["labelMapping"]["car"][0] == {
        "index": 30, "attributes": {"occluded": "no"}}
    assert api.post(PATH, {**body}).status_code == 409  # the unique_id


def test_allow_unlabeled_defaults_to_false(api, account):
    res = api.post(PATH, seg_body(account, hypothesis=False))
    assert res.status_code == 200, res.content
    assert res.json()["params"]["allow_unlabeled"] is False


BAD = [
    ({"labels": None}, "labels is required"),
    ({"labels": []}, "labels must name at least one label"),
    ({"labels": "road"}, "labels must be a list"),
    ({"labels": [f"l{i}" for i in range(51)]}, "at most 50 labels"),
    ({"labels": ["road", "road"]}, "duplicates the label"),
    ({"attachment": None}, "attachment is required"),
    ({"attachment": "ftp://example.com/a.png"}, "attachment must be an http(s) URL"),
    ({"attachment_type": "video"}, 'attachment_type must be "image"'),
    ({"allow_unlabeled": "yes"}, "allow_unlabeled must be true or false"),
    ({"geometries": {"box": {"objects_to_annotate": ["car"]}}}, "geometries is not supported"),
    ({"labels": ["road"]}, "annotation_attributes describe the instances"),
    ({"annotation_attributes": {"w": {"description": "W", "choices": ["a"],
                                      "conditions": {"is_global": True}}}},
     "cannot be global"),
    ({"hypothesis": []}, "hypothesis must be an object"),
    ({"hypothesis": {"labelMapping": {"road": {"index": 1}}}},
     "hypothesis.annotations must be an object"),
    ({"hypothesis": {"labelMapping": {"tree": {"index": 1}},
                     "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}}}},
     "hypothesis.labelMapping.tree is not one of the task's labels"),
    ({"hypothesis": {"labelMapping": {"road": {"index": 1}, "sky": {"index": 1}},
                     "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}}}},
     "1 is already road's"),
    ({"hypothesis": {"labelMapping": {"road": [{"index": 1}]},
                     "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}}}},
     "only instance labels map to a list"),
    ({"hypothesis": {"labelMapping": {"car": [{"index": 300}]},
                     "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}}}},
     "index must be an integer between 1 and 255"),
    ({"hypothesis": {"labelMapping": {"car": [{"index": 3, "attributes": {"x": 1}}]},
                     "annotations": {"combined": {"indexedImage": "https://e.com/m.png"}}}},
     "x is not a defined attribute"),
    ({"hypothesis": {"labelMapping": {}, "annotations": {"combined": {"indexedImage": 5}}}},
     "indexedImage must be a string"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_inputs_are_400s_in_the_error_shape_and_write_nothing(api, account, change,
                                                                   message):
    body = seg_body(account, hypothesis=False)
    body.update(change)
    body = {key: value for key, value in body.items() if value is not None}
    res = api.post(PATH, body)
    assert res.status_code == 400, res.content
    error = res.json()
    assert error["status_code"] == 400 and message in error["error"], error
    assert not Task.objects.exists()


def test_a_hypothesis_upload_of_another_account_is_refused(api, account, other_account):
    body = seg_body(account)
    body["hypothesis"]["annotations"]["combined"]["indexedImage"] = upload(
        other_account, png(file_mask()))
    res = api.post(PATH, body)
    assert res.status_code == 400 and "is not a file of this account" in res.json()["error"]
    assert not Task.objects.exists()


def test_a_test_key_completes_from_the_hypothesis_with_pixel_exact_files(test_api, account):
    res = test_api.post(PATH, seg_body(account, is_test=True))
    assert res.status_code == 200, res.content
    task = res.json()
    assert task["status"] == "completed"
    response = task["response"]
    mapping = response["labelMapping"]
    assert mapping["road"] == {"index": 1, "color": color(1)}
    assert mapping["sky"] == {"index": 2, "color": color(2)}
    assert mapping["car"] == [{"index": 4, "color": color(4),
                               "attributes": {"occluded": "no"}},
                              {"index": 5, "color": color(5)}]
    files = response["annotations"]
    expected = task_mask()
    indexed = np.asarray(get_png(test_api, files["combined"]["indexedImage"]))
    assert indexed.dtype == np.uint8 and (indexed == expected).all()
    extended = np.asarray(get_png(test_api, files["combined"]["extendedIndexedImage"]))
    assert extended.shape == (*expected.shape, 4)
    assert (extended[..., 0] == expected).all() and not extended[..., 1:3].any()
    assert (extended[..., 3] == 255).all()
    image = np.asarray(get_png(test_api, files["combined"]["image"]))
    for index in (1, 2, 4, 5):
        assert (image[expected == index] == (*rgb(color(index)), 255)).all()
    road = np.asarray(get_png(test_api, files["labeled"]["road"]).convert("RGBA"))
    assert (road[expected == 1] == (*rgb(color(1)), 255)).all()
    assert (road[expected != 1][:, 3] == 0).all()
    cars = files["labeled"]["car"]
    assert len(cars) == 2
    second = np.asarray(get_png(test_api, cars[1]).convert("RGBA"))
    assert ((second[..., 3] == 255) == (expected == 5)).all()
    assert files["unlabeled"] is None  # every pixel carries a label
    assert (masks.load_indexed(Task.objects.get(pk=task["task_id"])) == expected).all()


def test_a_test_key_needs_an_uploaded_hypothesis(test_api, account):
    body = seg_body(account, is_test=True)
    body["hypothesis"]["annotations"]["combined"]["indexedImage"] = "https://e.com/m.png"
    res = test_api.post(PATH, body)
    assert res.status_code == 400 and "must be a scaledata:// upload" in res.json()["error"]
    assert not Task.objects.exists()


def test_a_test_key_hypothesis_with_unmapped_values_is_a_400(test_api, account):
    body = seg_body(account, is_test=True)
    bad = file_mask()
    bad[0, 0] = 77
    body["hypothesis"]["annotations"]["combined"]["indexedImage"] = upload(
        account, png(bad), is_test=True)
    res = test_api.post(PATH, body)
    assert res.status_code == 400 and "values its labelMapping does not name: 77" in \
        res.json()["error"]
    assert not Task.objects.exists()


def test_a_test_key_without_hypothesis_completes_with_the_labels_only(test_api, account):
    task = test_api.post(PATH, seg_body(account, is_test=True, hypothesis=False)).json()
    assert task["status"] == "completed"
    assert task["response"] == {"labelMapping": {"road": {"index": 1, "color": color(1)},
                                                 "sky": {"index": 2, "color": color(2)},
                                                 "car": []},
                                "annotations": {}}


def test_files_are_served_only_to_the_owning_key(test_api, api, other_api, account):
    task = test_api.post(PATH, seg_body(account, is_test=True)).json()
    url = task["response"]["annotations"]["combined"]["indexedImage"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert test_api.get(path).status_code == 200
    assert other_api.get(path).status_code == 404
    assert api.get(path).status_code == 404  # the live key is another environment
    gone = path.replace("indexedImage.png", "secret.png")
    assert test_api.get(gone).status_code == 404


def test_the_worker_stores_the_hypothesis_as_the_draft_base(account, seg_project):
    task = fetched_task(account)
    assert task.status == "pending" and (task.attachment_width, task.attachment_height) == \
        (40, 30)
    stored = masks.load_stored(masks.draft_name(task.task_id, "hypothesis.png"))
    assert stored is not None and (stored == task_mask()).all()


def test_a_hypothesis_of_another_size_ends_the_task_in_error(account, seg_project):
    body = seg_body(account, project="masks")
    body["hypothesis"]["annotations"]["combined"]["indexedImage"] = upload(
        account, png(np.zeros((10, 10), dtype=np.uint8)))
    from tasks import lifecycle

    task = lifecycle.create_task(owner=account, is_test=False, task_type="segmentannotation",
                                 body=body)
    run_jobs()
    task.refresh_from_db()
    assert task.status == "error"
    assert "the mask is 10 x 10 pixels, the image 40 x 30" in task.response["error"]


def test_an_rgb_hypothesis_ends_the_task_in_error(account, seg_project):
    body = seg_body(account, project="masks")
    rgb_png = io.BytesIO()
    Image.new("RGB", (40, 30)).save(rgb_png, "PNG")
    body["hypothesis"]["annotations"]["combined"]["indexedImage"] = upload(
        account, rgb_png.getvalue())
    from tasks import lifecycle

    task = lifecycle.create_task(owner=account, is_test=False, task_type="segmentannotation",
                                 body=body)
    run_jobs()
    task.refresh_from_db()
    assert task.status == "error" and "is a RGB PNG" in task.response["error"]
