"""The quality loop on masks (docs/segmentation.md "Quality"): consensus of three replicas'
masks by per-pixel majority, gold scoring by per-label IoU, and a reviewer's accept and send
back of a segmentation task, through the workbench's endpoints and the worker's jobs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tasks import queue
from tasks.admin_gold import make_gold
from tasks.models import GoldAnswer, ProjectQuality, Task, TaskRole, TaskStage, TaskStatus
from tasks.quality import masks as core
from tasks.segmentation import masks
from tests.factories import make_reviewer, make_tasker
from tests.quality.flow import decide, hold, signed_in
from tests.segmentation.conftest import (
    HEIGHT,
    WIDTH,
    b64,
    fetched_task,
    png,
    seg_body,
    upload,
)
from tests.worker.conftest import run_jobs

# road = 1, sky = 2, car = 3 (instances 4, 5, ...): tests/segmentation/conftest.py
ROAD, SKY, CAR = 1, 2, 3
CAR_ATTRS = {"occluded": "no"}


def scene(sky_rows: int, car: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """Sky above `sky_rows`, road below, and one car (instance 4) in rows r0:r1, cols c0:c1."""
    mask = np.full((HEIGHT, WIDTH), ROAD, dtype=np.uint8)
    mask[:sky_rows] = SKY
    if car is not None:
        r0, r1, c0, c1 = car
        mask[r0:r1, c0:c1] = 4
    return mask


def body(mask: np.ndarray) -> dict:
    instances = ([{"index": 4, "label": "car", "attributes": CAR_ATTRS}]
                 if (mask == 4).any() else [])
    return {"mask": b64(mask), "instances": instances}


def submit_mask(user, task: Task, mask: np.ndarray):
    return signed_in(user).post(f"/tasks/{task.task_id}/submit", body(mask),
                                content_type="application/json")


def fetched_mask(client, url: str) -> np.ndarray:
    return masks.decode_png(b"".join(client.get(url).streaming_content))


def quality(project, **values) -> None:
    ProjectQuality.objects.create(project=project, **values)


# --- the core -------------------------------------------------------------------------------

def test_majority_of_three_masks_and_its_agreement():
    a = scene(10, (15, 20, 5, 10))
    b = scene(12, (15, 20, 6, 10))
    c = scene(10)
    lut = np.zeros(256, dtype=np.uint8)
    lut[[1, 2, 3, 4]] = [1, 2, 3, 3]
    merged = core.merge([a, b, c], [lut, lut, lut], 3)
    # rows 10-11: sky only in b (1 of 3) -> road; the car: a and b agree on cols 6-9, col 5
    # is a's alone (road in b and c) -> road
    expected = scene(10, (15, 20, 6, 10))
    assert np.array_equal(merged.mask, expected)
    assert merged.instances == [(0, 4, 4)]
    sky_ab, sky_ac, sky_bc = 400 / 480, 1.0, 400 / 480
    # road: a 800-25 = 775 px, b 720-20 = 700 px, c 800; a and b share 700-5 (a's car
    # column 5 is b's road)
    road_ab = 695 / 780
    road_ac = 775 / 800
    road_bc = 700 / 800
    car_ab = 20 / 25
    assert merged.labels[SKY] == pytest.approx((sky_ab + sky_ac + sky_bc) / 3)
    assert merged.labels[ROAD] == pytest.approx((road_ab + road_ac + road_bc) / 3)
    assert merged.labels[CAR] == pytest.approx(car_ab / 3)  # a-c and b-c: 0
    assert merged.agreement == pytest.approx(sum(merged.labels.values()) / 3)


def test_score_is_the_mean_per_label_iou():
    lut = np.zeros(256, dtype=np.uint8)
    lut[[1, 2, 3, 4]] = [1, 2, 3, 3]
    result = core.score(scene(12), scene(10), lut, lut, {1: "road", 2: "sky", 3: "car"})
    assert result.labels == {"road": pytest.approx(720 / 800), "sky": pytest.approx(400 / 480)}
    assert result.score == pytest.approx((720 / 800 + 400 / 480) / 2)
    assert result.pixel_accuracy == pytest.approx(1 - 80 / 1200)


# --- consensus ------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_consensus_of_three_replicas_merges_the_majority(account, seg_project):
    quality(seg_project, consensus_k=3)
    parent = fetched_task(account)
    assert parent.stage == TaskStage.CONSENSUS
    answers = [scene(10, (15, 20, 5, 10)), scene(12, (15, 20, 6, 10)), scene(10)]
    for n, mask in enumerate(answers):
        user = make_tasker(f"t{n}")
        replica = queue.claim_next(user, seg_project)
        assert replica is not None and replica.role == TaskRole.REPLICA
        res = submit_mask(user, replica, mask)
        assert res.status_code == 200, res.content
    assert "merged" in run_jobs()
    parent.refresh_from_db()
    assert parent.status == TaskStatus.COMPLETED
    assert np.array_equal(masks.load_indexed(parent), scene(10, (15, 20, 6, 10)))
    assert parent.response["labelMapping"]["car"] == [
        {"index": 4, "color": parent.response["labelMapping"]["car"][0]["color"],
         "attributes": CAR_ATTRS}]
    block = parent.quality["consensus"]
    assert block["taskers"] == 3 and block["kept"] == 3 and block["dropped"] == 0
    assert block["labels"]["car"] == pytest.approx(0.8 / 3, abs=1e-4)
    assert block["agreement"] == pytest.approx(sum(block["labels"].values()) / 3, abs=1e-3)


# --- gold -----------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_gold_answer_scored_by_per_label_iou(account, seg_project, tasker):
    origin = fetched_task(account)
    first = queue.claim_next(tasker, seg_project)
    assert first is not None and first.pk == origin.pk
    assert submit_mask(tasker, first, scene(10)).status_code == 200
    origin.refresh_from_db()
    standard = make_gold(origin)
    run_jobs()  # the template's image
    quality(seg_project, gold_share=1.0)
    other = make_tasker("gus")
    copy = queue.claim_next(other, seg_project)
    assert copy is not None and copy.role == TaskRole.EVALUATION
    assert submit_mask(other, copy, scene(12)).status_code == 200
    run_jobs()
    answer = GoldAnswer.objects.get(copy=copy, standard=standard)
    assert answer.score == pytest.approx((720 / 800 + 400 / 480) / 2)
    assert answer.details["labels"]["sky"] == pytest.approx(400 / 480)


@pytest.mark.django_db(transaction=True)
def test_gold_made_through_the_api_with_an_uploaded_mask(account, api, seg_project, tasker):
    """POST /v1/evaluation_tasks/segmentannotation: the expected mask is an upload in the
    file's own values (its labelMapping maps them); a copy is scored against it."""
    expected = np.where(scene(10) == SKY, 20, 10).astype(np.uint8)  # sky 20, road 10
    body = {**seg_body(account, project="masks", hypothesis=False),
            "expected_response": {"labelMapping": {"road": {"index": 10}, "sky": {"index": 20}},
                                  "annotations": {"combined": {
                                      "indexedImage": upload(account, png(expected))}}}}
    res = api.post("/v1/evaluation_tasks/segmentannotation", body)
    assert res.status_code == 200, res.content
    assert res.json()["expected_response"]["labelMapping"]["sky"] == {"index": 20}
    run_jobs()  # the template's image
    quality(seg_project, gold_share=1.0)
    copy = queue.claim_next(tasker, seg_project)
    assert copy is not None and copy.role == TaskRole.EVALUATION
    assert submit_mask(tasker, copy, scene(12)).status_code == 200
    run_jobs()
    answer = GoldAnswer.objects.get(copy=copy)
    assert answer.score == pytest.approx((720 / 800 + 400 / 480) / 2)


@pytest.mark.django_db(transaction=True)
def test_training_made_through_the_api_shows_both_masks_and_each_labels_score(
        account, api, seg_project, tasker):
    expected = np.where(scene(10) == SKY, 20, 10).astype(np.uint8)
    body = {**seg_body(account, project="masks", hypothesis=False),
            "expected_response": {"labelMapping": {"road": {"index": 10}, "sky": {"index": 20}},
                                  "annotations": {"combined": {
                                      "indexedImage": upload(account, png(expected))}}}}
    res = api.post("/v1/training_tasks/segmentannotation", body)
    assert res.status_code == 200, res.content
    run_jobs()
    quality(seg_project, training_required=True, training_threshold=0.5)
    copy = queue.claim_next(tasker, seg_project)
    assert copy is not None and copy.role == TaskRole.TRAINING
    assert submit_mask(tasker, copy, scene(12)).status_code == 200
    run_jobs()
    client = signed_in(tasker)
    page = client.get(f"/tasks/{copy.task_id}/result/").content.decode()
    assert "data-mask-labels" in page and 'data-label="sky"' in page
    assert "0.83" in page and "0.90" in page  # sky 400/480, road 720/800
    assert "matched" not in page
    colours = {}
    for which in ("answer", "expected"):
        res = client.get(f"/tasks/{copy.task_id}/result/?mask={which}")
        assert res.status_code == 200 and res["Content-Type"] == "image/png"
        rgba = np.asarray(Image.open(io.BytesIO(res.content)).convert("RGBA"))
        assert rgba.shape == (HEIGHT, WIDTH, 4)
        colours[which] = rgba
    sky_colour = tuple(colours["expected"][0, 0])
    assert sky_colour[3] == 255 and tuple(colours["answer"][11, 0]) == sky_colour
    assert tuple(colours["expected"][11, 0]) != sky_colour  # the expected sky ends at row 10
    assert client.get(f"/tasks/{copy.task_id}/result/?mask=other").status_code == 404


@pytest.mark.parametrize(("change", "word"), [
    ({"indexedImage": "https://example.com/m.png"}, "scaledata://"),
    ({"value": 99}, "99"),
    ({"labelMapping": {"lake": {"index": 10}}}, "labels"),
    ({"labelMapping": None}, "labelMapping"),
])
def test_a_bad_expected_mask_is_a_400(account, api, seg_project, change, word):
    mask = np.full((HEIGHT, WIDTH), 10, dtype=np.uint8)
    mask[0, 0] = change.get("value", 10)
    expected: dict = {"labelMapping": change.get("labelMapping", {"road": {"index": 10}}),
                      "annotations": {"combined": {"indexedImage": change.get(
                          "indexedImage", upload(account, png(mask)))}}}
    if expected["labelMapping"] is None:
        del expected["labelMapping"]
    body = {**seg_body(account, project="masks", hypothesis=False), "expected_response": expected}
    res = api.post("/v1/evaluation_tasks/segmentannotation", body)
    assert res.status_code == 400, res.content
    assert res.json()["status_code"] == 400 and word in res.json()["error"], res.json()
    assert not Task.objects.filter(stage=TaskStage.TEMPLATE).exists()


# --- review ---------------------------------------------------------------------------------

def reviewed(account, seg_project, tasker, mask: np.ndarray):
    """A task `tasker` submitted with `mask`, waiting for review, held by a reviewer."""
    quality(seg_project, review_mode="all")
    fetched_task(account)
    task = queue.claim_next(tasker, seg_project)
    assert task is not None
    assert submit_mask(tasker, task, mask).status_code == 200
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW
    reviewer = make_reviewer("rev1")
    return hold(reviewer, task), reviewer


@pytest.mark.django_db(transaction=True)
def test_review_page_opens_and_accept_completes_with_the_mask(account, seg_project, tasker):
    mask = scene(10, (15, 20, 5, 10))
    task, reviewer = reviewed(account, seg_project, tasker, mask)
    client = signed_in(reviewer)
    assert client.get(f"/tasks/{task.task_id}/review/").status_code == 200
    data = client.get(f"/tasks/{task.task_id}/data").json()
    base = data["segmentation"]["base"]
    assert base is not None
    assert np.array_equal(fetched_mask(client, base), mask)
    res = decide(reviewer, task, "accept")
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert task.quality["review"]["status"] == "accepted"
    assert np.array_equal(masks.load_indexed(task), mask)
    assert task.response["labelMapping"]["car"][0]["attributes"] == CAR_ATTRS


@pytest.mark.django_db(transaction=True)
def test_send_back_reopens_the_mask_for_rework(account, seg_project, tasker):
    mask = scene(10)
    task, reviewer = reviewed(account, seg_project, tasker, mask)
    res = decide(reviewer, task, "send_back", "The sky is too low")
    assert res.status_code == 200, res.content
    again = queue.claim_next(tasker, seg_project)
    assert again is not None and again.pk == task.pk and again.stage == TaskStage.REWORK
    data = signed_in(tasker).get(f"/tasks/{task.task_id}/data").json()
    base = data["segmentation"]["base"]
    assert np.array_equal(fetched_mask(signed_in(tasker), base), mask)
